"""Scheduling mutations: rooms, room assignments, bookings, the visit flow and recurring series.

Each runs in one transaction and commits only when there is no userError. The
rules that two receptionists could break together (room capacity, a vet in two
places) are the database's; a serialization failure under REPEATABLE READ is
retried on a fresh snapshot, where the loser then sees the winner's booking.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

import strawberry
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import DBAPIError

from db import scheduling as sql
from graph.context import Context
from graph.errors import BadUserInput, Forbidden
from graph.types.node import from_global_id
from graph.types.scheduling import Appointment, ExamRoom
from graph.types.scheduling_mutations import (
    AppointmentActionInput,
    AppointmentPayload,
    AppointmentRecurrence,
    AssignRoomInput,
    BookAppointmentInput,
    CancelRecurrenceInput,
    CancelRecurrencePayload,
    CreateExamRoomInput,
    CreateRecurringAppointmentsInput,
    EditOccurrenceInput,
    ExamRoomPayload,
    OccurrenceConflict,
    RecurringAppointmentsPayload,
    ReleaseRoomInput,
    RescheduleAppointmentInput,
    SchedulingUserError,
    UpdateExamRoomInput,
)
from vetql.scheduling import recurrence as rec
from vetql.scheduling.errors import SchedulingErrorCode as Code
from vetql.scheduling.rules import Hours, Problem, Settings, can_move, check_time, parse_hours, too_late_to_cancel

P = TypeVar("P")
ATTEMPTS = 6
MAX_EQUIPMENT = 50
MAX_NAME = 100
MAX_REASON = 500
MAX_NOTES = 2000

# A failed statement names its constraint; these are the ones a user can fix.
_CONSTRAINTS: dict[tuple[str, str], tuple[str | None, Code, str]] = {
    ("23P01", "room_assignments_capacity"): ("roomId", Code.ROOM_FULL, "The room is fully booked at that time."),
    ("23P01", "appointments_vet_no_overlap"): ("vetId", Code.VET_UNAVAILABLE, "The vet is booked at that time."),
    ("23505", "exam_rooms_name_key"): ("name", Code.NAME_TAKEN, "The clinic already has a room of that name."),
    ("23514", "room_assignments_room_active"): ("roomId", Code.ROOM_INACTIVE, "The room is not in use."),
    ("23514", "appointments_status_transition"): (
        "appointmentId",
        Code.INVALID_TRANSITION,
        "The appointment cannot move to that status.",
    ),
    ("23514", "appointments_cancellation_window"): (
        "appointmentId",
        Code.CANCELLATION_WINDOW,
        "Too late to cancel; please call the clinic.",
    ),
}


def _errors(problems: list[Problem]) -> list[SchedulingUserError]:
    return [SchedulingUserError(field=p.field, code=p.code, message=p.message) for p in problems]


def _uuid(global_id: str, type_name: str, field: str) -> UUID | Problem:
    try:
        _, key = from_global_id(global_id, expected=type_name)
        return UUID(key)
    except (BadUserInput, ValueError):
        return Problem(field, Code.NOT_FOUND, f"Not an ID of a {type_name}.")


def _tenant(info: strawberry.Info[Context, None]) -> str:
    tenant = info.context.tenant_id
    if tenant is None or info.context.claims is None or info.context.claims.role not in ("owner", "vet", "admin"):
        raise Forbidden("Only members of a clinic may do this.")
    return tenant


def _me(info: strawberry.Info[Context, None]) -> UUID:
    assert info.context.claims is not None
    return info.context.claims.sub


async def _run(
    info: strawberry.Info[Context, None],
    body: Callable[[], Awaitable[P]],
    fail: Callable[[list[Problem]], P],
    overrides: dict[str, tuple[str | None, Code, str]] | None = None,
) -> P:
    """`body` in one transaction, retried after a serialization failure; a constraint a
    user can fix becomes a userError, with everything the attempt wrote rolled back."""
    db = info.context.db
    for attempt in range(ATTEMPTS):
        try:
            result = await body()
            if getattr(result, "user_errors", None):
                await db.close()  # nothing of a refused mutation stays, whatever follows in the request
            return result
        except DBAPIError as exc:
            state, constraint = sql.sqlstate(exc)
            await db.close()
            if state in sql.RETRYABLE and attempt < ATTEMPTS - 1:
                await asyncio.sleep(random.uniform(0, 0.01 * 2**attempt))  # noqa: S311 (jitter, not a secret)
                continue
            known = (overrides or {}).get(constraint or "") or _CONSTRAINTS.get((state or "", constraint or ""))
            if known is None:
                raise
            return fail([Problem(*known)])
    raise AssertionError("unreachable")


def _room_payload(problems: list[Problem]) -> ExamRoomPayload:
    return ExamRoomPayload(exam_room=None, user_errors=_errors(problems))


def _appointment_payload(problems: list[Problem]) -> AppointmentPayload:
    return AppointmentPayload(appointment=None, user_errors=_errors(problems))


async def _done(info: strawberry.Info[Context, None], appointment_id: UUID) -> AppointmentPayload:
    """Commit, and return the appointment as stored (triggers may have changed it)."""
    tenant = _tenant(info)
    row = await sql.appointment(info.context.db, tenant, appointment_id)
    assert row is not None
    await info.context.db.commit()
    return AppointmentPayload(appointment=Appointment.from_row(row), user_errors=[])


def _text(field: str, value: str | None, max_len: int) -> list[Problem]:
    if value is not None and len(value) > max_len:
        return [Problem(field, Code.INVALID, f"{field}: at most {max_len} characters.")]
    return []


# Rooms -----------------------------------------------------------------------------


def _room_problems(
    name: str | None, capacity: int | None, equipment: list[str] | None, display_order: int | None
) -> list[Problem]:
    problems = []
    if name is not None and not 1 <= len(name.strip()) <= MAX_NAME:
        problems.append(Problem("name", Code.INVALID, f"name: 1 to {MAX_NAME} characters."))
    if capacity is not None and not 1 <= capacity <= 50:
        problems.append(Problem("capacity", Code.INVALID, "capacity: 1 to 50."))
    if equipment is not None:
        if len(equipment) > MAX_EQUIPMENT:
            problems.append(Problem("equipment", Code.TOO_MANY, f"At most {MAX_EQUIPMENT} items of equipment."))
        elif any(not 1 <= len(e.strip()) <= MAX_NAME for e in equipment):
            problems.append(Problem("equipment", Code.INVALID, f"Each item: 1 to {MAX_NAME} characters."))
    if display_order is not None and not -10_000 <= display_order <= 10_000:
        problems.append(Problem("displayOrder", Code.INVALID, "displayOrder: -10000 to 10000."))
    return problems


async def create_exam_room(
    info: strawberry.Info[Context, None],
    input: Annotated[CreateExamRoomInput, strawberry.argument(description="The new room.")],
) -> ExamRoomPayload:
    """Add a room to the clinic."""
    tenant = _tenant(info)
    problems = _room_problems(input.name, input.capacity, input.equipment, input.display_order)
    if problems:
        return _room_payload(problems)

    async def body() -> ExamRoomPayload:
        row = await sql.insert_room(
            info.context.db,
            tenant,
            {
                "name": input.name.strip(),
                "room_type": input.room_type.value,
                "capacity": input.capacity,
                "equipment": [e.strip() for e in input.equipment],
                "display_order": input.display_order,
            },
        )
        if row is None:
            return _room_payload([Problem("name", Code.NAME_TAKEN, "The clinic already has a room of that name.")])
        await info.context.db.commit()
        return ExamRoomPayload(exam_room=ExamRoom.from_row(row), user_errors=[])

    return await _run(info, body, _room_payload)


async def update_exam_room(
    info: strawberry.Info[Context, None],
    input: Annotated[UpdateExamRoomInput, strawberry.argument(description="The room and what changes.")],
) -> ExamRoomPayload:
    """Rename, re-equip, resize, reorder or deactivate a room."""
    tenant = _tenant(info)
    room_id = _uuid(input.exam_room_id, "ExamRoom", "examRoomId")
    problems = [room_id] if isinstance(room_id, Problem) else []
    problems += _room_problems(input.name, input.capacity, input.equipment, input.display_order)
    if problems or not isinstance(room_id, UUID):
        return _room_payload(problems)
    values: dict[str, Any] = {}
    if input.name is not None:
        values["name"] = input.name.strip()
    if input.room_type is not None:
        values["room_type"] = input.room_type.value
    if input.capacity is not None:
        values["capacity"] = input.capacity
    if input.equipment is not None:
        values["equipment"] = [e.strip() for e in input.equipment]
    if input.display_order is not None:
        values["display_order"] = input.display_order
    if input.is_active is not None:
        values["is_active"] = input.is_active
    db = info.context.db

    async def body() -> ExamRoomPayload:
        current = await sql.room(db, tenant, room_id, lock=True)
        if current is None:
            return _room_payload([Problem("examRoomId", Code.NOT_FOUND, "No such room.")])
        if "name" in values and await sql.room_name_taken(db, tenant, values["name"], room_id):
            return _room_payload([Problem("name", Code.NAME_TAKEN, "The clinic already has a room of that name.")])
        deactivating = values.get("is_active") is False and current["is_active"]
        if deactivating and await sql.room_peak(db, tenant, room_id, datetime.now(UTC), None) > 0:
            return _room_payload(
                [Problem("isActive", Code.ROOM_IN_USE, "Appointments are booked in this room; move them first.")]
            )
        row = await sql.update_room(db, tenant, room_id, values) if values else current
        assert row is not None
        await db.commit()
        return ExamRoomPayload(exam_room=ExamRoom.from_row(row), user_errors=[])

    capacity_taken = ("capacity", Code.ROOM_IN_USE, "More appointments are booked in this room than that capacity.")
    return await _run(info, body, _room_payload, {"room_assignments_capacity": capacity_taken})


# Room assignments ------------------------------------------------------------------


async def _room_fits(
    info: strawberry.Info[Context, None], room_id: UUID, start: datetime, end: datetime
) -> Problem | None:
    """Why the room cannot take one more appointment in [start, end), if it cannot."""
    tenant = _tenant(info)
    room = await sql.room(info.context.db, tenant, room_id)
    if room is None:
        return Problem("roomId", Code.NOT_FOUND, "No such room.")
    if not room["is_active"]:
        return Problem("roomId", Code.ROOM_INACTIVE, "The room is not in use.")
    if await sql.room_peak(info.context.db, tenant, room_id, start, end) + 1 > room["capacity"]:
        return Problem("roomId", Code.ROOM_FULL, "The room is fully booked at that time.")
    return None


async def _appointment_for_room(info: strawberry.Info[Context, None], global_id: str) -> RowMapping | Problem:
    appointment_id = _uuid(global_id, "Appointment", "appointmentId")
    if isinstance(appointment_id, Problem):
        return appointment_id
    row = await sql.appointment(info.context.db, _tenant(info), appointment_id, lock=True)
    if row is None:
        return Problem("appointmentId", Code.NOT_FOUND, "No such appointment.")
    if row["status"] in ("cancelled", "no_show", "completed"):
        return Problem("appointmentId", Code.INVALID_TRANSITION, f"The appointment is {row['status']}.")
    return row


async def _assign(info: strawberry.Info[Context, None], input: AssignRoomInput, *, moving: bool) -> AppointmentPayload:
    room_id = _uuid(input.room_id, "ExamRoom", "roomId")
    appointment = await _appointment_for_room(info, input.appointment_id)
    problems = [p for p in (appointment, room_id) if isinstance(p, Problem)]
    if problems or isinstance(appointment, Problem) or isinstance(room_id, Problem):
        return _appointment_payload(problems)
    tenant, db = _tenant(info), info.context.db
    if moving and appointment["room_id"] is None:
        return _appointment_payload([Problem("appointmentId", Code.NO_ROOM_ASSIGNED, "It holds no room to move.")])
    if not moving and appointment["room_id"] is not None:
        return _appointment_payload(
            [Problem("appointmentId", Code.ALREADY_ASSIGNED, "It already holds a room; use moveRoom.")]
        )
    if appointment["room_id"] == room_id:
        return _appointment_payload([Problem("roomId", Code.INVALID, "It is already in that room.")])
    if moving:
        await sql.release(db, tenant, appointment["id"])
    problem = await _room_fits(info, room_id, appointment["start_time"], appointment["end_time"])
    if problem is not None:
        return _appointment_payload([problem])
    await sql.assign(db, tenant, appointment["id"], room_id, _me(info))
    return await _done(info, appointment["id"])


async def assign_room(
    info: strawberry.Info[Context, None],
    input: Annotated[AssignRoomInput, strawberry.argument(description="The appointment and the room.")],
) -> AppointmentPayload:
    """Put an appointment in a room, if the room has space for its whole time."""
    return await _run(info, lambda: _assign(info, input, moving=False), _appointment_payload)


async def move_room(
    info: strawberry.Info[Context, None],
    input: Annotated[AssignRoomInput, strawberry.argument(description="The appointment and its new room.")],
) -> AppointmentPayload:
    """Move an appointment to another room: the old one is released in the same transaction."""
    return await _run(info, lambda: _assign(info, input, moving=True), _appointment_payload)


async def release_room(
    info: strawberry.Info[Context, None],
    input: Annotated[ReleaseRoomInput, strawberry.argument(description="The appointment.")],
) -> AppointmentPayload:
    """Free the room an appointment holds."""

    async def body() -> AppointmentPayload:
        appointment = await _appointment_for_room(info, input.appointment_id)
        if isinstance(appointment, Problem):
            return _appointment_payload([appointment])
        if not await sql.release(info.context.db, _tenant(info), appointment["id"]):
            return _appointment_payload([Problem("appointmentId", Code.NO_ROOM_ASSIGNED, "It holds no room.")])
        return await _done(info, appointment["id"])

    return await _run(info, body, _appointment_payload)


# Appointments ----------------------------------------------------------------------


async def _clinic(info: strawberry.Info[Context, None]) -> tuple[ZoneInfo, Hours, Settings]:
    row = await sql.clinic(info.context.db, _tenant(info))
    assert row is not None  # the claims' clinic exists (checked at sign-in)
    settings = Settings.from_json(row["appointment_settings"])
    return ZoneInfo(row["timezone"]), parse_hours(row["business_hours"]), settings


async def _vet(info: strawberry.Info[Context, None], global_id: str | None) -> UUID | Problem | None:
    if global_id is None:
        return None
    vet = _uuid(global_id, "Profile", "vetId")
    if isinstance(vet, Problem):
        return vet
    role = await sql.staff_role(info.context.db, _tenant(info), vet)
    if role is None:
        return Problem("vetId", Code.NOT_FOUND, "No such vet.")
    if role not in ("vet", "admin"):
        return Problem("vetId", Code.NOT_A_VET, "Only clinic staff can attend a visit.")
    return vet


async def book_appointment(
    info: strawberry.Info[Context, None],
    input: Annotated[BookAppointmentInput, strawberry.argument(description="The visit to book.")],
) -> AppointmentPayload:
    """Book a visit. Staff book for any patient; an owner for their own pets (their cancellation
    and advance-booking limits apply, and the clinic may need to confirm it)."""
    tenant, db = _tenant(info), info.context.db
    by_owner = not info.context.is_staff

    async def body() -> AppointmentPayload:
        problems: list[Problem] = []
        pet = _uuid(input.pet_id, "Pet", "petId")
        if isinstance(pet, Problem):
            problems.append(pet)
        if by_owner:
            for field, value in (("vetId", input.vet_id), ("serviceId", input.service_id), ("roomId", input.room_id)):
                if value is not None:
                    problems.append(Problem(field, Code.FORBIDDEN_FIELD, f"Only staff set {field}."))
        problems += _text("reason", input.reason, MAX_REASON) + _text("notes", input.notes, MAX_NOTES)
        if problems or not isinstance(pet, UUID):
            return _appointment_payload(problems)
        zone, hours, settings = await _clinic(info)
        duration = input.duration_minutes
        service = None
        if input.service_id is not None:
            service = _uuid(input.service_id, "Service", "serviceId")
            minutes = None if isinstance(service, Problem) else await sql.service_minutes(db, tenant, service)
            if minutes is None:
                return _appointment_payload([Problem("serviceId", Code.NOT_FOUND, "No such service.")])
            duration = minutes if duration is None else duration
        duration = settings.slot_duration if duration is None else duration
        now = datetime.now(UTC)
        problems = check_time(input.start_time, duration, now, settings, zone, hours, by_owner=by_owner)
        if problems:
            return _appointment_payload(problems)
        if not await sql.pet_visible(db, tenant, pet):
            return _appointment_payload([Problem("petId", Code.NOT_FOUND, "No such pet.")])
        start = input.start_time.astimezone(UTC)
        end = start + timedelta(minutes=duration)
        vet = await _vet(info, input.vet_id)
        if isinstance(vet, Problem):
            return _appointment_payload([vet])
        if vet is not None and await sql.vet_busy(db, tenant, vet, start, end, settings.buffer_time, None):
            return _appointment_payload([Problem("vetId", Code.VET_UNAVAILABLE, "The vet is booked at that time.")])
        room = None if input.room_id is None else _uuid(input.room_id, "ExamRoom", "roomId")
        if isinstance(room, Problem):
            return _appointment_payload([room])
        if room is not None and (problem := await _room_fits(info, room, start, end)) is not None:
            return _appointment_payload([problem])
        status = "scheduled" if by_owner and settings.require_confirmation else "confirmed"
        row = await sql.insert_appointment(
            db,
            tenant,
            {
                "pet": pet,
                "vet": vet,
                "service": service,
                "start": start,
                "end": end,
                "status": status,
                "reason": input.reason,
                "notes": input.notes,
                "by": _me(info),
                "recurrence": None,
            },
        )
        if row is None:
            return _appointment_payload([Problem("vetId", Code.VET_UNAVAILABLE, "The vet is booked at that time.")])
        if room is not None:
            await sql.assign(db, tenant, row["id"], room, _me(info))
        return await _done(info, row["id"])

    return await _run(info, body, _appointment_payload)


async def _locked(
    info: strawberry.Info[Context, None], global_id: str, field: str = "appointmentId"
) -> RowMapping | Problem:
    appointment_id = _uuid(global_id, "Appointment", field)
    if isinstance(appointment_id, Problem):
        return appointment_id
    row = await sql.appointment(info.context.db, _tenant(info), appointment_id, lock=True)
    return Problem(field, Code.NOT_FOUND, "No such appointment.") if row is None else row


async def _move(
    info: strawberry.Info[Context, None],
    appointment: RowMapping,
    start: datetime,
    duration: int,
    vet_id: str | None,
    reason: str | None,
) -> AppointmentPayload:
    """New time (and vet) for a booked visit; its room follows if it still fits."""
    if appointment["status"] not in ("scheduled", "confirmed"):
        return _appointment_payload(
            [Problem("appointmentId", Code.INVALID_TRANSITION, f"The appointment is {appointment['status']}.")]
        )
    tenant, db = _tenant(info), info.context.db
    zone, hours, settings = await _clinic(info)
    problems = check_time(start, duration, datetime.now(UTC), settings, zone, hours, by_owner=False)
    problems += _text("reason", reason, MAX_REASON)
    if problems:
        return _appointment_payload(problems)
    vet = await _vet(info, vet_id) if vet_id is not None else appointment["vet_id"]
    if isinstance(vet, Problem):
        return _appointment_payload([vet])
    start = start.astimezone(UTC)
    end = start + timedelta(minutes=duration)
    if vet is not None and await sql.vet_busy(db, tenant, vet, start, end, settings.buffer_time, appointment["id"]):
        return _appointment_payload([Problem("vetId", Code.VET_UNAVAILABLE, "The vet is booked at that time.")])
    values = {"start": start, "end": end, "vet": vet, "reason": appointment["reason"] if reason is None else reason}
    await sql.move(db, tenant, appointment["id"], values)  # room capacity re-checked by the database
    return await _done(info, appointment["id"])


def _minutes(row: RowMapping) -> int:
    return int((row["end_time"] - row["start_time"]).total_seconds() // 60)


async def reschedule_appointment(
    info: strawberry.Info[Context, None],
    input: Annotated[RescheduleAppointmentInput, strawberry.argument(description="The visit and its new time.")],
) -> AppointmentPayload:
    """Move a booked visit to another time (and vet). Staff only."""

    async def body() -> AppointmentPayload:
        appointment = await _locked(info, input.appointment_id)
        if isinstance(appointment, Problem):
            return _appointment_payload([appointment])
        duration = _minutes(appointment) if input.duration_minutes is None else input.duration_minutes
        return await _move(info, appointment, input.start_time, duration, input.vet_id, None)

    return await _run(info, body, _appointment_payload)


async def _transition(
    info: strawberry.Info[Context, None], global_id: str, target: str, *, recurring_only: bool = False
) -> AppointmentPayload:
    async def body() -> AppointmentPayload:
        appointment = await _locked(info, global_id)
        if isinstance(appointment, Problem):
            return _appointment_payload([appointment])
        if recurring_only and appointment["recurrence_id"] is None:
            return _appointment_payload([Problem("appointmentId", Code.NOT_RECURRING, "Not part of a series.")])
        if not can_move(appointment["status"], target):
            return _appointment_payload(
                [
                    Problem(
                        "appointmentId",
                        Code.INVALID_TRANSITION,
                        f"An appointment that is {appointment['status']} cannot become {target}.",
                    )
                ]
            )
        now = datetime.now(UTC)
        if target == "no_show" and now < appointment["start_time"]:
            return _appointment_payload(
                [Problem("appointmentId", Code.INVALID_TRANSITION, "A visit is missed only once it was due.")]
            )
        if target == "cancelled" and not info.context.is_staff:
            _, _, settings = await _clinic(info)
            if too_late_to_cancel(appointment["start_time"], now, settings):
                return _appointment_payload(
                    [
                        Problem(
                            "appointmentId",
                            Code.CANCELLATION_WINDOW,
                            f"Owners cancel at least {settings.cancellation_hours} hours ahead; call the clinic.",
                        )
                    ]
                )
        await sql.set_status(info.context.db, _tenant(info), appointment["id"], target)
        return await _done(info, appointment["id"])

    return await _run(info, body, _appointment_payload)


AppointmentArg = Annotated[AppointmentActionInput, strawberry.argument(description="The appointment.")]


async def cancel_appointment(info: strawberry.Info[Context, None], input: AppointmentArg) -> AppointmentPayload:
    """Cancel a visit that has not begun; its room is released. Owners: their own pets' visits,
    up to the clinic's cancellation window."""
    return await _transition(info, input.appointment_id, "cancelled")


