"""SQL of patient records: alerts, problems, diagnosis-code search, profiles, clinics, pets, devices.

Column names come from the allow-lists here, never from input; every value is bound.
A write a constraint refuses raises `DbError` naming the constraint; the mutation
skeleton (graph/mutations.py) rolls back and reads the name from the domain's table.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import text

from db.expressions import DEVICE_IS_ACTIVE, PET_NEXT_VISIT_DUE
from db.reads import ACTIVE_ALERT, Listing, like_pattern
from db.session import RequestDb, Row

ALERT_RETURNING = f"c.*, ({ACTIVE_ALERT}) AS active_now"
# A token unused for 270 days is as good as gone: FCM drops it. Judged at read time, no job.
DEVICE_ACTIVE = DEVICE_IS_ACTIVE.sql("c")
DEVICE_COLUMNS = f"c.*, {DEVICE_IS_ACTIVE.select('c')}"

# Columns each mutation may set, with how a value is written ("value", "jsonb",
# "merge": jsonb merged into what is stored, "text[]").
ALERT_SETTABLE = {
    "alert_type": "value",
    "severity": "value",
    "title": "value",
    "message": "value",
    "expires_at": "value",
}
PROBLEM_SETTABLE = {
    "problem_name": "value",
    "diagnosis_code_id": "value",
    "icd_code": "value",
    "onset_date": "value",
    "severity": "value",
    "notes": "value",
    "is_chronic": "value",
}
PROFILE_SETTABLE = {
    "phone": "value",
    "secondary_phone": "value",
    "address_line1": "value",
    "address_line2": "value",
    "city": "value",
    "state": "value",
    "postal_code": "value",
    "country": "value",
    "emergency_contact_name": "value",
    "emergency_contact_phone": "value",
    "preferred_contact_method": "value",
    "communication_preferences": "merge",
    "timezone": "value",
    "locale": "value",
}
CLINIC_SETTABLE = {
    "name": "value",
    "address": "value",
    "city": "value",
    "phone": "value",
    "email": "value",
    "website": "value",
    "timezone": "value",
    "social_links": "jsonb",
    "business_hours": "jsonb",
    "appointment_settings": "merge",
    "notification_settings": "merge",
    "features_enabled": "text[]",
}
PET_SETTABLE = {
    "name": "value",
    "species": "value",
    "breed": "value",
    "sex": "value",
    "is_neutered": "value",
    "date_of_birth": "value",
    "color": "value",
    "microchip_id": "value",
    "weight_kg": "value",
    "primary_vet_id": "value",
    "insurance_policy_id": "value",
    "behavioral_notes": "value",
    "preferred_appointment_time": "value",
}


def _assignments(sets: Mapping[str, Any], allowed: Mapping[str, str]) -> tuple[str, dict[str, Any]]:
    parts, params = [], {}
    for column, value in sets.items():
        kind = allowed[column]  # KeyError: a column outside the allow-list is a bug, not input
        name = f"set_{column}"
        if kind == "jsonb":
            parts.append(f"{column} = CAST(:{name} AS jsonb)")
        elif kind == "merge":
            parts.append(f"{column} = coalesce({column}, '{{}}'::jsonb) || CAST(:{name} AS jsonb)")
        elif kind == "text[]":
            parts.append(f"{column} = CAST(:{name} AS text[])")
        else:
            parts.append(f"{column} = :{name}")
        params[name] = value
    return ", ".join(parts), params


async def _update(
    db: RequestDb,
    table: str,
    key: str,
    key_value: Any,
    tenant_filter: str,
    sets: Mapping[str, Any],
    allowed: Mapping[str, str],
    returning: str = "c.*",
    params: Mapping[str, Any] | None = None,
) -> Row | None:
    """Update one visible row; None when it is missing or hidden. No sets: the row as it is."""
    where = f"c.{key} = :key AND {tenant_filter}"
    all_params = {"key": key_value, **(params or {})}
    if not sets:
        return await db.fetch_one(text(f"SELECT {returning} FROM {table} c WHERE {where}"), all_params)
    assignments, values = _assignments(sets, allowed)
    return await db.fetch_one(
        text(returning_after(f"UPDATE {table} c SET {assignments} WHERE {where}", returning)),
        {**all_params, **values},
    )


def returning_after(write: str, columns: str) -> str:
    """`write` (a statement on alias `c`) and then `columns` of the rows it wrote. Through a CTE, not
    RETURNING, when the columns use now(): Citus refuses a non-immutable function in RETURNING."""
    if "now()" not in columns:
        return f"{write} RETURNING {columns}"
    return f"WITH c AS ({write} RETURNING c.*) SELECT {columns} FROM c"


# -- alerts ---------------------------------------------------------------------------------------


async def insert_alert(db: RequestDb, tenant: str, pet: UUID, values: Mapping[str, Any]) -> Row | None:
    """A new alert on a visible pet of the clinic; None when the pet is missing or hidden."""
    return await db.fetch_one(
        text(
            returning_after(
                "INSERT INTO patient_alerts AS c (tenant_id, pet_id, alert_type, severity, title, message,"
                " expires_at, created_by) SELECT p.tenant_id, p.id, :alert_type, :severity, :title, :message,"
                " :expires_at, vetql.user_id() FROM pets p WHERE p.tenant_id = :tenant AND p.id = :pet",
                ALERT_RETURNING,
            )
        ),
        {"tenant": tenant, "pet": pet, **values},
    )


async def update_alert(db: RequestDb, tenant: str, alert: UUID, sets: Mapping[str, Any]) -> Row | None:
    return await _update(
        db,
        "patient_alerts",
        "id",
        alert,
        "c.tenant_id = :tenant",
        sets,
        ALERT_SETTABLE,
        ALERT_RETURNING,
        {"tenant": tenant},
    )


async def deactivate_alert(db: RequestDb, tenant: str, alert: UUID) -> Row | None:
    return await db.fetch_one(
        text(
            returning_after(
                "UPDATE patient_alerts c SET is_active = false WHERE c.tenant_id = :tenant AND c.id = :id",
                ALERT_RETURNING,
            )
        ),
        {"tenant": tenant, "id": alert},
    )


# -- problems and diagnosis codes ------------------------------------------------------------------


async def diagnosis_code(db: RequestDb, code: UUID) -> Row | None:
    return await db.fetch_one(text("SELECT * FROM diagnosis_codes WHERE id = :id AND is_active"), {"id": code})


def diagnosis_code_search(search: str, first: int) -> Listing:
    """Codes whose term or code contains the text, or whose term is like it (trigram); best first."""
    return Listing(
        "diagnosis_codes",
        "c.is_active AND (c.term ILIKE :pattern OR c.code ILIKE :pattern OR similarity(c.term, :search) > 0.3)",
        {"search": search, "pattern": like_pattern(search), "prefix": like_pattern(search)[1:]},
        "(lower(c.code) = lower(:search)) DESC, (c.term ILIKE :prefix) DESC, similarity(c.term, :search) DESC,"
        " c.term, c.id",
        limit=first,
    )


async def insert_problem(db: RequestDb, tenant: str, pet: UUID, values: Mapping[str, Any]) -> Row | None:
    """A new problem-list entry on a visible pet; None when the pet is missing or hidden.

    A second active entry for the same pet and code is refused by the partial
    unique index `patient_problems_active_code_key`, also between concurrent requests.
    """
    return await db.fetch_one(
        text(
            "INSERT INTO patient_problems AS c (tenant_id, pet_id, problem_name, diagnosis_code_id, icd_code,"
            " onset_date, is_chronic, severity, notes, created_by)"
            " SELECT p.tenant_id, p.id, :problem_name, :diagnosis_code_id, :icd_code, :onset_date, :is_chronic,"
            " :severity, :notes, (SELECT vetql.user_id()) FROM pets p WHERE p.tenant_id = :tenant AND p.id = :pet"
            " RETURNING c.*"
        ),
        {"tenant": tenant, "pet": pet, **values},
    )


async def problem_for_update(db: RequestDb, tenant: str, problem: UUID) -> Row | None:
    return await db.fetch_one(
        text("SELECT * FROM patient_problems WHERE tenant_id = :tenant AND id = :id FOR UPDATE"),
        {"tenant": tenant, "id": problem},
    )


async def update_problem(db: RequestDb, tenant: str, problem: UUID, sets: Mapping[str, Any]) -> Row | None:
    return await _update(
        db,
        "patient_problems",
        "id",
        problem,
        "c.tenant_id = :tenant",
        sets,
        PROBLEM_SETTABLE,
        "c.*",
        {"tenant": tenant},
    )


async def clinic_today(db: RequestDb, tenant: str) -> date:
    """Today's date where the clinic is."""
    row = await db.fetch_one(
        text("SELECT (now() AT TIME ZONE timezone)::date AS today FROM tenants WHERE id = :tenant"), {"tenant": tenant}
    )
    assert row is not None  # the caller's own clinic is always visible to its members
    today: date = row["today"]
    return today


