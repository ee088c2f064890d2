"""SQL of scheduling: rooms, room assignments, appointments and recurring series."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import text

from db.reads import Listing, ListQuery
from db.session import RequestDb, Row

LIVE_STATUSES = "('scheduled', 'confirmed', 'checked_in', 'in_progress', 'completed')"


async def clinic(db: RequestDb, tenant: str) -> Row | None:
    return await db.fetch_one(
        text("SELECT timezone, business_hours, appointment_settings FROM tenants WHERE id = :tenant"),
        {"tenant": tenant},
    )


# Rooms -----------------------------------------------------------------------------


def room_list(tenant: str, include_inactive: bool) -> Listing:
    """The clinic's rooms in display order; those out of use only if asked."""
    return Listing(
        "exam_rooms",
        "c.tenant_id = :tenant AND (c.is_active OR :all)",
        {"tenant": tenant, "all": include_inactive},
        "c.display_order, c.name, c.id",
    )


async def insert_room(db: RequestDb, tenant: str, values: Mapping[str, Any]) -> Row | None:
    """The new room; None when the clinic already has a room of that name (any case)."""
    return await db.fetch_one(
        text(
            "INSERT INTO exam_rooms (tenant_id, name, room_type, capacity, equipment, display_order)"
            " VALUES (:tenant, :name, :room_type, :capacity, CAST(:equipment AS text[]), :display_order)"
            " ON CONFLICT (tenant_id, lower(name)) DO NOTHING RETURNING *"
        ),
        {"tenant": tenant, **values},
    )


async def room(db: RequestDb, tenant: str, room_id: UUID, *, lock: bool = False) -> Row | None:
    return await db.fetch_one(
        text(f"SELECT * FROM exam_rooms WHERE tenant_id = :tenant AND id = :id{' FOR UPDATE' if lock else ''}"),
        {"tenant": tenant, "id": room_id},
    )


async def room_name_taken(db: RequestDb, tenant: str, name: str, other_than: UUID) -> bool:
    row = await db.fetch_one(
        text("SELECT 1 FROM exam_rooms WHERE tenant_id = :tenant AND lower(name) = lower(:name) AND id <> :id"),
        {"tenant": tenant, "name": name, "id": other_than},
    )
    return row is not None


ROOM_COLUMNS = {
    "name": "text",
    "room_type": "text",
    "capacity": "int",
    "equipment": "text[]",
    "display_order": "int",
    "is_active": "boolean",
}


async def update_room(db: RequestDb, tenant: str, room_id: UUID, values: Mapping[str, Any]) -> Row | None:
    """Set the given columns (keys of ROOM_COLUMNS only)."""
    sets = ", ".join(f"{c} = CAST(:{c} AS {ROOM_COLUMNS[c]})" for c in values)
    return await db.fetch_one(
        text(f"UPDATE exam_rooms SET {sets} WHERE tenant_id = :tenant AND id = :id RETURNING *"),
        {"tenant": tenant, "id": room_id, **values},
    )


async def room_peak(db: RequestDb, tenant: str, room_id: UUID, start: datetime, end: datetime | None) -> int:
    """Most live appointments in the room at one instant of [start, end)."""
    row = await db.fetch_one(
        text("SELECT vetql.room_peak(:tenant, :room, tstzrange(:start, :end)) AS peak"),
        {"tenant": tenant, "room": room_id, "start": start, "end": end},
    )
    return 0 if row is None else int(row["peak"])


# Room assignments ------------------------------------------------------------------


async def assign(db: RequestDb, tenant: str, appointment: UUID, room_id: UUID, by: UUID) -> None:
    """Capacity is checked by the database (trigger room_assignments_capacity)."""
    await db.fetch(
        text(
            "INSERT INTO room_assignments (tenant_id, appointment_id, room_id, assigned_by)"
            " VALUES (:tenant, :appointment, :room, :by)"
        ),
        {"tenant": tenant, "appointment": appointment, "room": room_id, "by": by},
    )


