"""Promotions: create and edit codes, list, check and redeem one on an invoice, void an invoice. Staff only."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, cast
from uuid import UUID

import strawberry

from db import promotions as sql
from db import reads, till
from db.pagination import Order, slice_rows
from db.session import RequestDb, Row
from domain.problems import Problem
from domain.promotions import rules
from domain.promotions.errors import CONSTRAINTS
from domain.promotions.errors import PromotionErrorCode as Code
from graph.compiled import roots as compiled
from graph.errors import BadUserInput
from graph.mutations import Info, Mutations, Write
from graph.paging import After, Before, First, Last, to_page
from graph.permissions import clinic_of
from graph.types.connection import Connection, build_connection
from graph.types.promotions import (
    CreatePromotionInput,
    InvoiceTotals,
    Promotion,
    PromotionFilter,
    PromotionPayload,
    PromotionUserError,
    PromotionValidation,
    RedeemPromotionInput,
    RedeemPromotionPayload,
    UpdatePromotionInput,
    VoidInvoiceInput,
    VoidInvoicePayload,
)

PROMOTIONS_NEWEST_FIRST = Order((("created_at", "timestamptz"), ("id", "uuid")), descending=True)
EDITABLE_INVOICE = ("draft",)  # an issued invoice is never edited
MAX_SEARCH = 100

CreateArg = Annotated[CreatePromotionInput, strawberry.argument(description="The new code and its rules.")]
UpdateArg = Annotated[UpdatePromotionInput, strawberry.argument(description="The promotion and what changes.")]
RedeemArg = Annotated[RedeemPromotionInput, strawberry.argument(description="The code and the invoice.")]
VoidArg = Annotated[VoidInvoiceInput, strawberry.argument(description="The invoice.")]

PROMOTIONS = Mutations(Code, PromotionUserError, CONSTRAINTS)


def _item_ids(ids: list[strawberry.ID] | None) -> list[UUID] | Problem[Code] | None:
    if ids is None:
        return None
    if len(ids) > rules.MAX_ITEMS:
        return Problem("applicableItems", Code.TOO_MANY_ITEMS, f"At most {rules.MAX_ITEMS} items.")
    try:
        return list(dict.fromkeys(UUID(str(i)) for i in ids))
    except ValueError:
        return Problem("applicableItems", Code.INVALID, "Items are service or product ids (UUIDs).")


async def create_promotion(info: Info, input: CreateArg) -> PromotionPayload:
    """A new discount code. Its code is unique in the clinic ignoring case; the plan caps active codes."""
    items = _item_ids(input.applicable_items)
    values: dict[str, Any] = {
        "code": input.code.strip(),
        "name": input.name,
        "description": input.description,
        "discount_type": input.discount_type.value,
        "discount_value": input.discount_value,
        "minimum_purchase": input.minimum_purchase,
        "maximum_discount": input.maximum_discount,
        "applies_to": input.applies_to.value,
        "applicable_items": None if isinstance(items, Problem) else items,
        "usage_limit": input.usage_limit,
        "usage_per_customer": input.usage_per_customer,
        "starts_at": input.starts_at,
        "expires_at": input.expires_at,
        "is_active": input.is_active,
    }
    problems = ([items] if isinstance(items, Problem) else []) + rules.validate(values)

    async def perform(w: Write[Code]) -> PromotionPayload:
        return _saved(w, await sql.insert(w.db, w.tenant, w.by, values))

    return await PROMOTIONS.run(info, PromotionPayload, perform, problems=problems)


def _saved(w: Write[Code], row: Row) -> PromotionPayload:
    w.prime("Promotion", row["id"], row)
    return PromotionPayload(promotion=Promotion.from_row(row))


def _merge(row: Row, input: UpdatePromotionInput) -> dict[str, Any] | Problem[Code]:
    values = {c: row[c] for c in sql.COLUMNS}
    for name in ("code", "name", "discount_value", "is_active"):
        new = getattr(input, name)
        if new is not None:
            values[name] = new.strip() if isinstance(new, str) and name == "code" else new
    for name in ("discount_type", "applies_to"):
        new = getattr(input, name)
        if new is not None:
            values[name] = new.value
    for name in ("description", "minimum_purchase", "maximum_discount", "usage_limit", "usage_per_customer",
                 "starts_at", "expires_at"):  # fmt: skip
        new = getattr(input, name)
        if new is not strawberry.UNSET:
            values[name] = new
    if input.applicable_items is not strawberry.UNSET:
        items = _item_ids(input.applicable_items)
        if isinstance(items, Problem):
            return items
        values["applicable_items"] = items
    return values


async def update_promotion(info: Info, input: UpdateArg) -> PromotionPayload:
    """Change a code's rules, switch it on or off. A total limit cannot go below the uses so far."""
    promotion = PROMOTIONS.id(input.id, "Promotion", "id")

    async def perform(w: Write[Code]) -> PromotionPayload:
        assert isinstance(promotion, UUID)
        row = await sql.for_update(w.db, w.tenant, promotion)
        if row is None:
            w.refuse(Problem("id", Code.NOT_FOUND, "No such promotion."))
        values = _merge(row, input)
        if isinstance(values, Problem):
            w.refuse(values)
        problems = rules.validate(values)
        if values["usage_limit"] is not None and values["usage_limit"] < row["times_used"]:
            problems.append(
                Problem(
                    "usageLimit",
                    Code.OUT_OF_RANGE,
                    f"Already used {row['times_used']} times; the limit cannot be lower.",
                )
            )
        if problems:
            w.refuse(*problems)
        updated = await sql.update(w.db, w.tenant, promotion, values)
        assert updated is not None
        return _saved(w, updated)

    problems = [promotion] if isinstance(promotion, Problem) else []
    return await PROMOTIONS.run(info, PromotionPayload, perform, problems=problems)


