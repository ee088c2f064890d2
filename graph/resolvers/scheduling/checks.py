"""What scheduling mutations check before they write: the caller, IDs, text, the clinic's hours, vet, room, visit."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID
from zoneinfo import ZoneInfo

import strawberry

from db import scheduling as sql
from db.session import Row
from domain.scheduling.errors import SchedulingErrorCode as Code
from domain.scheduling.rules import Hours, Problem, Settings, parse_hours
from graph.context import Context
from graph.errors import Forbidden
from graph.resolvers.user_errors import global_uuid

Info = strawberry.Info[Context, None]

MAX_REASON = 500
MAX_NOTES = 2000
VET_BOOKED = Problem("vetId", Code.VET_UNAVAILABLE, "The vet is booked at that time.")
ROOM_NAME_TAKEN = Problem("name", Code.NAME_TAKEN, "The clinic already has a room of that name.")


def tenant(info: Info) -> str:
    """The caller's clinic; only its members (owner, vet, admin) schedule."""
    tenant = info.context.tenant_id
    if tenant is None or info.context.claims is None or info.context.claims.role not in ("owner", "vet", "admin"):
        raise Forbidden("Only members of a clinic may do this.")
    return tenant


def me(info: Info) -> UUID:
    assert info.context.claims is not None
    return info.context.claims.sub


def uuid(global_id: str, type_name: str, field: str) -> UUID | Problem:
    """The UUID of a global ID, or a NOT_FOUND Problem naming the field."""
    key = global_uuid(global_id, type_name)
    return Problem(field, Code.NOT_FOUND, f"Not an ID of a {type_name}.") if key is None else key


def text(field: str, value: str | None, max_len: int) -> list[Problem]:
    if value is not None and len(value) > max_len:
        return [Problem(field, Code.INVALID, f"{field}: at most {max_len} characters.")]
    return []


async def clinic(info: Info) -> tuple[ZoneInfo, Hours, Settings]:
    """The clinic's time zone, business hours and appointment settings."""
    row = await sql.clinic(info.context.db, tenant(info))
    assert row is not None  # the claims' clinic exists (checked at sign-in)
    settings = Settings.from_json(row["appointment_settings"])
    return ZoneInfo(row["timezone"]), parse_hours(row["business_hours"]), settings


async def vet(info: Info, global_id: str | None) -> UUID | Problem | None:
    if global_id is None:
        return None
    vet = uuid(global_id, "Profile", "vetId")
    if isinstance(vet, Problem):
        return vet
    role = await sql.staff_role(info.context.db, tenant(info), vet)
    if role is None:
        return Problem("vetId", Code.NOT_FOUND, "No such vet.")
    if role not in ("vet", "admin"):
        return Problem("vetId", Code.NOT_A_VET, "Only clinic staff can attend a visit.")
    return vet


async def service_and_duration(
    info: Info, service_id: str | None, duration: int | None, settings: Settings
) -> tuple[UUID | None, int] | Problem:
    """The service booked, if any, and the visit's length: as given, else the service's, else the clinic's slot."""
    service: UUID | None = None
    if service_id is not None:
        found = uuid(service_id, "Service", "serviceId")
        minutes = (
            None if isinstance(found, Problem) else await sql.service_minutes(info.context.db, tenant(info), found)
        )
        if minutes is None or isinstance(found, Problem):
            return Problem("serviceId", Code.NOT_FOUND, "No such service.")
        service = found
        duration = minutes if duration is None else duration
    return service, settings.slot_duration if duration is None else duration


async def room_fits(info: Info, room_id: UUID, start: datetime, end: datetime) -> Problem | None:
    """Why the room cannot take one more appointment in [start, end), if it cannot."""
    clinic_id = tenant(info)
    room = await sql.room(info.context.db, clinic_id, room_id)
    if room is None:
        return Problem("roomId", Code.NOT_FOUND, "No such room.")
    if not room["is_active"]:
        return Problem("roomId", Code.ROOM_INACTIVE, "The room is not in use.")
    if await sql.room_peak(info.context.db, clinic_id, room_id, start, end) + 1 > room["capacity"]:
        return Problem("roomId", Code.ROOM_FULL, "The room is fully booked at that time.")
    return None


async def locked_appointment(info: Info, global_id: str, field: str = "appointmentId") -> Row | Problem:
    """The appointment, locked for this transaction, or a NOT_FOUND Problem naming the field."""
    appointment_id = uuid(global_id, "Appointment", field)
    if isinstance(appointment_id, Problem):
        return appointment_id
    row = await sql.appointment(info.context.db, tenant(info), appointment_id, lock=True)
    return Problem(field, Code.NOT_FOUND, "No such appointment.") if row is None else row