async def mark_no_show(info: strawberry.Info[Context, None], input: AppointmentArg) -> AppointmentPayload:
    """The patient did not come; its room is released. Staff only."""
    return await _transition(info, input.appointment_id, "no_show")


async def check_in(info: strawberry.Info[Context, None], input: AppointmentArg) -> AppointmentPayload:
    """The patient arrived: sets checkedInAt/By. Staff only."""
    return await _transition(info, input.appointment_id, "checked_in")


async def start_appointment(info: strawberry.Info[Context, None], input: AppointmentArg) -> AppointmentPayload:
    """The consultation begins: sets startedAt and waitTimeMinutes. Staff only."""
    return await _transition(info, input.appointment_id, "in_progress")


async def complete_appointment(info: strawberry.Info[Context, None], input: AppointmentArg) -> AppointmentPayload:
    """The visit is over: sets completedAt, visitDurationMinutes and the pet's lastVisitDate. Staff only."""
    return await _transition(info, input.appointment_id, "completed")


# Recurring series ------------------------------------------------------------------


def _recurrence_payload(problems: list[Problem]) -> RecurringAppointmentsPayload:
    return RecurringAppointmentsPayload(recurrence=None, appointments=[], conflicts=[], user_errors=_errors(problems))


def _pattern_problems(input: CreateRecurringAppointmentsInput) -> list[Problem]:
    problems = _text("reason", input.reason, MAX_REASON)
    if input.day_of_week is not None and not 0 <= input.day_of_week <= 6:
        problems.append(Problem("dayOfWeek", Code.INVALID, "dayOfWeek: 0 (Sunday) to 6 (Saturday)."))
    if input.day_of_month is not None and not 1 <= input.day_of_month <= 31:
        problems.append(Problem("dayOfMonth", Code.INVALID, "dayOfMonth: 1 to 31."))
    if input.ends_on is not None and input.ends_on < input.starts_on:
        problems.append(Problem("endsOn", Code.INVALID, "endsOn is before startsOn."))
    if input.max_occurrences is not None and not 1 <= input.max_occurrences <= 500:
        problems.append(Problem("maxOccurrences", Code.INVALID, "maxOccurrences: 1 to 500."))
    if not 1 <= input.horizon_days <= rec.MAX_HORIZON_DAYS:
        problems.append(Problem("horizonDays", Code.INVALID, f"horizonDays: 1 to {rec.MAX_HORIZON_DAYS}."))
    if input.time_of_day.tzinfo is not None:
        problems.append(Problem("timeOfDay", Code.INVALID, "timeOfDay is local to the clinic: no offset."))
    return problems


