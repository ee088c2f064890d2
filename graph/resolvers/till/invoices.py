"""Invoices: drafts with lines from the catalogue, issuing (numbered by the database), the list and its filter."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, cast
from uuid import UUID

import strawberry

from db import expressions as x
from db import reads
from db import till as sql
from db.pagination import slice_rows
from db.session import Row
from domain.problems import Problem
from domain.till import rules
from domain.till.errors import TillErrorCode as Code
from graph.compiled import roots as compiled
from graph.mutations import Info, Write
from graph.paging import After, Before, First, Last, to_page
from graph.permissions import clinic_of
from graph.resolvers.till import TILL
from graph.types.connection import Connection, build_connection
from graph.types.node import uuid_of
from graph.types.till import Invoice, InvoiceLine
from graph.types.till_mutations import (
    AddInvoiceLineInput,
    CreateInvoiceInput,
    InvoiceFilter,
    InvoiceLineInput,
    InvoicePayload,
    IssueInvoiceInput,
    RemoveInvoiceLineInput,
)

ORDER = x.INVOICES_NEWEST_FIRST


async def invoices(
    info: Info,
    first: First = None,
    after: After = None,
    last: Last = None,
    before: Before = None,
    filter: Annotated[InvoiceFilter | None, strawberry.argument(description="Conditions they meet.")] = None,
) -> Connection[Invoice]:
    """The clinic's invoices (an owner: their own), newest first, a page at a time."""
    page = to_page(ORDER, first, after, last, before)
    f = filter or InvoiceFilter()
    owner = None if f.owner_id is None else uuid_of(f.owner_id, "Profile")
    status = None if f.status is None else f.status.value
    query = sql.invoice_query(clinic_of(info), status, owner, f.from_, f.to)
    fast = await compiled.connection(info, query, ORDER, page)
    if fast is not None:
        return cast(Connection[Invoice], fast)
    db = info.context.db
    columns = Invoice.__vetql_table__.select_list
    rows = await reads.list_page(db, query, ORDER, page, columns=columns)

    async def count() -> int:
        return await reads.list_count(db, query)

    return build_connection(slice_rows(rows, page), ORDER, Invoice.from_row, count)


def _line_problems(line: InvoiceLineInput, at: str) -> list[Problem[Code]]:
    """What is wrong with a line before the catalogue is read."""
    problems: list[Problem[Code]] = []
    if (line.service_id is None) == (line.product_id is None):
        problems.append(Problem(f"{at}serviceId", Code.INVALID, "Give a serviceId or a productId, not both."))
    problems += rules.quantity(f"{at}quantity", line.quantity)
    problems += rules.guaranies(f"{at}unitPrice", line.unit_price)
    problems += rules.guaranies(f"{at}lineDiscount", line.line_discount)
    problems += rules.words(f"{at}description", line.description, most=500)
    return problems


async def _line_values(w: Write[Code], line: InvoiceLineInput, at: str) -> dict[str, Any]:
    """The line as stored: the catalogue's name, price and IVA rate unless the input gives its own."""
    kind, gid, type_name = (
        ("service", line.service_id, "Service")
        if line.service_id is not None
        else ("product", line.product_id, "Product")
    )
    assert gid is not None
    field = f"{at}{kind}Id"
    item_id = TILL.id(gid, type_name, field)
    if isinstance(item_id, Problem):
        w.refuse(item_id)
    item = await sql.catalogue_item(w.db, kind, w.tenant, item_id)
    if item is None:
        w.refuse(Problem(field, Code.NOT_FOUND, f"No such {kind} in the catalogue."))
    if not item["is_active"]:
        w.refuse(Problem(field, Code.ITEM_INACTIVE, f"The {kind} is not offered any more."))
    unit = (
        line.unit_price
        if line.unit_price is not None
        else Decimal(item["base_price" if kind == "service" else "price"])
    )
    gross = (line.quantity * unit).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if line.line_discount > gross:
        w.refuse(Problem(f"{at}lineDiscount", Code.DISCOUNT_TOO_LARGE, f"More than the line's {gross} PYG."))
    return {
        "item_type": kind,
        "service_id": item_id if kind == "service" else None,
        "product_id": item_id if kind == "product" else None,
        "description": (line.description or item["name"]).strip(),
        "quantity": line.quantity,
        "unit_price": unit,
        "line_discount": line.line_discount,
        "iva_rate": item["iva_rate"],
    }


async def _draft(w: Write[Code], invoice_id: UUID, field: str = "invoiceId") -> Row:
    row = await sql.invoice(w.db, w.tenant, invoice_id, lock=True)
    if row is None:
        w.refuse(Problem(field, Code.NOT_FOUND, "No such invoice."))
    if row["status"] != "draft":
        w.refuse(Problem(field, Code.INVOICE_NOT_EDITABLE, f"The invoice is {row['status']}: never edited."))
    return row


async def _done(w: Write[Code], invoice_id: UUID, line: Row | None = None) -> InvoicePayload:
    row = await sql.invoice(w.db, w.tenant, invoice_id)
    assert row is not None
    w.prime("Invoice", invoice_id, row)
    w.forget("InvoiceLine")
    return InvoicePayload(invoice=Invoice.from_row(row), line=None if line is None else InvoiceLine.from_row(line))


