"""Visits: book and reschedule one, and move it through its day (cancel, no-show, check-in, start, complete)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

import strawberry

from db import scheduling as sql
from db.session import Row
from domain.problems import Problem
from domain.scheduling.errors import VET_BOOKED
from domain.scheduling.errors import SchedulingErrorCode as Code
from domain.scheduling.rules import can_move, check_in_problem, check_time, is_emergency, too_late_to_cancel
from graph.mutations import Info, Write
from graph.resolvers.scheduling.checks import (
    MAX_NOTES,
    MAX_REASON,
    SCHEDULING,
    appointment_done,
    at_most,
    clinic,
    locked_appointment,
    room_fits,
    service_and_duration,
    vet,
)
from graph.types.scheduling_mutations import (
    AppointmentActionInput,
    AppointmentPayload,
    BookAppointmentInput,
    RescheduleAppointmentInput,
)

AppointmentArg = Annotated[AppointmentActionInput, strawberry.argument(description="The appointment.")]


async def book_appointment(
    info: Info,
    input: Annotated[BookAppointmentInput, strawberry.argument(description="The visit to book.")],
) -> AppointmentPayload:
    """Book a visit. Staff book for any patient; an owner for their own pets (their cancellation
    and advance-booking limits apply, and the clinic may need to confirm it)."""
    by_owner = not info.context.is_staff
    pet = SCHEDULING.id(input.pet_id, "Pet", "petId")
    problems = [pet] if isinstance(pet, Problem) else []
    if by_owner:
        for field, value in (("vetId", input.vet_id), ("serviceId", input.service_id), ("roomId", input.room_id)):
            if value is not None:
                problems.append(Problem(field, Code.FORBIDDEN_FIELD, f"Only staff set {field}."))
        if input.emergency:
            problems.append(Problem("emergency", Code.FORBIDDEN_FIELD, "Only staff book emergencies; call the clinic."))
    problems += at_most("reason", input.reason, MAX_REASON) + at_most("notes", input.notes, MAX_NOTES)

    async def perform(w: Write[Code]) -> AppointmentPayload:
        assert not isinstance(pet, Problem)
        zone, hours, settings = await clinic(w)
        service, duration = await service_and_duration(w, input.service_id, input.duration_minutes, settings)
        now = datetime.now(UTC)
        found = check_time(
            input.start_time, duration, now, settings, zone, hours, by_owner=by_owner, emergency=input.emergency
        )
        if found:
            w.refuse(*found)
        if not await sql.pet_visible(w.db, w.tenant, pet):
            w.refuse(Problem("petId", Code.NOT_FOUND, "No such pet."))
        start = input.start_time.astimezone(UTC)
        end = start + timedelta(minutes=duration)
        attending = await vet(w, input.vet_id)
        if attending is not None and await sql.vet_busy(
            w.db, w.tenant, attending, start, end, settings.buffer_time, None
        ):
            w.refuse(VET_BOOKED)
        room = None if input.room_id is None else SCHEDULING.id(input.room_id, "ExamRoom", "roomId")
        if isinstance(room, Problem):
            w.refuse(room)
        if room is not None and (problem := await room_fits(w, room, start, end)) is not None:
            w.refuse(problem)
        status = "scheduled" if by_owner and settings.require_confirmation else "confirmed"
        # marked by the rule: an emergency is what only the allowance let through (owners get none)
        emergency = input.emergency and not by_owner and is_emergency(start, duration, settings, zone, hours)
        row = await sql.insert_appointment(
            w.db,
            w.tenant,
            {
                "pet": pet,
                "vet": attending,
                "service": service,
                "start": start,
                "end": end,
                "status": status,
                "reason": input.reason,
                "notes": input.notes,
                "by": w.by,
                "recurrence": None,
                "emergency": emergency,
            },
        )
        if row is None:
            w.refuse(VET_BOOKED)
        if room is not None:
            await sql.assign(w.db, w.tenant, row["id"], room, w.by)
        return await appointment_done(w, row["id"])

    return await SCHEDULING.run(info, AppointmentPayload, perform, problems=problems)


async def move(
    w: Write[Code],
    appointment: Row,
    start: datetime,
    duration: int,
    vet_id: str | None,
    reason: str | None,
) -> AppointmentPayload:
    """New time (and vet) for a booked visit; its room follows if it still fits."""
    if appointment["status"] not in ("scheduled", "confirmed"):
        w.refuse(Problem("appointmentId", Code.INVALID_TRANSITION, f"The appointment is {appointment['status']}."))
    zone, hours, settings = await clinic(w)
    # an emergency may move within the night it was booked for; any visit is marked again for its new time
    allowance = bool(appointment["is_emergency"])
    problems = check_time(
        start, duration, datetime.now(UTC), settings, zone, hours, by_owner=False, emergency=allowance
    )
    problems += at_most("reason", reason, MAX_REASON)
    if problems:
        w.refuse(*problems)
    attending = await vet(w, vet_id) if vet_id is not None else appointment["vet_id"]
    start = start.astimezone(UTC)
    end = start + timedelta(minutes=duration)
    if attending is not None and await sql.vet_busy(
        w.db, w.tenant, attending, start, end, settings.buffer_time, appointment["id"]
    ):
        w.refuse(VET_BOOKED)
    values = {
        "start": start,
        "end": end,
        "vet": attending,
        "reason": appointment["reason"] if reason is None else reason,
        "emergency": allowance and is_emergency(start, duration, settings, zone, hours),
    }
    await sql.move(w.db, w.tenant, appointment["id"], values)  # room capacity re-checked by the database
    return await appointment_done(w, appointment["id"])


def minutes(row: Row) -> int:
    """How long the appointment is booked for."""
    return int((row["end_time"] - row["start_time"]).total_seconds() // 60)


async def reschedule_appointment(
    info: Info,
    input: Annotated[RescheduleAppointmentInput, strawberry.argument(description="The visit and its new time.")],
) -> AppointmentPayload:
    """Move a booked visit to another time (and vet). Staff only."""

    async def perform(w: Write[Code]) -> AppointmentPayload:
        appointment = await locked_appointment(w, input.appointment_id)
        duration = minutes(appointment) if input.duration_minutes is None else input.duration_minutes
        return await move(w, appointment, input.start_time, duration, input.vet_id, None)

    return await SCHEDULING.run(info, AppointmentPayload, perform)


async def transition(info: Info, global_id: str, target: str, *, recurring_only: bool = False) -> AppointmentPayload:
    """Move the appointment to status `target`, if its status, its time and the caller allow it."""

    async def perform(w: Write[Code]) -> AppointmentPayload:
        appointment = await locked_appointment(w, global_id)
        if recurring_only and appointment["recurrence_id"] is None:
            w.refuse(Problem("appointmentId", Code.NOT_RECURRING, "Not part of a series."))
        if not can_move(appointment["status"], target):
            message = f"An appointment that is {appointment['status']} cannot become {target}."
            w.refuse(Problem("appointmentId", Code.INVALID_TRANSITION, message))
        now = datetime.now(UTC)
        if target == "checked_in":
            zone, _, settings = await clinic(w)
            if (problem := check_in_problem(appointment["start_time"], now, zone, settings)) is not None:
                w.refuse(problem)
        if target == "no_show" and now < appointment["start_time"]:
            w.refuse(Problem("appointmentId", Code.INVALID_TRANSITION, "A visit is missed only once it was due."))
        if target == "cancelled" and not info.context.is_staff:
            _, _, settings = await clinic(w)
            if too_late_to_cancel(appointment["start_time"], now, settings):
                message = f"Owners cancel at least {settings.cancellation_hours} hours ahead; call the clinic."
                w.refuse(Problem("appointmentId", Code.CANCELLATION_WINDOW, message))
        await sql.set_status(w.db, w.tenant, appointment["id"], target)
        return await appointment_done(w, appointment["id"])

    return await SCHEDULING.run(info, AppointmentPayload, perform)


async def cancel_appointment(info: Info, input: AppointmentArg) -> AppointmentPayload:
    """Cancel a visit that has not begun; its room is released. Owners: their own pets' visits,
    up to the clinic's cancellation window."""
    return await transition(info, input.appointment_id, "cancelled")


async def mark_no_show(info: Info, input: AppointmentArg) -> AppointmentPayload:
    """The patient did not come; its room is released. Staff only."""
    return await transition(info, input.appointment_id, "no_show")


async def check_in(info: Info, input: AppointmentArg) -> AppointmentPayload:
    """The patient arrived: sets checkedInAt/By. Staff only."""
    return await transition(info, input.appointment_id, "checked_in")


async def start_appointment(info: Info, input: AppointmentArg) -> AppointmentPayload:
    """The consultation begins: sets startedAt and waitTimeMinutes. Staff only."""
    return await transition(info, input.appointment_id, "in_progress")


async def complete_appointment(info: Info, input: AppointmentArg) -> AppointmentPayload:
    """The visit is over: sets completedAt, visitDurationMinutes and the pet's lastVisitDate. Staff only."""
    return await transition(info, input.appointment_id, "completed")
