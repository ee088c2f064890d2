"""SQL of the front desk: owners and patients registered, edited, archived; pets' deaths; the search.

Column names come from the allow-lists here, never from input; every value is bound.
A write a constraint refuses raises `DbError` naming it (domain/front_desk/errors.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from uuid import UUID

from db.expressions import PET_NEXT_VISIT_DUE
from db.reads import ListQuery, like_pattern
from db.session import RequestDb, Row

OWNER_SETTABLE = (
    "full_name", "document_type", "document_number", "email", "phone", "secondary_phone", "address_line1",
    "address_line2", "city", "state", "postal_code", "country", "emergency_contact_name", "emergency_contact_phone",
    "preferred_contact_method", "communication_preferences", "timezone", "locale",
)  # fmt: skip
PET_SETTABLE = (
    "name", "species", "breed", "sex", "is_neutered", "date_of_birth", "color", "microchip_id", "weight_kg",
    "primary_vet_id", "insurance_policy_id", "behavioral_notes", "preferred_appointment_time",
)  # fmt: skip
_JSONB = {"communication_preferences"}
PET_COLUMNS = f"c.*, {PET_NEXT_VISIT_DUE.select('c')}"  # a pet as the API shows it (what is due is computed)
# A new pet has nothing booked nor vaccinated yet (their rows need it first); and Citus refuses a
# subquery in an INSERT's RETURNING.
_NEW_PET = f"c.*, CAST(NULL AS date) AS {PET_NEXT_VISIT_DUE.name}"


def _value(column: str) -> str:
    return f"CAST(:{column} AS jsonb)" if column in _JSONB else f":{column}"


def _sets(values: Mapping[str, Any], allowed: tuple[str, ...]) -> tuple[str, dict[str, Any]]:
    parts = []
    for column in values:
        assert column in allowed, column  # a column outside the allow-list is a bug, not input
        if column in _JSONB:
            parts.append(f"{column} = coalesce({column}, '{{}}'::jsonb) || {_value(column)}")
        else:
            parts.append(f"{column} = {_value(column)}")
    return ", ".join(parts), dict(values)


# -- owners ----------------------------------------------------------------------------------------------


async def insert_owner(db: RequestDb, tenant: str, values: Mapping[str, Any], *, id: UUID | None = None) -> Row:
    """A new client; `id` only for a loader that keeps its ids (the demo), else the database's."""
    for column in values:
        assert column in OWNER_SETTABLE, column
    columns = ", ".join(values)
    given = ", ".join(_value(c) for c in values)
    row = await db.fetch_one(
        f"INSERT INTO profiles AS c (tenant_id, id, role, {columns})"
        f" VALUES (:tenant, vetql.given_or_new_id(CAST(:id AS uuid)), 'owner', {given}) RETURNING c.*",
        {"tenant": tenant, "id": id, **values},
    )
    assert row is not None
    return row


async def update_owner(db: RequestDb, tenant: str, owner: UUID, values: Mapping[str, Any]) -> Row | None:
    """Edit an owner of the clinic (not staff); None when missing or another clinic's."""
    where = "c.tenant_id = :tenant AND c.id = :id AND c.role = 'owner'"
    if not values:
        return await db.fetch_one(f"SELECT c.* FROM profiles c WHERE {where}", {"tenant": tenant, "id": owner})
    assignments, params = _sets(values, OWNER_SETTABLE)
    return await db.fetch_one(
        f"UPDATE profiles c SET {assignments}, updated_at = now() WHERE {where} RETURNING c.*",
        {"tenant": tenant, "id": owner, **params},
    )


async def set_owner_archived(db: RequestDb, tenant: str, owner: UUID, archived: bool) -> Row | None:
    """Archive (kept, hidden by default) or restore an owner; an archived one keeps its first archive time."""
    value = "vetql.first_of(c.archived_at, now())" if archived else "NULL"
    return await db.fetch_one(
        f"UPDATE profiles c SET archived_at = {value} WHERE c.tenant_id = :tenant AND c.id = :id"
        " AND c.role = 'owner' RETURNING c.*",
        {"tenant": tenant, "id": owner},
    )


