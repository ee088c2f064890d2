"""Promotions: create and edit codes, list, check and redeem one on an invoice, void an invoice. Staff only."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

import strawberry

from db import promotions as sql
from db import reads
from db.pagination import Order, slice_rows
from db.session import DbError, RequestDb, Row
from domain.promotions import rules
from domain.promotions.errors import PromotionErrorCode as Code
from domain.promotions.rules import Problem
from graph.context import Context
from graph.errors import BadUserInput
from graph.paging import After, Before, First, Last, to_page
from graph.resolvers.user_errors import global_uuid, tenant_of, user_errors
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
EDITABLE_INVOICE = ("draft", "sent")
MAX_SEARCH = 100

CreateArg = Annotated[CreatePromotionInput, strawberry.argument(description="The new code and its rules.")]
UpdateArg = Annotated[UpdatePromotionInput, strawberry.argument(description="The promotion and what changes.")]
RedeemArg = Annotated[RedeemPromotionInput, strawberry.argument(description="The code and the invoice.")]
VoidArg = Annotated[VoidInvoiceInput, strawberry.argument(description="The invoice.")]


def _errors(problems: list[Problem]) -> list[PromotionUserError]:
    return user_errors(problems, PromotionUserError)


def _uuid(global_id: str, type_name: str, field: str) -> UUID | Problem:
    """The UUID of a global ID, or a NOT_FOUND Problem naming the field."""
    key = global_uuid(global_id, type_name)
    return Problem(field, Code.NOT_FOUND, f"Not an ID of a {type_name}.") if key is None else key


def _item_ids(ids: list[strawberry.ID] | None) -> list[UUID] | Problem | None:
    if ids is None:
        return None
    if len(ids) > rules.MAX_ITEMS:
        return Problem("applicableItems", Code.TOO_MANY_ITEMS, f"At most {rules.MAX_ITEMS} items.")
    try:
        return list(dict.fromkeys(UUID(str(i)) for i in ids))
    except ValueError:
        return Problem("applicableItems", Code.INVALID, "Items are service or product ids (UUIDs).")


def _db_problem(exc: DbError) -> Problem | None:
    """A broken rule the database reported, as the userError it means; None for anything else."""
    name = sql.constraint_name(exc)
    if name == "promotions_code_key":
        return Problem("code", Code.CODE_TAKEN, "The clinic already has a promotion with this code.")
    if name == "plan_limit_active_promotions":
        return Problem(
            "isActive",
            Code.PLAN_LIMIT_REACHED,
            "The clinic's plan allows no more active promotions; deactivate one or upgrade the plan.",
        )
    return None


async def _write(db: RequestDb, write: Any) -> PromotionPayload:
    """Run a promotion write with retries; constraint violations become userErrors and nothing is written."""

    async def attempt() -> PromotionPayload:
        try:
            return await write()  # type: ignore[no-any-return]
        except DbError as exc:
            problem = _db_problem(exc)
            if problem is None:
                raise
            await db.close()  # the failed statement ended the transaction: roll it back
            return PromotionPayload(promotion=None, user_errors=_errors([problem]))

    return await sql.retrying(db, attempt)


async def create_promotion(info: strawberry.Info[Context, None], input: CreateArg) -> PromotionPayload:
    """A new discount code. Its code is unique in the clinic ignoring case; the plan caps active codes."""
    ctx = info.context
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
    if problems:
        return PromotionPayload(promotion=None, user_errors=_errors(problems))
    assert ctx.claims is not None
    tenant, by = tenant_of(info), ctx.claims.sub

    async def write() -> PromotionPayload:
        row = await sql.insert(ctx.db, tenant, by, values)
        await ctx.db.commit()
        return PromotionPayload(promotion=Promotion.from_row(row), user_errors=[])

    return await _write(ctx.db, write)


def _merge(row: Row, input: UpdatePromotionInput) -> dict[str, Any] | Problem:
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


async def update_promotion(info: strawberry.Info[Context, None], input: UpdateArg) -> PromotionPayload:
    """Change a code's rules, switch it on or off. A total limit cannot go below the uses so far."""
    ctx = info.context
    promotion = _uuid(input.id, "Promotion", "id")
    if isinstance(promotion, Problem):
        return PromotionPayload(promotion=None, user_errors=_errors([promotion]))
    tenant = tenant_of(info)

    async def write() -> PromotionPayload:
        row = await sql.for_update(ctx.db, tenant, promotion)
        if row is None:
            return PromotionPayload(
                promotion=None, user_errors=_errors([Problem("id", Code.NOT_FOUND, "No such promotion.")])
            )
        values = _merge(row, input)
        problems = [values] if isinstance(values, Problem) else rules.validate(values)
        if isinstance(values, dict) and values["usage_limit"] is not None and values["usage_limit"] < row["times_used"]:
            problems.append(
                Problem(
                    "usageLimit",
                    Code.OUT_OF_RANGE,
                    f"Already used {row['times_used']} times; the limit cannot be lower.",
                )
            )
        if problems:
            return PromotionPayload(promotion=None, user_errors=_errors(problems))
        assert isinstance(values, dict)
        updated = await sql.update(ctx.db, tenant, promotion, values)
        assert updated is not None
        await ctx.db.commit()
        return PromotionPayload(promotion=Promotion.from_row(updated), user_errors=[])

    return await _write(ctx.db, write)