async def resolve_problem(
    db: RequestDb, tenant: str, problem: UUID, resolved: date, notes: str | None
) -> Row | None:
    return await db.fetch_one(
        text(
            "UPDATE patient_problems c SET is_active = false, resolved_date = :resolved,"
            " notes = coalesce(:notes, c.notes) WHERE c.tenant_id = :tenant AND c.id = :id RETURNING c.*"
        ),
        {"tenant": tenant, "id": problem, "resolved": resolved, "notes": notes},
    )


# -- profiles, clinics, pets -------------------------------------------------------------------------


async def update_profile(db: RequestDb, tenant: str, profile: UUID, sets: Mapping[str, Any]) -> Row | None:
    return await _update(
        db, "profiles", "id", profile, "c.tenant_id = :tenant", sets, PROFILE_SETTABLE, "c.*", {"tenant": tenant}
    )


async def update_clinic(db: RequestDb, tenant: str, sets: Mapping[str, Any]) -> Row | None:
    return await _update(db, "tenants", "id", tenant, "TRUE", sets, CLINIC_SETTABLE)


async def update_pet(db: RequestDb, tenant: str, pet: UUID, sets: Mapping[str, Any]) -> Row | None:
    columns = f"c.*, {PET_NEXT_VISIT_DUE.select('c')}"  # what is due is computed (migration 0026)
    tenant_only = {"tenant": tenant}
    return await _update(db, "pets", "id", pet, "c.tenant_id = :tenant", sets, PET_SETTABLE, columns, tenant_only)


