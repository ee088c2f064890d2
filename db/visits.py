"""SQL of visit notes, their addenda and administered vaccines."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from db import expressions as x
from db.reads import ListQuery
from db.session import RequestDb, Row

RECORD_COLUMNS = (
    "title", "subjective", "objective", "weight_kg", "temperature_c", "heart_rate", "respiratory_rate",
    "assessment", "problem_ids", "plan", "notes",
)  # fmt: skip
_RECORD = (
    f"SELECT c.*, {x.RECORD_IS_SIGNED.select('c')} FROM medical_records c WHERE c.tenant_id = :tenant AND c.id = :id"
)
# The clinic's today read from tenants (a reference table on Citus, so a worker reads it beside the
# clinic's shard); vetql.clinic_date() would be a function reading a table inside a shard's query.
_TODAY = "(SELECT (now() AT TIME ZONE t.timezone)::date FROM tenants t WHERE t.id = :tenant)"


async def record(db: RequestDb, tenant: str, record_id: UUID, *, lock: bool = False) -> Row | None:
    return await db.fetch_one(_RECORD + (" FOR UPDATE OF c" if lock else ""), {"tenant": tenant, "id": record_id})


async def appointment_pet(db: RequestDb, tenant: str, appointment: UUID) -> tuple[bool, UUID | None]:
    row = await db.fetch_one(
        "SELECT pet_id FROM appointments WHERE tenant_id = :tenant AND id = :id", {"tenant": tenant, "id": appointment}
    )
    return (False, None) if row is None else (True, row["pet_id"])


async def pet_exists(db: RequestDb, tenant: str, pet: UUID) -> bool:
    row = await db.fetch_one("SELECT 1 FROM pets WHERE tenant_id = :tenant AND id = :id", {"tenant": tenant, "id": pet})
    return row is not None


async def staff_member(db: RequestDb, tenant: str, profile: UUID) -> bool:
    row = await db.fetch_one(
        "SELECT 1 FROM profiles WHERE tenant_id = :tenant AND id = :id AND role IN ('vet', 'admin')",
        {"tenant": tenant, "id": profile},
    )
    return row is not None


async def insert_record(db: RequestDb, tenant: str, by: UUID, values: Mapping[str, Any], sign: bool) -> UUID:
    names = ", ".join(RECORD_COLUMNS)
    marks = ", ".join(f":{c}" for c in RECORD_COLUMNS)
    row = await db.fetch_one(
        f"INSERT INTO medical_records (tenant_id, vet_id, pet_id, appointment_id, record_type, visit_date,"
        f" diagnosis_code_id, signed_at, signed_by, {names}) VALUES (:tenant, :by, :pet_id, :appointment_id,"
        f" :record_type, vetql.clinic_date(:tenant, :visit_date), :diagnosis_code_id,"
        f" vetql.if_then(:sign, now()), CASE WHEN :sign THEN CAST(:by AS uuid) END, {marks}) RETURNING id",
        {"tenant": tenant, "by": by, "sign": sign, **values},
    )
    assert row is not None
    return UUID(str(row["id"]))


async def update_record(db: RequestDb, tenant: str, record_id: UUID, values: Mapping[str, Any]) -> None:
    sets = ", ".join(f"{c} = :{c}" for c in RECORD_COLUMNS)
    await db.fetch(
        f"UPDATE medical_records SET {sets} WHERE tenant_id = :tenant AND id = :id RETURNING id",
        {"tenant": tenant, "id": record_id, **values},
    )


async def sign(db: RequestDb, tenant: str, record_id: UUID, by: UUID) -> None:
    await db.fetch(
        "UPDATE medical_records SET signed_at = now(), signed_by = :by WHERE tenant_id = :tenant AND id = :id"
        " RETURNING id",
        {"tenant": tenant, "id": record_id, "by": by},
    )


async def add_addendum(db: RequestDb, tenant: str, record_id: UUID, by: UUID, body: str) -> None:
    await db.fetch(
        "INSERT INTO medical_record_addenda (tenant_id, record_id, body, created_by) VALUES (:tenant, :id, :body, :by)"
        " RETURNING id",
        {"tenant": tenant, "id": record_id, "body": body, "by": by},
    )


async def product(db: RequestDb, tenant: str, product_id: UUID) -> Row | None:
    return await db.fetch_one(
        "SELECT id, name FROM products WHERE tenant_id = :tenant AND id = :id", {"tenant": tenant, "id": product_id}
    )


async def insert_vaccine(db: RequestDb, tenant: str, values: Mapping[str, Any]) -> Row:
    row = await db.fetch_one(
        "INSERT INTO vaccines (tenant_id, pet_id, name, product_id, manufacturer, batch_number, lot_expiry, dose,"
        " route,"
        " site, administered_date, next_dose_date, administered_by, medical_record_id, notes) VALUES (:tenant,"
        " :pet_id, :name, :product_id, :manufacturer, :lot, :lot_expiry, :dose, :route, :site, :administered_date,"
        " :next_dose_date, :administered_by, :medical_record_id, :notes) RETURNING *",
        {"tenant": tenant, **values},
    )
    assert row is not None
    return row


def upcoming_query(tenant: str, within_days: int, pet: UUID | None) -> ListQuery:
    """Vaccines whose next dose falls due from the clinic's today to `within_days` after it
    (a range on idx_vaccines_upcoming: tenant_id, next_dose_date)."""
    where = (
        f"c.tenant_id = :tenant AND c.next_dose_date IS NOT NULL AND c.next_dose_date >= {_TODAY}"
        f" AND c.next_dose_date <= {_TODAY} + CAST(:within AS int)"
    )
    params: dict[str, Any] = {"tenant": tenant, "within": within_days}
    if pet is not None:
        where += " AND c.pet_id = :pet"
        params["pet"] = pet
    return ListQuery("vaccines", where, params)