async def release(db: RequestDb, tenant: str, appointment: UUID) -> bool:
    rows = await db.fetch(
        text(
            "UPDATE room_assignments SET released_at = now() WHERE tenant_id = :tenant"
            " AND appointment_id = :appointment AND released_at IS NULL RETURNING id"
        ),
        {"tenant": tenant, "appointment": appointment},
    )
    return bool(rows)


# Appointments ----------------------------------------------------------------------


def appointment_list_query(
    tenant: str,
    *,
    starts_from: datetime | None = None,
    starts_before: datetime | None = None,
    statuses: Sequence[str] | None = None,
    pet: UUID | None = None,
    room: UUID | None = None,
) -> ListQuery:
    """The clinic's appointments meeting every condition given (RLS: an owner's, their pets')."""
    conditions = ["c.tenant_id = :tenant"]
    params: dict[str, Any] = {"tenant": tenant}
    if starts_from is not None:
        conditions.append("c.start_time >= :starts_from")
        params["starts_from"] = starts_from
    if starts_before is not None:
        conditions.append("c.start_time < :starts_before")
        params["starts_before"] = starts_before
    if statuses:
        conditions.append("c.status = ANY(CAST(:status AS text[]))")
        params["status"] = list(statuses)
    if pet is not None:
        conditions.append("c.pet_id = :pet")
        params["pet"] = pet
    if room is not None:
        conditions.append("c.room_id = :room")
        params["room"] = room
    return ListQuery("appointments", " AND ".join(conditions), params)


async def appointment(db: RequestDb, tenant: str, appointment_id: UUID, *, lock: bool = False) -> Row | None:
    return await db.fetch_one(
        text(f"SELECT * FROM appointments WHERE tenant_id = :tenant AND id = :id{' FOR UPDATE' if lock else ''}"),
        {"tenant": tenant, "id": appointment_id},
    )


async def pet_visible(db: RequestDb, tenant: str, pet: UUID) -> bool:
    row = await db.fetch_one(
        text("SELECT 1 FROM pets WHERE tenant_id = :tenant AND id = :id"), {"tenant": tenant, "id": pet}
    )
    return row is not None


async def staff_role(db: RequestDb, tenant: str, profile: UUID) -> str | None:
    row = await db.fetch_one(
        text("SELECT role FROM profiles WHERE tenant_id = :tenant AND id = :id"), {"tenant": tenant, "id": profile}
    )
    return None if row is None else str(row["role"])


async def service_minutes(db: RequestDb, tenant: str, service: UUID) -> int | None:
    row = await db.fetch_one(
        text("SELECT duration_minutes FROM services WHERE tenant_id = :tenant AND id = :id AND is_active"),
        {"tenant": tenant, "id": service},
    )
    return None if row is None else int(row["duration_minutes"])


async def vet_busy(
    db: RequestDb, tenant: str, vet: UUID, start: datetime, end: datetime, buffer_minutes: int, other_than: UUID | None
) -> bool:
    """The vet has another live appointment within `buffer_minutes` of [start, end)."""
    row = await db.fetch_one(
        text(
            "SELECT 1 FROM appointments WHERE tenant_id = :tenant AND vet_id = :vet"
            f" AND status IN {LIVE_STATUSES} AND id IS DISTINCT FROM :other"
            " AND tstzrange(start_time - make_interval(mins => :buffer), end_time + make_interval(mins => :buffer))"
            " && tstzrange(:start, :end) LIMIT 1"
        ),
        {"tenant": tenant, "vet": vet, "start": start, "end": end, "buffer": buffer_minutes, "other": other_than},
    )
    return row is not None


async def insert_appointment(db: RequestDb, tenant: str, values: Mapping[str, Any]) -> Row | None:
    """The new appointment; None when the vet is booked then (exclusion appointments_vet_no_overlap)."""
    return await db.fetch_one(
        text(
            "INSERT INTO appointments (tenant_id, pet_id, vet_id, service_id, start_time, end_time, status, reason,"
            " notes, created_by, recurrence_id, is_emergency)"
            " SELECT :tenant, p.id, :vet, :service, :start, :end, :status, :reason, :notes, :by, :recurrence,"
            " :emergency"
            " FROM pets p WHERE p.tenant_id = :tenant AND p.id = :pet"
            " ON CONFLICT DO NOTHING RETURNING *"
        ),
        {"tenant": tenant, **values},
    )