async def owner_state(db: RequestDb, tenant: str, owner: UUID) -> Row | None:
    """Whether an owner of the clinic exists and is archived (locked against a concurrent archive)."""
    return await db.fetch_one(
        "SELECT c.id, c.archived_at FROM profiles c WHERE c.tenant_id = :tenant AND c.id = :id AND c.role = 'owner'"
        " FOR SHARE",
        {"tenant": tenant, "id": owner},
    )


# Each way of matching is its own branch on its own index (document, phones, e-mail, folded name),
# run by vetql.owner_candidates / vetql.pet_candidates (migration 0016: trigram operators are not
# LEAKPROOF, so under RLS they could not use an index); the rows are then read under RLS. The ids
# are found by a statement of their own: on Citus a function that reads distributed tables may
# not run inside a statement already sent to a worker.
_OWNER_MATCH = "c.id = ANY (CAST(:owner_ids AS uuid[]))"
_OWNER_SCORE = (
    "greatest(CASE WHEN c.document_number = :doc OR c.phone = :phone OR c.secondary_phone = :phone"
    " OR lower(c.email) = lower(:search) THEN 1.0 ELSE 0.0 END,"
    " CASE WHEN lower(c.email) LIKE lower(:pattern) THEN 0.7 ELSE 0.0 END,"
    " word_similarity(:folded, c.full_name_folded))"
)


async def search_terms(db: RequestDb, search: str, phone: str | None, doc: str) -> dict[str, Any]:
    """What an owner search needs, in one statement: the text and its LIKE pattern folded as the stored
    names are (vetql.fold), as plain parameters (a statement that sees them as values can plan the
    trigram indexes), the phone in E.164 (if the text is one), the text as a document, and the ids of
    the owners that match."""
    pattern = like_pattern(search)
    row = await db.fetch_one(
        "SELECT f.folded, f.folded_pattern,"
        " ARRAY(SELECT vetql.owner_candidates(f.folded, f.folded_pattern, :pattern, :doc, :phone)) AS owner_ids"
        " FROM (SELECT vetql.fold(:search) AS folded, vetql.fold(:pattern) AS folded_pattern) f",
        {"search": search, "pattern": pattern, "doc": doc, "phone": phone},
    )
    assert row is not None
    return {
        "search": search, "pattern": pattern, "phone": phone, "doc": doc,
        "folded": row["folded"], "folded_pattern": row["folded_pattern"], "owner_ids": list(row["owner_ids"]),
    }  # fmt: skip


def owner_list_query(tenant: str, *, search: dict[str, Any] | None = None, include_archived: bool = False) -> ListQuery:
    """The clinic's owners (not staff), archived ones only when asked; `search` from search_terms."""
    conditions = ["c.tenant_id = :tenant", "c.role = 'owner'"]
    params: dict[str, Any] = {"tenant": tenant}
    if not include_archived:
        conditions.append("c.archived_at IS NULL")
    if search is not None:
        conditions.append(_OWNER_MATCH)
        params.update(search)
    return ListQuery("profiles", " AND ".join(conditions), params)


async def search_owners(db: RequestDb, tenant: str, search: dict[str, Any], limit: int) -> list[Row]:
    """Owners matching by document, phone (E.164), e-mail or name (accents and case ignored), best first;
    `search` from search_terms."""
    query = owner_list_query(tenant, search=search)
    rows = await db.fetch(
        f"SELECT c.*, {_OWNER_SCORE} AS _score FROM profiles c WHERE {query.where}"
        " ORDER BY _score DESC, similarity(:folded, c.full_name_folded) DESC, c.full_name, c.id"
        " LIMIT :limit",
        {**query.params, "limit": limit},
    )
    return list(rows)