# -- devices ------------------------------------------------------------------------------------------


async def register_device(db: RequestDb, values: Mapping[str, Any]) -> Row | None:
    """Upsert the caller's device by (clinic, token) in one statement; a token of another user moves to the caller.

    Under READ COMMITTED, ON CONFLICT DO UPDATE waits for a racing registration of the
    same token and then updates the row it committed: no retry of its own is needed.
    """
    return await db.fetch_one(
        text(
            f"SELECT {DEVICE_COLUMNS} FROM vetql.register_device(:fcm_token, :device_type, :device_name,"
            " :device_model, :os_version, :app_version) c"
        ),
        values,
    )


async def touch_device(db: RequestDb, tenant: str, device: UUID) -> Row | None:
    return await db.fetch_one(
        text(
            returning_after(
                "UPDATE user_devices c SET last_used_at = now() WHERE c.tenant_id = :tenant AND c.id = :id",
                DEVICE_COLUMNS,
            )
        ),
        {"tenant": tenant, "id": device},
    )


async def deactivate_device(db: RequestDb, tenant: str, device: UUID) -> Row | None:
    return await db.fetch_one(
        text(
            returning_after(
                "UPDATE user_devices c SET is_active = false WHERE c.tenant_id = :tenant AND c.id = :id",
                DEVICE_COLUMNS,
            )
        ),
        {"tenant": tenant, "id": device},
    )


def my_device_list(tenant: str, active_only: bool, limit: int) -> Listing:
    """The caller's devices (RLS: a user sees only their own), most recently used first."""
    return Listing(
        "user_devices",
        f"c.tenant_id = :tenant AND c.user_id = (SELECT vetql.user_id()) AND (NOT :active_only OR ({DEVICE_ACTIVE}))",
        {"tenant": tenant, "active_only": active_only},
        "c.last_used_at DESC, c.id",
        limit=limit,
    )