async def promotions(
    info: Info,
    first: First = None,
    after: After = None,
    last: Last = None,
    before: Before = None,
    filter: Annotated[
        PromotionFilter | None, strawberry.argument(description="Conditions the codes must meet.")
    ] = None,
) -> Connection[Promotion]:
    """The clinic's promotions, newest first, a page at a time. Staff only."""
    page = to_page(PROMOTIONS_NEWEST_FIRST, first, after, last, before)
    ctx = info.context
    search, active_only = (None, False) if filter is None else (filter.search, filter.active_only)
    if search and len(search) > MAX_SEARCH:
        raise BadUserInput(f"search: at most {MAX_SEARCH} characters")
    query = sql.list_query(clinic_of(info), search, active_only)
    fast = await compiled.connection(info, query, PROMOTIONS_NEWEST_FIRST, page)
    if fast is not None:  # JSON straight from SQL
        return cast(Connection[Promotion], fast)
    rows = await reads.list_page(ctx.db, query, PROMOTIONS_NEWEST_FIRST, page)

    async def count() -> int:
        return await reads.list_count(ctx.db, query)

    return build_connection(slice_rows(rows, page), PROMOTIONS_NEWEST_FIRST, Promotion.from_row, count)


async def _judge(db: RequestDb, tenant: str, promotion: Row, invoice: Row) -> rules.Verdict:
    items = await sql.invoice_items(db, tenant, invoice["id"])
    customer_uses, has_promotion = await sql.usage_facts(db, tenant, promotion["id"], invoice)
    return rules.judge(
        promotion,
        invoice,
        items,
        customer_uses=customer_uses,
        invoice_has_promotion=has_promotion,
        now=datetime.now(UTC),
    )


async def _invoice_problem(db: RequestDb, tenant: str, invoice_id: UUID, *, lock: bool) -> Row | Problem[Code]:
    invoice = await sql.invoice(db, tenant, invoice_id, lock=lock)
    if invoice is None:
        return Problem("invoiceId", Code.NOT_FOUND, "No such invoice.")
    if invoice["status"] not in EDITABLE_INVOICE:
        return Problem("invoiceId", Code.INVOICE_NOT_EDITABLE, f"The invoice is {invoice['status']}.")
    return invoice


async def validate_promotion(
    info: Info,
    code: Annotated[str, strawberry.argument(description="The code as typed (case does not matter).")],
    invoice_id: Annotated[strawberry.ID, strawberry.argument(description="Global ID of the invoice.")],
) -> PromotionValidation:
    """Whether the code applies to the invoice now, the discount it would give, and every reason it does not."""
    ctx, tenant = info.context, clinic_of(info)
    invoice_uuid = PROMOTIONS.id(invoice_id, "Invoice", "invoiceId")
    if isinstance(invoice_uuid, Problem):
        return PromotionValidation(
            valid=False, discount_amount=Decimal(0), promotion=None, reasons=PROMOTIONS.errors([invoice_uuid])
        )
    promotion = await sql.by_code(ctx.db, tenant, code.strip()[:64])
    invoice = await _invoice_problem(ctx.db, tenant, invoice_uuid, lock=False)
    problems: list[Problem[Code]] = [invoice] if isinstance(invoice, Problem) else []
    if promotion is None:
        problems.insert(0, Problem("code", Code.NOT_FOUND, "The clinic has no promotion with this code."))
    if problems:
        return PromotionValidation(
            valid=False,
            discount_amount=Decimal(0),
            promotion=None if promotion is None else Promotion.from_row(promotion),
            reasons=PROMOTIONS.errors(problems),
        )
    assert promotion is not None and not isinstance(invoice, Problem)
    verdict = await _judge(ctx.db, tenant, promotion, invoice)
    return PromotionValidation(
        valid=not verdict.reasons,
        discount_amount=verdict.discount,
        promotion=Promotion.from_row(promotion),
        reasons=PROMOTIONS.errors(verdict.reasons),
    )