async def create_recurring_appointments(
    info: strawberry.Info[Context, None],
    input: Annotated[CreateRecurringAppointmentsInput, strawberry.argument(description="The pattern and the visit.")],
) -> RecurringAppointmentsPayload:
    """Create a series and book its occurrences up to the horizon. Occurrences that cannot be
    booked (vet or room taken, clinic closed) are reported in `conflicts`. Staff only."""
    tenant, db = _tenant(info), info.context.db

    async def body() -> RecurringAppointmentsPayload:
        pet = _uuid(input.pet_id, "Pet", "petId")
        problems = ([pet] if isinstance(pet, Problem) else []) + _pattern_problems(input)
        if problems or not isinstance(pet, UUID):
            return _recurrence_payload(problems)
        zone, hours, settings = await _clinic(info)
        duration = input.duration_minutes
        service = None
        if input.service_id is not None:
            service = _uuid(input.service_id, "Service", "serviceId")
            minutes = None if isinstance(service, Problem) else await sql.service_minutes(db, tenant, service)
            if minutes is None:
                return _recurrence_payload([Problem("serviceId", Code.NOT_FOUND, "No such service.")])
            duration = minutes if duration is None else duration
        duration = settings.slot_duration if duration is None else duration
        if not 1 <= duration <= 1440:
            return _recurrence_payload([Problem("durationMinutes", Code.INVALID, "durationMinutes: 1 to 1440.")])
        vet = await _vet(info, input.vet_id)
        room = None if input.room_id is None else _uuid(input.room_id, "ExamRoom", "roomId")
        for value in (vet, room):
            if isinstance(value, Problem):
                return _recurrence_payload([value])
        assert not isinstance(vet, Problem) and not isinstance(room, Problem)
        if room is not None and await sql.room(db, tenant, room) is None:
            return _recurrence_payload([Problem("roomId", Code.NOT_FOUND, "No such room.")])
        pattern = rec.Pattern(
            pattern=input.pattern.value,
            starts_on=input.starts_on,
            day_of_week=input.day_of_week
            if input.pattern.value not in ("weekly", "biweekly") or input.day_of_week is not None
            else rec.sunday_based(input.starts_on),
            day_of_month=input.day_of_month
            if input.pattern.value not in ("monthly", "yearly") or input.day_of_month is not None
            else input.starts_on.day,
            ends_on=input.ends_on,
            max_occurrences=input.max_occurrences,
        )
        now = datetime.now(UTC)
        until = now.astimezone(zone).date() + timedelta(days=input.horizon_days)
        dates, complete = rec.expand(pattern, until)
        if len(dates) > rec.MAX_MATERIALIZED:
            return _recurrence_payload(
                [Problem("horizonDays", Code.TOO_MANY, f"At most {rec.MAX_MATERIALIZED} visits at once; shorten it.")]
            )
        series = await sql.insert_recurrence(
            db,
            tenant,
            {
                "pet": pet,
                "service": service,
                "vet": vet,
                "room": room,
                "reason": input.reason,
                "pattern": pattern.pattern,
                "day_of_week": pattern.day_of_week,
                "day_of_month": pattern.day_of_month,
                "time_of_day": input.time_of_day,
                "duration": duration,
                "starts_on": input.starts_on,
                "ends_on": input.ends_on,
                "max_occurrences": input.max_occurrences,
                "by": _me(info),
            },
        )
        if series is None:
            return _recurrence_payload([Problem("petId", Code.NOT_FOUND, "No such pet.")])
        booked: list[UUID] = []
        conflicts: list[OccurrenceConflict] = []
        for day in dates:
            start = rec.local_instant(day, input.time_of_day, zone)
            end = start + timedelta(minutes=duration)
            found = check_time(start, duration, now, settings, zone, hours, by_owner=False)
            problem = found[0] if found else None
            if (
                problem is None
                and vet is not None
                and await sql.vet_busy(db, tenant, vet, start, end, settings.buffer_time, None)
            ):
                problem = Problem("vetId", Code.VET_UNAVAILABLE, "The vet is booked at that time.")
            if problem is None and room is not None:
                problem = await _room_fits(info, room, start, end)
            row = None
            if problem is None:
                row = await sql.insert_appointment(
                    db,
                    tenant,
                    {
                        "pet": pet,
                        "vet": vet,
                        "service": service,
                        "start": start,
                        "end": end,
                        "status": "confirmed",
                        "reason": input.reason,
                        "notes": None,
                        "by": _me(info),
                        "recurrence": series["id"],
                    },
                )
                if row is None:
                    problem = Problem("vetId", Code.VET_UNAVAILABLE, "The vet is booked at that time.")
            if problem is not None or row is None:
                assert problem is not None
                conflicts.append(OccurrenceConflict(start_time=start, code=problem.code, message=problem.message))
                continue
            if room is not None:
                await sql.assign(db, tenant, row["id"], room, _me(info))
            booked.append(row["id"])
        last = dates[-1] if complete and dates else until
        finished = await sql.finish_recurrence(db, tenant, series["id"], len(booked), last, not complete)
        assert finished is not None
        rows = [await sql.appointment(db, tenant, a) for a in booked]
        await db.commit()
        return RecurringAppointmentsPayload(
            recurrence=AppointmentRecurrence.from_row(finished),
            appointments=[Appointment.from_row(r) for r in rows if r is not None],
            conflicts=conflicts,
            user_errors=[],
        )

    return await _run(info, body, _recurrence_payload)


