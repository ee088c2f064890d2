"""SQL of the till: the catalogue, invoice settings, invoices and their lines, payments and refunds.

Totals, the IVA breakdown, numbering, the paid amount and the status are the database's
(migration 0020's triggers): these statements write lines and money, then read the
invoice back as the triggers left it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from db import expressions as x
from db.reads import Listing, ListQuery, like_pattern
from db.session import RequestDb, Row

SERVICE_COLUMNS = ("name", "category", "description", "base_price", "duration_minutes", "iva_rate", "is_active")
PRODUCT_COLUMNS = ("name", "sku", "category", "price", "iva_rate", "is_active")
SETTINGS_COLUMNS = (
    "prices_include_iva", "ruc", "legal_name", "timbrado", "timbrado_valid_until", "establishment", "point_of_sale",
)  # fmt: skip
CATALOGUE = {"service": ("services", SERVICE_COLUMNS), "product": ("products", PRODUCT_COLUMNS)}


def catalogue_list(kind: str, tenant: str, search: str | None, active_only: bool) -> Listing:
    """The clinic's services or products by name; only active ones if asked."""
    table, _ = CATALOGUE[kind]
    where = "c.tenant_id = :tenant AND (c.is_active OR NOT :active_only)"
    params: dict[str, Any] = {"tenant": tenant, "active_only": active_only}
    if search:
        where += " AND c.name ILIKE :search"
        params["search"] = like_pattern(search)
    return Listing(table, where, params, "c.name, c.id", limit=500)


async def insert_catalogue(db: RequestDb, kind: str, tenant: str, values: Mapping[str, Any]) -> Row:
    table, columns = CATALOGUE[kind]
    names = ", ".join(columns)
    marks = ", ".join(f":{c}" for c in columns)
    row = await db.fetch_one(
        f"INSERT INTO {table} (tenant_id, {names}) VALUES (:tenant, {marks}) RETURNING *", {"tenant": tenant, **values}
    )
    assert row is not None
    return row


async def catalogue_item(db: RequestDb, kind: str, tenant: str, item: UUID, *, lock: bool = False) -> Row | None:
    table, _ = CATALOGUE[kind]
    return await db.fetch_one(
        f"SELECT * FROM {table} WHERE tenant_id = :tenant AND id = :id" + (" FOR UPDATE" if lock else ""),
        {"tenant": tenant, "id": item},
    )


async def update_catalogue(db: RequestDb, kind: str, tenant: str, item: UUID, values: Mapping[str, Any]) -> Row:
    table, columns = CATALOGUE[kind]
    sets = ", ".join(f"{c} = :{c}" for c in columns)
    row = await db.fetch_one(
        f"UPDATE {table} SET {sets} WHERE tenant_id = :tenant AND id = :id RETURNING *",
        {"tenant": tenant, "id": item, **values},
    )
    assert row is not None
    return row


# --- settings -----------------------------------------------------------------------------------------------------


async def settings(db: RequestDb, tenant: str) -> Row | None:
    return await db.fetch_one("SELECT * FROM invoice_settings WHERE tenant_id = :tenant", {"tenant": tenant})


async def save_settings(db: RequestDb, tenant: str, values: Mapping[str, Any]) -> Row:
    names = ", ".join(SETTINGS_COLUMNS)
    marks = ", ".join(f":{c}" for c in SETTINGS_COLUMNS)
    sets = ", ".join(f"{c} = excluded.{c}" for c in SETTINGS_COLUMNS)
    row = await db.fetch_one(
        f"INSERT INTO invoice_settings (tenant_id, {names}) VALUES (:tenant, {marks})"
        f" ON CONFLICT (tenant_id) DO UPDATE SET {sets} RETURNING *",
        {"tenant": tenant, **values},
    )
    assert row is not None
    return row


# --- invoices -----------------------------------------------------------------------------------------------------


def invoice_query(
    tenant: str, status: str | None, owner: UUID | None, start: date | None, end: date | None
) -> ListQuery:
    """The clinic's invoices (RLS: an owner's own), by status, customer and issue date (`start`..`end` inclusive)."""
    conditions = ["c.tenant_id = :tenant"]
    params: dict[str, Any] = {"tenant": tenant}
    if status is not None:
        conditions.append("c.status = :status")
        params["status"] = status
    if owner is not None:
        conditions.append("c.client_id = :owner")
        params["owner"] = owner
    if start is not None:
        conditions.append("c.issue_date >= :start")
        params["start"] = start
    if end is not None:
        conditions.append("c.issue_date <= :end")
        params["end"] = end
    return ListQuery("invoices", " AND ".join(conditions), params)


_INVOICE = f"SELECT c.*, {x.INVOICE_BALANCE_DUE.select('c')} FROM invoices c WHERE c.tenant_id = :tenant AND c.id = :id"


async def invoice(db: RequestDb, tenant: str, invoice_id: UUID, *, lock: bool = False) -> Row | None:
    return await db.fetch_one(_INVOICE + (" FOR UPDATE OF c" if lock else ""), {"tenant": tenant, "id": invoice_id})