async def create_invoice(
    info: Info, input: Annotated[CreateInvoiceInput, strawberry.argument(description="The customer and lines.")]
) -> InvoicePayload:
    """A draft invoice for an owner (and their pet), with lines from the catalogue. Staff only."""
    owner = TILL.id(input.owner_id, "Profile", "ownerId")
    pet = None if input.pet_id is None else TILL.id(input.pet_id, "Pet", "petId")
    problems = [p for p in (owner, pet) if isinstance(p, Problem)]
    if len(input.lines) > rules.MAX_LINES:
        problems.append(Problem("lines", Code.OUT_OF_RANGE, f"At most {rules.MAX_LINES} lines."))
    for i, line in enumerate(input.lines[: rules.MAX_LINES]):
        problems += _line_problems(line, f"lines.{i}.")
    problems += rules.words("clientRuc", input.client_ruc, most=20) + rules.words(
        "clientName", input.client_name, most=200
    )
    problems += rules.words("notes", input.notes, most=2000)

    async def perform(w: Write[Code]) -> InvoicePayload:
        assert isinstance(owner, UUID) and not isinstance(pet, Problem)
        person = await sql.customer(w.db, w.tenant, owner)
        if person is None:
            w.refuse(Problem("ownerId", Code.NOT_FOUND, "No such person in the clinic."))
        if person["role"] != "owner":
            w.refuse(Problem("ownerId", Code.NOT_AN_OWNER, "Invoices are made out to owners."))
        if pet is not None:
            exists, pet_owner = await sql.pet_owner(w.db, w.tenant, pet)
            if not exists:
                w.refuse(Problem("petId", Code.NOT_FOUND, "No such pet."))
            if pet_owner != owner:
                w.refuse(Problem("petId", Code.PET_NOT_OF_OWNER, "The pet is not this owner's."))
        lines = [await _line_values(w, line, f"lines.{i}.") for i, line in enumerate(input.lines)]
        row = await sql.insert_invoice(w.db, w.tenant, w.by, {
            "client_id": owner, "pet_id": pet, "due_date": input.due_date, "client_ruc": input.client_ruc,
            "client_name": input.client_name, "notes": input.notes,
        })  # fmt: skip
        for values in lines:
            await sql.insert_line(w.db, w.tenant, row["id"], values)
        return await _done(w, row["id"])

    return await TILL.run(info, InvoicePayload, perform, problems=problems)


async def add_invoice_line(
    info: Info, input: Annotated[AddInvoiceLineInput, strawberry.argument(description="The draft and the line.")]
) -> InvoicePayload:
    """Add a line from the catalogue to a draft; the database recomputes its totals and IVA. Staff only."""
    invoice = TILL.id(input.invoice_id, "Invoice", "invoiceId")
    problems = ([invoice] if isinstance(invoice, Problem) else []) + _line_problems(input.line, "line.")

    async def perform(w: Write[Code]) -> InvoicePayload:
        assert isinstance(invoice, UUID)
        await _draft(w, invoice)
        line = await sql.insert_line(w.db, w.tenant, invoice, await _line_values(w, input.line, "line."))
        return await _done(w, invoice, line)

    return await TILL.run(info, InvoicePayload, perform, problems=problems)


async def remove_invoice_line(
    info: Info, input: Annotated[RemoveInvoiceLineInput, strawberry.argument(description="The line.")]
) -> InvoicePayload:
    """Take a line off a draft. Staff only."""
    line_id = TILL.id(input.line_id, "InvoiceLine", "lineId")
    problems = [line_id] if isinstance(line_id, Problem) else []

    async def perform(w: Write[Code]) -> InvoicePayload:
        assert isinstance(line_id, UUID)
        line = await sql.line(w.db, w.tenant, line_id)
        if line is None:
            w.refuse(Problem("lineId", Code.NOT_FOUND, "No such line."))
        await _draft(w, line["invoice_id"], "lineId")
        await sql.delete_line(w.db, w.tenant, line_id)
        return await _done(w, line["invoice_id"])

    return await TILL.run(info, InvoicePayload, perform, problems=problems)


async def issue_invoice(
    info: Info, input: Annotated[IssueInvoiceInput, strawberry.argument(description="The draft.")]
) -> InvoicePayload:
    """Issue a draft: the database gives it the clinic's next number (gap-free, one per invoice however many
    ask at once) and its issue date; from then on it is never edited. Staff only."""
    invoice = TILL.id(input.invoice_id, "Invoice", "invoiceId")
    problems = [invoice] if isinstance(invoice, Problem) else []

    async def perform(w: Write[Code]) -> InvoicePayload:
        assert isinstance(invoice, UUID)
        await _draft(w, invoice)  # the row lock: a concurrent issue of the same draft waits, then sees it issued
        await sql.issue(w.db, w.tenant, invoice, w.by, input.due_date)
        return await _done(w, invoice)

    return await TILL.run(info, InvoicePayload, perform, problems=problems)