async def redeem_promotion(info: Info, input: RedeemArg) -> RedeemPromotionPayload:
    """Apply a code to an invoice atomically: the use is taken by one conditional UPDATE of the promotion
    (limit and window checked on the locked row), recorded, and the invoice discounted, or nothing happens."""
    invoice_uuid = PROMOTIONS.id(input.invoice_id, "Invoice", "invoiceId")
    code = input.code.strip()[:64]

    async def perform(w: Write[Code]) -> RedeemPromotionPayload:
        assert isinstance(invoice_uuid, UUID)
        invoice = await _invoice_problem(w.db, w.tenant, invoice_uuid, lock=True)
        if isinstance(invoice, Problem):
            w.refuse(invoice)
        promotion = await sql.by_code(w.db, w.tenant, code)
        if promotion is None:
            w.refuse(Problem("code", Code.NOT_FOUND, "The clinic has no promotion with this code."))
        taken = await sql.take_use(w.db, w.tenant, promotion["id"])
        if taken is None:  # limit, window or switch: say which
            verdict = await _judge(w.db, w.tenant, promotion, invoice)
            w.refuse(
                *verdict.reasons
                or [Problem("code", Code.USAGE_LIMIT_REACHED, "This promotion has been used as often as it may be.")]
            )
        # Judged on the locked row as it was before this use; every redemption of
        # this promotion updated that row, so the customer's uses counted now are complete.
        verdict = await _judge(w.db, w.tenant, {**taken, "times_used": taken["times_used"] - 1}, invoice)
        if verdict.reasons:
            w.refuse(*verdict.reasons)  # the use is given back: nothing is written
        usage = await sql.record_use(w.db, w.tenant, promotion["id"], invoice, verdict.discount)
        if usage is None:
            w.refuse(Problem("code", Code.ALREADY_APPLIED, "The invoice already has a promotion applied."))
        # before tax: the discount lowers its lines, then the database recomputes the IVA of each rate
        items = rules.eligible_lines(promotion, await sql.invoice_items(w.db, w.tenant, invoice_uuid))
        updated = await till.allocate_promotion(
            w.db, w.tenant, invoice_uuid, verdict.discount, [item["id"] for item in items]
        )
        w.prime("Promotion", taken["id"], taken)
        return RedeemPromotionPayload(
            promotion=Promotion.from_row(taken),
            discount_amount=verdict.discount,
            invoice=InvoiceTotals.from_row(updated),
        )

    problems = [invoice_uuid] if isinstance(invoice_uuid, Problem) else []
    return await PROMOTIONS.run(info, RedeemPromotionPayload, perform, problems=problems)


async def void_invoice(info: Info, input: VoidArg) -> VoidInvoicePayload:
    """Void an invoice that is not paid; every promotion use on it is voided and given back to its promotion."""
    invoice_uuid = PROMOTIONS.id(input.invoice_id, "Invoice", "invoiceId")

    async def perform(w: Write[Code]) -> VoidInvoicePayload:
        assert isinstance(invoice_uuid, UUID)
        invoice = await sql.invoice(w.db, w.tenant, invoice_uuid, lock=True)
        if invoice is None:
            w.refuse(Problem("invoiceId", Code.NOT_FOUND, "No such invoice."))
        if invoice["status"] in ("paid", "void"):
            w.refuse(Problem("invoiceId", Code.INVOICE_NOT_EDITABLE, f"The invoice is {invoice['status']}."))
        if invoice["amount_paid"] > 0:
            w.refuse(Problem("invoiceId", Code.INVOICE_NOT_EDITABLE, "The invoice has payments: refund them first."))
        row, voided = await sql.void_invoice(w.db, w.tenant, invoice_uuid)
        w.forget("Promotion")
        return VoidInvoicePayload(invoice=InvoiceTotals.from_row(row), promotion_uses_returned=len(voided))

    problems = [invoice_uuid] if isinstance(invoice_uuid, Problem) else []
    return await PROMOTIONS.run(info, VoidInvoicePayload, perform, problems=problems)