async def customer(db: RequestDb, tenant: str, profile: UUID) -> Row | None:
    return await db.fetch_one(
        "SELECT id, role, full_name FROM profiles WHERE tenant_id = :tenant AND id = :id",
        {"tenant": tenant, "id": profile},
    )


async def pet_owner(db: RequestDb, tenant: str, pet: UUID) -> tuple[bool, UUID | None]:
    """(whether the pet exists, its owner)."""
    row = await db.fetch_one(
        "SELECT owner_id FROM pets WHERE tenant_id = :tenant AND id = :id", {"tenant": tenant, "id": pet}
    )
    return (False, None) if row is None else (True, row["owner_id"])


async def insert_invoice(db: RequestDb, tenant: str, by: UUID, values: Mapping[str, Any]) -> Row:
    row = await db.fetch_one(
        "INSERT INTO invoices (tenant_id, created_by, client_id, pet_id, due_date, client_ruc, client_name, notes)"
        " VALUES (:tenant, :by, :client_id, :pet_id, :due_date, :client_ruc, :client_name, :notes) RETURNING *",
        {"tenant": tenant, "by": by, **values},
    )
    assert row is not None
    return row


async def insert_line(db: RequestDb, tenant: str, invoice_id: UUID, values: Mapping[str, Any]) -> Row:
    row = await db.fetch_one(
        "INSERT INTO invoice_items (tenant_id, invoice_id, item_type, service_id, product_id, description, quantity,"
        " unit_price, line_discount, iva_rate, position) SELECT :tenant, :invoice, :item_type, :service_id,"
        " :product_id, :description, :quantity, :unit_price, :line_discount, :iva_rate, coalesce(max(position), 0) + 1"
        " FROM invoice_items WHERE tenant_id = :tenant AND invoice_id = :invoice RETURNING *",
        {"tenant": tenant, "invoice": invoice_id, **values},
    )
    assert row is not None
    return row


async def line(db: RequestDb, tenant: str, line_id: UUID) -> Row | None:
    return await db.fetch_one(
        "SELECT * FROM invoice_items WHERE tenant_id = :tenant AND id = :id", {"tenant": tenant, "id": line_id}
    )


async def delete_line(db: RequestDb, tenant: str, line_id: UUID) -> None:
    await db.fetch(
        "DELETE FROM invoice_items WHERE tenant_id = :tenant AND id = :id", {"tenant": tenant, "id": line_id}
    )


async def issue(db: RequestDb, tenant: str, invoice_id: UUID, by: UUID, due: date | None) -> Row:
    """Draft -> issued: the trigger numbers it (gap-free) and copies the clinic's RUC and timbrado."""
    row = await db.fetch_one(
        "UPDATE invoices SET status = 'sent', issued_by = :by, due_date = coalesce(:due, due_date)"
        " WHERE tenant_id = :tenant AND id = :id RETURNING *",
        {"tenant": tenant, "id": invoice_id, "by": by, "due": due},
    )
    assert row is not None
    return row


async def allocate_promotion(db: RequestDb, tenant: str, invoice_id: UUID, amount: Decimal, lines: list[UUID]) -> Row:
    """Spread a promotion's discount over its lines (before tax) and read the invoice the triggers recomputed."""
    await db.fetch(
        "SELECT vetql.allocate_promotion(:tenant, :id, :amount, CAST(:lines AS uuid[]))",
        {"tenant": tenant, "id": invoice_id, "amount": amount, "lines": lines},
    )
    row = await invoice(db, tenant, invoice_id)
    assert row is not None
    return row


# --- payments -----------------------------------------------------------------------------------------------------


async def insert_payment(db: RequestDb, tenant: str, by: UUID, invoice_row: Row, values: Mapping[str, Any]) -> Row:
    row = await db.fetch_one(
        "INSERT INTO payments (tenant_id, invoice_id, client_id, method, amount, reference, received_at, received_by)"
        " VALUES (:tenant, :invoice, :client, :method, :amount, :reference, vetql.first_of(:received_at, now()), :by)"
        " RETURNING *",
        {"tenant": tenant, "invoice": invoice_row["id"], "client": invoice_row["client_id"], "by": by, **values},
    )
    assert row is not None
    return row


async def payment(db: RequestDb, tenant: str, payment_id: UUID) -> Row | None:
    return await db.fetch_one(
        "SELECT * FROM payments WHERE tenant_id = :tenant AND id = :id", {"tenant": tenant, "id": payment_id}
    )


async def insert_refund(
    db: RequestDb, tenant: str, by: UUID, payment_row: Row, amount: Decimal, reason: str | None
) -> Row:
    row = await db.fetch_one(
        "INSERT INTO refunds (tenant_id, payment_id, invoice_id, client_id, amount, reason, refunded_by)"
        " VALUES (:tenant, :payment, :invoice, :client, :amount, :reason, :by) RETURNING *",
        {
            "tenant": tenant,
            "payment": payment_row["id"],
            "invoice": payment_row["invoice_id"],
            "client": payment_row["client_id"],
            "amount": amount,
            "reason": reason,
            "by": by,
        },
    )
    assert row is not None
    return row