async def search_pets(db: RequestDb, tenant: str, search: dict[str, Any], chip: str, limit: int) -> list[Row]:
    """Patients matching by microchip or name (accents and case ignored), best first; archived ones left out."""
    found = await db.fetch_one(
        "SELECT ARRAY(SELECT vetql.pet_candidates(:folded, :folded_pattern, :chip)) AS ids",
        {"folded": search["folded"], "folded_pattern": search["folded_pattern"], "chip": chip},
    )
    assert found is not None
    rows = await db.fetch(
        f"SELECT {PET_COLUMNS}, greatest(CASE WHEN c.microchip_id = :chip THEN 1.0 ELSE 0.0 END,"
        " word_similarity(:folded, c.name_folded)) AS _score FROM pets c"
        " WHERE c.tenant_id = :tenant AND c.archived_at IS NULL AND c.id = ANY (CAST(:ids AS uuid[]))"
        " ORDER BY _score DESC, similarity(:folded, c.name_folded) DESC, c.name, c.id"
        " LIMIT :limit",
        {"tenant": tenant, "chip": chip, "limit": limit, "folded": search["folded"], "ids": list(found["ids"])},
    )
    return list(rows)


# -- pets -----------------------------------------------------------------------------------------------


async def insert_pet(
    db: RequestDb, tenant: str, owner: UUID, values: Mapping[str, Any], *, id: UUID | None = None
) -> Row:
    """A new patient; `id` only for a loader that keeps its ids (the demo), else the database's."""
    for column in values:
        assert column in PET_SETTABLE, column
    columns = "".join(f", {c}" for c in values)
    given = "".join(f", {_value(c)}" for c in values)
    row = await db.fetch_one(
        f"INSERT INTO pets AS c (tenant_id, id, owner_id{columns})"
        f" VALUES (:tenant, vetql.given_or_new_id(CAST(:id AS uuid)), :owner{given}) RETURNING {_NEW_PET}",
        {"tenant": tenant, "id": id, "owner": owner, **values},
    )
    assert row is not None
    return row


async def pet_for_update(db: RequestDb, tenant: str, pet: UUID) -> Row | None:
    return await db.fetch_one(
        "SELECT c.* FROM pets c WHERE c.tenant_id = :tenant AND c.id = :id FOR UPDATE", {"tenant": tenant, "id": pet}
    )


async def update_pet(db: RequestDb, tenant: str, pet: UUID, values: Mapping[str, Any]) -> Row | None:
    where = "c.tenant_id = :tenant AND c.id = :id"
    if not values:
        return await db.fetch_one(f"SELECT {PET_COLUMNS} FROM pets c WHERE {where}", {"tenant": tenant, "id": pet})
    assignments, params = _sets(values, PET_SETTABLE)
    return await db.fetch_one(
        f"UPDATE pets c SET {assignments}, updated_at = now() WHERE {where} RETURNING {PET_COLUMNS}",
        {"tenant": tenant, "id": pet, **params},
    )


async def transfer_pet(db: RequestDb, tenant: str, pet: UUID, owner: UUID) -> Row | None:
    return await db.fetch_one(
        "UPDATE pets c SET owner_id = :owner, updated_at = now() WHERE c.tenant_id = :tenant AND c.id = :id"
        f" RETURNING {PET_COLUMNS}",
        {"tenant": tenant, "id": pet, "owner": owner},
    )


async def mark_deceased(db: RequestDb, tenant: str, pet: UUID, on: date, cause: str | None) -> Row | None:
    """The pet has died; the database cancels its future visits and ends its series (vetql.pet_died)."""
    return await db.fetch_one(
        "UPDATE pets c SET is_deceased = true, deceased_on = :on, cause_of_death = :cause, updated_at = now()"
        f" WHERE c.tenant_id = :tenant AND c.id = :id RETURNING {PET_COLUMNS}",
        {"tenant": tenant, "id": pet, "on": on, "cause": cause},
    )


async def set_pet_archived(db: RequestDb, tenant: str, pet: UUID, archived: bool) -> Row | None:
    value = "vetql.first_of(c.archived_at, now())" if archived else "NULL"
    return await db.fetch_one(
        f"UPDATE pets c SET archived_at = {value}, updated_at = now() WHERE c.tenant_id = :tenant AND c.id = :id"
        f" RETURNING {PET_COLUMNS}",
        {"tenant": tenant, "id": pet},
    )


async def clinic_today(db: RequestDb, tenant: str) -> date:
    """Today where the clinic is."""
    row = await db.fetch_one(
        "SELECT (now() AT TIME ZONE timezone)::date AS today FROM tenants WHERE id = :tenant", {"tenant": tenant}
    )
    assert row is not None
    today: date = row["today"]
    return today