async def set_status(db: RequestDb, tenant: str, appointment_id: UUID, status: str) -> Row | None:
    """Flow timestamps and durations are set by the database (trigger appointments_flow)."""
    return await db.fetch_one(
        text("UPDATE appointments SET status = :status WHERE tenant_id = :tenant AND id = :id RETURNING *"),
        {"tenant": tenant, "id": appointment_id, "status": status},
    )


async def move(db: RequestDb, tenant: str, appointment_id: UUID, values: Mapping[str, Any]) -> Row | None:
    """New times (and vet, reason); room assignments follow (trigger appointments_followups)."""
    return await db.fetch_one(
        text(
            "UPDATE appointments SET start_time = :start, end_time = :end, vet_id = :vet, reason = :reason,"
            " is_emergency = :emergency WHERE tenant_id = :tenant AND id = :id RETURNING *"
        ),
        {"tenant": tenant, "id": appointment_id, **values},
    )


# Recurring series ------------------------------------------------------------------


async def insert_recurrence(db: RequestDb, tenant: str, values: Mapping[str, Any]) -> Row | None:
    return await db.fetch_one(
        text(
            "INSERT INTO appointment_recurrence (tenant_id, pet_id, service_id, vet_id, room_id, reason, pattern,"
            " day_of_week, day_of_month, time_of_day, duration_minutes, starts_on, ends_on, max_occurrences,"
            " created_by)"
            " SELECT :tenant, p.id, :service, :vet, :room, :reason, :pattern, :day_of_week, :day_of_month,"
            " :time_of_day, :duration, :starts_on, :ends_on, :max_occurrences, :by"
            " FROM pets p WHERE p.tenant_id = :tenant AND p.id = :pet RETURNING *"
        ),
        {"tenant": tenant, **values},
    )


async def finish_recurrence(
    db: RequestDb, tenant: str, recurrence: UUID, created: int, until: Any, active: bool
) -> Row | None:
    return await db.fetch_one(
        text(
            "UPDATE appointment_recurrence SET occurrences_created = occurrences_created + :created,"
            " materialized_until = :until, is_active = :active"
            " WHERE tenant_id = :tenant AND id = :id RETURNING *"
        ),
        {"tenant": tenant, "id": recurrence, "created": created, "until": until, "active": active},
    )


async def recurrence(db: RequestDb, tenant: str, recurrence_id: UUID) -> Row | None:
    return await db.fetch_one(
        text("SELECT * FROM appointment_recurrence WHERE tenant_id = :tenant AND id = :id"),
        {"tenant": tenant, "id": recurrence_id},
    )


async def cancel_following(db: RequestDb, tenant: str, recurrence_id: UUID, start: datetime) -> list[Row]:
    """Cancel the series' appointments from `start` on that have not begun their visit."""
    rows = await db.fetch(
        text(
            "UPDATE appointments SET status = 'cancelled' WHERE tenant_id = :tenant AND recurrence_id = :id"
            " AND start_time >= :start AND status IN ('scheduled', 'confirmed') RETURNING *"
        ),
        {"tenant": tenant, "id": recurrence_id, "start": start},
    )
    return sorted(rows, key=lambda r: r["start_time"])


async def end_recurrence(db: RequestDb, tenant: str, recurrence_id: UUID, last_day: Any) -> Row | None:
    """The series ends on `last_day` (None: before it began, so it is inactive)."""
    return await db.fetch_one(
        text(
            "UPDATE appointment_recurrence SET ends_on = CASE WHEN CAST(:last AS date) IS NULL THEN ends_on"
            " ELSE least(coalesce(ends_on, CAST(:last AS date)), CAST(:last AS date)) END,"
            " is_active = CAST(:last AS date) IS NOT NULL AND is_active"
            " WHERE tenant_id = :tenant AND id = :id RETURNING *"
        ),
        {"tenant": tenant, "id": recurrence_id, "last": last_day},
    )
