"""SQL of promotions: codes, redemption against an invoice, and giving a use back."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import text

from db.reads import ListQuery, like_pattern
from db.session import RequestDb, Row

COLUMNS = (
    "code",
    "name",
    "description",
    "discount_type",
    "discount_value",
    "minimum_purchase",
    "maximum_discount",
    "applies_to",
    "applicable_items",
    "usage_limit",
    "usage_per_customer",
    "starts_at",
    "expires_at",
    "is_active",
)

_INSERT = text(
    "INSERT INTO promotions (tenant_id, created_by, code, name, description, discount_type, discount_value,"
    " minimum_purchase, maximum_discount, applies_to, applicable_items, usage_limit, usage_per_customer,"
    " starts_at, expires_at, is_active)"
    " VALUES (:tenant, :by, :code, :name, :description, :discount_type, :discount_value, :minimum_purchase,"
    " :maximum_discount, :applies_to, CAST(:applicable_items AS uuid[]), :usage_limit, :usage_per_customer,"
    " :starts_at, :expires_at, :is_active) RETURNING *"
)
_UPDATE = text(
    "UPDATE promotions SET code = :code, name = :name, description = :description, discount_type = :discount_type,"
    " discount_value = :discount_value, minimum_purchase = :minimum_purchase, maximum_discount = :maximum_discount,"
    " applies_to = :applies_to, applicable_items = CAST(:applicable_items AS uuid[]), usage_limit = :usage_limit,"
    " usage_per_customer = :usage_per_customer, starts_at = :starts_at, expires_at = :expires_at,"
    " is_active = :is_active WHERE tenant_id = :tenant AND id = :id RETURNING *"
)


async def insert(db: RequestDb, tenant: str, by: UUID, values: Mapping[str, Any]) -> Row:
    row = await db.fetch_one(_INSERT, {"tenant": tenant, "by": by, **values})
    assert row is not None
    return row


async def for_update(db: RequestDb, tenant: str, promotion: UUID) -> Row | None:
    return await db.fetch_one(
        text("SELECT * FROM promotions WHERE tenant_id = :tenant AND id = :id FOR UPDATE"),
        {"tenant": tenant, "id": promotion},
    )


async def update(db: RequestDb, tenant: str, promotion: UUID, values: Mapping[str, Any]) -> Row | None:
    return await db.fetch_one(_UPDATE, {"tenant": tenant, "id": promotion, **values})


async def by_code(db: RequestDb, tenant: str, code: str) -> Row | None:
    return await db.fetch_one(
        text("SELECT * FROM promotions WHERE tenant_id = :tenant AND lower(code) = lower(:code)"),
        {"tenant": tenant, "code": code},
    )


async def invoice(db: RequestDb, tenant: str, invoice_id: UUID, *, lock: bool) -> Row | None:
    return await db.fetch_one(
        text("SELECT * FROM invoices WHERE tenant_id = :tenant AND id = :id" + (" FOR UPDATE" if lock else "")),
        {"tenant": tenant, "id": invoice_id},
    )


async def invoice_items(db: RequestDb, tenant: str, invoice_id: UUID) -> list[Row]:
    rows = await db.fetch(
        text("SELECT * FROM invoice_items WHERE tenant_id = :tenant AND invoice_id = :id"),
        {"tenant": tenant, "id": invoice_id},
    )
    return list(rows)


async def usage_facts(db: RequestDb, tenant: str, promotion: UUID, invoice_row: Row) -> tuple[int, bool]:
    """(uses of this promotion by the invoice's customer, whether the invoice has any promotion), both live."""
    row = await db.fetch_one(
        text(
            "SELECT"
            " (SELECT count(*) FROM promotion_usage WHERE tenant_id = :tenant AND promotion_id = :promotion"
            "   AND customer_id = :customer AND voided_at IS NULL) AS customer_uses,"
            " EXISTS (SELECT 1 FROM promotion_usage WHERE tenant_id = :tenant AND invoice_id = :invoice"
            "   AND voided_at IS NULL) AS invoice_has_promotion"
        ),
        {"tenant": tenant, "promotion": promotion, "customer": invoice_row["client_id"], "invoice": invoice_row["id"]},
    )
    assert row is not None
    return int(row["customer_uses"]), bool(row["invoice_has_promotion"])


# One statement takes a use: it locks the promotion row and checks the limit
# and the window on the row as it is after any concurrent redemption.
_TAKE_USE = text(
    "UPDATE promotions SET times_used = times_used + 1"
    " WHERE tenant_id = :tenant AND id = :id AND is_active"
    " AND (usage_limit IS NULL OR times_used < usage_limit)"
    " AND (starts_at IS NULL OR starts_at <= now()) AND (expires_at IS NULL OR expires_at > now())"
    " RETURNING *"
)


async def take_use(db: RequestDb, tenant: str, promotion: UUID) -> Row | None:
    return await db.fetch_one(_TAKE_USE, {"tenant": tenant, "id": promotion})


async def record_use(
    db: RequestDb, tenant: str, promotion: UUID, invoice_row: Row, amount: Decimal
) -> Row | None:
    """The usage row; None when the invoice got a promotion meanwhile (one per invoice, by unique index)."""
    return await db.fetch_one(
        text(
            "INSERT INTO promotion_usage (tenant_id, promotion_id, invoice_id, customer_id, discount_amount)"
            " VALUES (:tenant, :promotion, :invoice, :customer, :amount)"
            " ON CONFLICT (tenant_id, invoice_id) WHERE voided_at IS NULL DO NOTHING RETURNING *"
        ),
        {
            "tenant": tenant,
            "promotion": promotion,
            "invoice": invoice_row["id"],
            "customer": invoice_row["client_id"],
            "amount": amount,
        },
    )


async def void_invoice(db: RequestDb, tenant: str, invoice_id: UUID) -> tuple[Row, list[Row]]:
    """Void the (locked) invoice, void its promotion uses and give each use back to its promotion."""
    row = await db.fetch_one(
        text("UPDATE invoices SET status = 'void' WHERE tenant_id = :tenant AND id = :id RETURNING *"),
        {"tenant": tenant, "id": invoice_id},
    )
    assert row is not None
    voided = await db.fetch(
        text(
            "WITH voided AS ("
            "  UPDATE promotion_usage SET voided_at = now()"
            "  WHERE tenant_id = :tenant AND invoice_id = :id AND voided_at IS NULL RETURNING *"
            "), given_back AS ("
            "  UPDATE promotions p SET times_used = p.times_used - v.n"
            "  FROM (SELECT promotion_id, count(*) AS n FROM voided GROUP BY 1) v"
            "  WHERE p.tenant_id = :tenant AND p.id = v.promotion_id"
            ") SELECT * FROM voided"
        ),
        {"tenant": tenant, "id": invoice_id},
    )
    return row, list(voided)


async def usage_by_invoice(db: RequestDb, tenant: str, invoice_id: UUID) -> Row | None:
    return await db.fetch_one(
        text(
            "SELECT * FROM promotion_usage WHERE tenant_id = :tenant AND invoice_id = :id ORDER BY used_at DESC LIMIT 1"
        ),
        {"tenant": tenant, "id": invoice_id},
    )


# Switched on, within its window and not used up: what `activeOnly` lists.
_ACTIVE_NOW = (
    "c.is_active AND (c.starts_at IS NULL OR c.starts_at <= now())"
    " AND (c.expires_at IS NULL OR c.expires_at > now())"
    " AND (c.usage_limit IS NULL OR c.times_used < c.usage_limit)"
)


def list_query(tenant: str, search: str | None, active_only: bool) -> ListQuery:
    """The clinic's promotions whose code or name contains `search`, only those active now if asked."""
    conditions = ["c.tenant_id = :tenant"]
    params: dict[str, Any] = {"tenant": tenant}
    if search:
        conditions.append("(c.code ILIKE :search OR c.name ILIKE :search)")
        params["search"] = like_pattern(search)
    if active_only:
        conditions.append(_ACTIVE_NOW)
    return ListQuery("promotions", " AND ".join(conditions), params)