async def cancel_occurrence(info: strawberry.Info[Context, None], input: AppointmentArg) -> AppointmentPayload:
    """Cancel one occurrence of a series; the others stay. Staff only."""
    return await _transition(info, input.appointment_id, "cancelled", recurring_only=True)


def _cancel_recurrence_payload(problems: list[Problem]) -> CancelRecurrencePayload:
    return CancelRecurrencePayload(recurrence=None, cancelled=[], user_errors=_errors(problems))


async def cancel_recurrence(
    info: strawberry.Info[Context, None],
    input: Annotated[CancelRecurrenceInput, strawberry.argument(description="The first occurrence to cancel.")],
) -> CancelRecurrencePayload:
    """Cancel this occurrence and all following ones; the series ends the day before. Staff only."""
    tenant, db = _tenant(info), info.context.db

    async def body() -> CancelRecurrencePayload:
        appointment = await _locked(info, input.from_appointment_id, "fromAppointmentId")
        if isinstance(appointment, Problem):
            return _cancel_recurrence_payload([appointment])
        if appointment["recurrence_id"] is None:
            return _cancel_recurrence_payload(
                [Problem("fromAppointmentId", Code.NOT_RECURRING, "Not part of a series.")]
            )
        series = await sql.recurrence(db, tenant, appointment["recurrence_id"])
        assert series is not None
        zone, _, _ = await _clinic(info)
        cancelled = await sql.cancel_following(db, tenant, series["id"], appointment["start_time"])
        last_day: date | None = appointment["start_time"].astimezone(zone).date() - timedelta(days=1)
        if last_day is not None and last_day < series["starts_on"]:
            last_day = None
        ended = await sql.end_recurrence(db, tenant, series["id"], last_day)
        assert ended is not None
        await db.commit()
        return CancelRecurrencePayload(
            recurrence=AppointmentRecurrence.from_row(ended),
            cancelled=[Appointment.from_row(r) for r in cancelled],
            user_errors=[],
        )

    return await _run(info, body, _cancel_recurrence_payload)


async def edit_occurrence(
    info: strawberry.Info[Context, None],
    input: Annotated[EditOccurrenceInput, strawberry.argument(description="The occurrence and what changes.")],
) -> AppointmentPayload:
    """Change the time, length, vet or reason of one occurrence; the series stays. Staff only."""

    async def body() -> AppointmentPayload:
        appointment = await _locked(info, input.appointment_id)
        if isinstance(appointment, Problem):
            return _appointment_payload([appointment])
        if appointment["recurrence_id"] is None:
            return _appointment_payload([Problem("appointmentId", Code.NOT_RECURRING, "Not part of a series.")])
        start = input.start_time or appointment["start_time"]
        duration = _minutes(appointment) if input.duration_minutes is None else input.duration_minutes
        return await _move(info, appointment, start, duration, input.vet_id, input.reason)

    return await _run(info, body, _appointment_payload)
