"""What scheduling mutations check before they write: IDs, text, the clinic's hours, vet, room, visit."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from db import scheduling as sql
from db.session import Row
from domain.problems import Problem
from domain.scheduling.errors import CONSTRAINTS
from domain.scheduling.errors import SchedulingErrorCode as Code
from domain.scheduling.rules import Hours, Settings, parse_hours
from graph.mutations import Mutations, Write
from graph.types.scheduling import Appointment
from graph.types.scheduling_mutations import AppointmentPayload, SchedulingUserError

SCHEDULING = Mutations(Code, SchedulingUserError, CONSTRAINTS)
MAX_REASON = 500
MAX_NOTES = 2000


def at_most(field: str, value: str | None, max_len: int) -> list[Problem[Code]]:
    if value is not None and len(value) > max_len:
        return [Problem(field, Code.INVALID, f"{field}: at most {max_len} characters.")]
    return []


async def clinic(w: Write[Code]) -> tuple[ZoneInfo, Hours, Settings]:
    """The clinic's time zone, business hours and appointment settings."""
    row = await sql.clinic(w.db, w.tenant)
    assert row is not None  # the claims' clinic exists (checked at sign-in)
    settings = Settings.from_json(row["appointment_settings"])
    return ZoneInfo(row["timezone"]), parse_hours(row["business_hours"]), settings


async def vet(w: Write[Code], global_id: str | None) -> UUID | None:
    """The vet to attend, if one is named; refused unless staff of the clinic."""
    if global_id is None:
        return None
    vet = SCHEDULING.id(global_id, "Profile", "vetId")
    if isinstance(vet, Problem):
        w.refuse(vet)
    role = await sql.staff_role(w.db, w.tenant, vet)
    if role is None:
        w.refuse(Problem("vetId", Code.NOT_FOUND, "No such vet."))
    if role not in ("vet", "admin"):
        w.refuse(Problem("vetId", Code.NOT_A_VET, "Only clinic staff can attend a visit."))
    return vet


async def service_and_duration(
    w: Write[Code], service_id: str | None, duration: int | None, settings: Settings
) -> tuple[UUID | None, int]:
    """The service booked, if any, and the visit's length: as given, else the service's, else the clinic's slot."""
    service: UUID | None = None
    if service_id is not None:
        found = SCHEDULING.id(service_id, "Service", "serviceId")
        minutes = None if isinstance(found, Problem) else await sql.service_minutes(w.db, w.tenant, found)
        if minutes is None or isinstance(found, Problem):
            w.refuse(Problem("serviceId", Code.NOT_FOUND, "No such service."))
        service = found
        duration = minutes if duration is None else duration
    return service, settings.slot_duration if duration is None else duration


async def room_fits(w: Write[Code], room_id: UUID, start: datetime, end: datetime) -> Problem[Code] | None:
    """Why the room cannot take one more appointment in [start, end), if it cannot."""
    room = await sql.room(w.db, w.tenant, room_id)
    if room is None:
        return Problem("roomId", Code.NOT_FOUND, "No such room.")
    if not room["is_active"]:
        return Problem("roomId", Code.ROOM_INACTIVE, "The room is not in use.")
    if await sql.room_peak(w.db, w.tenant, room_id, start, end) + 1 > room["capacity"]:
        return Problem("roomId", Code.ROOM_FULL, "The room is fully booked at that time.")
    return None


async def locked_appointment(w: Write[Code], global_id: str, field: str = "appointmentId") -> Row:
    """The appointment, locked for this transaction; refused (NOT_FOUND, naming the field) if there is none."""
    appointment_id = SCHEDULING.id(global_id, "Appointment", field)
    if isinstance(appointment_id, Problem):
        w.refuse(appointment_id)
    row = await sql.appointment(w.db, w.tenant, appointment_id, lock=True)
    if row is None:
        w.refuse(Problem(field, Code.NOT_FOUND, "No such appointment."))
    return row


def saved(w: Write[Code], row: Row) -> Appointment:
    """The appointment as stored; the loaders learn it and forget the pet's appointment pages."""
    w.forget("Appointment")
    w.prime("Appointment", row["id"], row)
    return Appointment.from_row(row)


async def appointment_done(w: Write[Code], appointment_id: UUID) -> AppointmentPayload:
    """The appointment as stored (triggers may have changed it), to be committed."""
    row = await sql.appointment(w.db, w.tenant, appointment_id)
    assert row is not None
    return AppointmentPayload(appointment=saved(w, row))