def _query(tenant: str, where: PromotionFilter | None) -> reads.ListQuery:
    conditions = ["c.tenant_id = :tenant"]
    params: dict[str, Any] = {"tenant": tenant}
    if where is not None:
        if where.search:
            if len(where.search) > MAX_SEARCH:
                raise BadUserInput(f"search: at most {MAX_SEARCH} characters")
            conditions.append("(c.code ILIKE :search OR c.name ILIKE :search)")
            params["search"] = reads.like_pattern(where.search)
        if where.active_only:
            conditions.append(
                "c.is_active AND (c.starts_at IS NULL OR c.starts_at <= now())"
                " AND (c.expires_at IS NULL OR c.expires_at > now())"
                " AND (c.usage_limit IS NULL OR c.times_used < c.usage_limit)"
            )
    return reads.ListQuery("promotions", " AND ".join(conditions), params)


async def promotions(
    info: strawberry.Info[Context, None],
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
    query = _query(tenant_of(info), filter)
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


async def _invoice_problem(db: RequestDb, tenant: str, invoice_id: UUID, *, lock: bool) -> Any:
    invoice = await sql.invoice(db, tenant, invoice_id, lock=lock)
    if invoice is None:
        return Problem("invoiceId", Code.NOT_FOUND, "No such invoice.")
    if invoice["status"] not in EDITABLE_INVOICE:
        return Problem("invoiceId", Code.INVOICE_NOT_EDITABLE, f"The invoice is {invoice['status']}.")
    return invoice


async def validate_promotion(
    info: strawberry.Info[Context, None],
    code: Annotated[str, strawberry.argument(description="The code as typed (case does not matter).")],
    invoice_id: Annotated[strawberry.ID, strawberry.argument(description="Global ID of the invoice.")],
) -> PromotionValidation:
    """Whether the code applies to the invoice now, the discount it would give, and every reason it does not."""
    ctx, tenant = info.context, tenant_of(info)
    invoice_uuid = _uuid(invoice_id, "Invoice", "invoiceId")
    if isinstance(invoice_uuid, Problem):
        return PromotionValidation(
            valid=False, discount_amount=Decimal(0), promotion=None, reasons=_errors([invoice_uuid])
        )
    promotion = await sql.by_code(ctx.db, tenant, code.strip()[:64])
    invoice = await _invoice_problem(ctx.db, tenant, invoice_uuid, lock=False)
    problems = [invoice] if isinstance(invoice, Problem) else []
    if promotion is None:
        problems.insert(0, Problem("code", Code.NOT_FOUND, "The clinic has no promotion with this code."))
    if problems:
        return PromotionValidation(
            valid=False,
            discount_amount=Decimal(0),
            promotion=None if promotion is None else Promotion.from_row(promotion),
            reasons=_errors(problems),
        )
    assert promotion is not None
    verdict = await _judge(ctx.db, tenant, promotion, invoice)
    return PromotionValidation(
        valid=not verdict.reasons,
        discount_amount=verdict.discount,
        promotion=Promotion.from_row(promotion),
        reasons=_errors(verdict.reasons),
    )


def _refused(problems: list[Problem]) -> RedeemPromotionPayload:
    return RedeemPromotionPayload(promotion=None, discount_amount=None, invoice=None, user_errors=_errors(problems))


async def redeem_promotion(info: strawberry.Info[Context, None], input: RedeemArg) -> RedeemPromotionPayload:
    """Apply a code to an invoice atomically: the use is taken by one conditional UPDATE of the promotion
    (limit and window checked on the locked row), recorded, and the invoice discounted, or nothing happens."""
    ctx, tenant = info.context, tenant_of(info)
    invoice_uuid = _uuid(input.invoice_id, "Invoice", "invoiceId")
    if isinstance(invoice_uuid, Problem):
        return _refused([invoice_uuid])
    code = input.code.strip()[:64]

    async def attempt() -> RedeemPromotionPayload:
        invoice = await _invoice_problem(ctx.db, tenant, invoice_uuid, lock=True)
        if isinstance(invoice, Problem):
            return _refused([invoice])
        promotion = await sql.by_code(ctx.db, tenant, code)
        if promotion is None:
            return _refused([Problem("code", Code.NOT_FOUND, "The clinic has no promotion with this code.")])
        taken = await sql.take_use(ctx.db, tenant, promotion["id"])
        if taken is None:  # limit, window or switch: say which
            verdict = await _judge(ctx.db, tenant, promotion, invoice)
            reasons = verdict.reasons or [
                Problem("code", Code.USAGE_LIMIT_REACHED, "This promotion has been used as often as it may be.")
            ]
            return _refused(reasons)
        # Judged on the locked row as it was before this use; every redemption of
        # this promotion updated that row, so the customer's uses counted now are complete.
        verdict = await _judge(ctx.db, tenant, {**taken, "times_used": taken["times_used"] - 1}, invoice)
        if verdict.reasons:
            await ctx.db.close()  # give the use back: nothing is written
            return _refused(verdict.reasons)
        usage = await sql.record_use(ctx.db, tenant, promotion["id"], invoice, verdict.discount)
        if usage is None:
            await ctx.db.close()
            return _refused([Problem("code", Code.ALREADY_APPLIED, "The invoice already has a promotion applied.")])
        updated = await sql.discount_invoice(ctx.db, tenant, invoice_uuid, verdict.discount)
        await ctx.db.commit()
        return RedeemPromotionPayload(
            promotion=Promotion.from_row(taken),
            discount_amount=verdict.discount,
            invoice=InvoiceTotals.from_row(updated),
            user_errors=[],
        )

    return await sql.retrying(ctx.db, attempt)


async def void_invoice(info: strawberry.Info[Context, None], input: VoidArg) -> VoidInvoicePayload:
    """Void an invoice that is not paid; every promotion use on it is voided and given back to its promotion."""
    ctx, tenant = info.context, tenant_of(info)
    invoice_uuid = _uuid(input.invoice_id, "Invoice", "invoiceId")
    if isinstance(invoice_uuid, Problem):
        return VoidInvoicePayload(invoice=None, promotion_uses_returned=0, user_errors=_errors([invoice_uuid]))

    async def attempt() -> VoidInvoicePayload:
        invoice = await sql.invoice(ctx.db, tenant, invoice_uuid, lock=True)
        problem = None
        if invoice is None:
            problem = Problem("invoiceId", Code.NOT_FOUND, "No such invoice.")
        elif invoice["status"] in ("paid", "void"):
            problem = Problem("invoiceId", Code.INVOICE_NOT_EDITABLE, f"The invoice is {invoice['status']}.")
        if problem is not None:
            return VoidInvoicePayload(invoice=None, promotion_uses_returned=0, user_errors=_errors([problem]))
        row, voided = await sql.void_invoice(ctx.db, tenant, invoice_uuid)
        await ctx.db.commit()
        return VoidInvoicePayload(
            invoice=InvoiceTotals.from_row(row), promotion_uses_returned=len(voided), user_errors=[]
        )

    return await sql.retrying(ctx.db, attempt)
