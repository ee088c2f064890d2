"""Visits: book and reschedule one, and move it through its day (cancel, no-show, check-in, start, complete)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

import strawberry

from db import scheduling as sql
from db.session import Row
from domain.scheduling.errors import SchedulingErrorCode as Code
from domain.scheduling.rules import Problem, can_move, check_time, too_late_to_cancel
from graph.context import Context
from graph.resolvers.scheduling.checks import (
    MAX_NOTES,
    MAX_REASON,
    VET_BOOKED,
    clinic,
    locked_appointment,
    me,
    room_fits,
    service_and_duration,
    tenant,
    text,
    uuid,
    vet,
)
from graph.resolvers.scheduling.transaction import appointment_done, appointment_refused, run
from graph.types.scheduling_mutations import (
    AppointmentActionInput,
    AppointmentPayload,
    BookAppointmentInput,
    RescheduleAppointmentInput,
)

Info = strawberry.Info[Context, None]
AppointmentArg = Annotated[AppointmentActionInput, strawberry.argument(description="The appointment.")]


async def book_appointment(
    info: Info,
    input: Annotated[BookAppointmentInput, strawberry.argument(description="The visit to book.")],
) -> AppointmentPayload:
    """Book a visit. Staff book for any patient; an owner for their own pets (their cancellation
    and advance-booking limits apply, and the clinic may need to confirm it)."""
    clinic_id, db = tenant(info), info.context.db
    by_owner = not info.context.is_staff

    async def body() -> AppointmentPayload:
        problems: list[Problem] = []
        pet = uuid(input.pet_id, "Pet", "petId")
        if isinstance(pet, Problem):
            problems.append(pet)
        if by_owner:
            for field, value in (("vetId", input.vet_id), ("serviceId", input.service_id), ("roomId", input.room_id)):
                if value is not None:
                    problems.append(Problem(field, Code.FORBIDDEN_FIELD, f"Only staff set {field}."))
        problems += text("reason", input.reason, MAX_REASON) + text("notes", input.notes, MAX_NOTES)
        if problems or isinstance(pet, Problem):
            return appointment_refused(problems)
        zone, hours, settings = await clinic(info)
        booked = await service_and_duration(info, input.service_id, input.duration_minutes, settings)
        if isinstance(booked, Problem):
            return appointment_refused([booked])
        service, duration = booked
        now = datetime.now(UTC)
        problems = check_time(input.start_time, duration, now, settings, zone, hours, by_owner=by_owner)
        if problems:
            return appointment_refused(problems)
        if not await sql.pet_visible(db, clinic_id, pet):
            return appointment_refused([Problem("petId", Code.NOT_FOUND, "No such pet.")])
        start = input.start_time.astimezone(UTC)
        end = start + timedelta(minutes=duration)
        attending = await vet(info, input.vet_id)
        if isinstance(attending, Problem):
            return appointment_refused([attending])
        if attending is not None and await sql.vet_busy(
            db, clinic_id, attending, start, end, settings.buffer_time, None
        ):
            return appointment_refused([VET_BOOKED])
        room = None if input.room_id is None else uuid(input.room_id, "ExamRoom", "roomId")
        if isinstance(room, Problem):
            return appointment_refused([room])
        if room is not None and (problem := await room_fits(info, room, start, end)) is not None:
            return appointment_refused([problem])
        status = "scheduled" if by_owner and settings.require_confirmation else "confirmed"
        row = await sql.insert_appointment(
            db,
            clinic_id,
            {
                "pet": pet,
                "vet": attending,
                "service": service,
                "start": start,
                "end": end,
                "status": status,
                "reason": input.reason,
                "notes": input.notes,
                "by": me(info),
                "recurrence": None,
            },
        )
        if row is None:
            return appointment_refused([VET_BOOKED])
        if room is not None:
            await sql.assign(db, clinic_id, row["id"], room, me(info))
        return await appointment_done(info, row["id"])

    return await run(info, body, appointment_refused)


async def move(
    info: Info,
    appointment: Row,
    start: datetime,
    duration: int,
    vet_id: str | None,
    reason: str | None,
) -> AppointmentPayload:
    """New time (and vet) for a booked visit; its room follows if it still fits."""
    if appointment["status"] not in ("scheduled", "confirmed"):
        return appointment_refused(
            [Problem("appointmentId", Code.INVALID_TRANSITION, f"The appointment is {appointment['status']}.")]
        )
    clinic_id, db = tenant(info), info.context.db
    zone, hours, settings = await clinic(info)
    problems = check_time(start, duration, datetime.now(UTC), settings, zone, hours, by_owner=False)
    problems += text("reason", reason, MAX_REASON)
    if problems:
        return appointment_refused(problems)
    attending = await vet(info, vet_id) if vet_id is not None else appointment["vet_id"]
    if isinstance(attending, Problem):
        return appointment_refused([attending])
    start = start.astimezone(UTC)
    end = start + timedelta(minutes=duration)
    if attending is not None and await sql.vet_busy(
        db, clinic_id, attending, start, end, settings.buffer_time, appointment["id"]
    ):
        return appointment_refused([VET_BOOKED])
    values = {
        "start": start,
        "end": end,
        "vet": attending,
        "reason": appointment["reason"] if reason is None else reason,
    }
    await sql.move(db, clinic_id, appointment["id"], values)  # room capacity re-checked by the database
    return await appointment_done(info, appointment["id"])


def minutes(row: Row) -> int:
    """How long the appointment is booked for."""
    return int((row["end_time"] - row["start_time"]).total_seconds() // 60)


async def reschedule_appointment(
    info: Info,
    input: Annotated[RescheduleAppointmentInput, strawberry.argument(description="The visit and its new time.")],
) -> AppointmentPayload:
    """Move a booked visit to another time (and vet). Staff only."""

    async def body() -> AppointmentPayload:
        appointment = await locked_appointment(info, input.appointment_id)
        if isinstance(appointment, Problem):
            return appointment_refused([appointment])
        duration = minutes(appointment) if input.duration_minutes is None else input.duration_minutes
        return await move(info, appointment, input.start_time, duration, input.vet_id, None)

    return await run(info, body, appointment_refused)


async def transition(info: Info, global_id: str, target: str, *, recurring_only: bool = False) -> AppointmentPayload:
    """Move the appointment to status `target`, if its status, its time and the caller allow it."""

    async def body() -> AppointmentPayload:
        appointment = await locked_appointment(info, global_id)
        if isinstance(appointment, Problem):
            return appointment_refused([appointment])
        if recurring_only and appointment["recurrence_id"] is None:
            return appointment_refused([Problem("appointmentId", Code.NOT_RECURRING, "Not part of a series.")])
        if not can_move(appointment["status"], target):
            message = f"An appointment that is {appointment['status']} cannot become {target}."
            return appointment_refused([Problem("appointmentId", Code.INVALID_TRANSITION, message)])
        now = datetime.now(UTC)
        if target == "no_show" and now < appointment["start_time"]:
            return appointment_refused(
                [Problem("appointmentId", Code.INVALID_TRANSITION, "A visit is missed only once it was due.")]
            )
        if target == "cancelled" and not info.context.is_staff:
            _, _, settings = await clinic(info)
            if too_late_to_cancel(appointment["start_time"], now, settings):
                message = f"Owners cancel at least {settings.cancellation_hours} hours ahead; call the clinic."
                return appointment_refused([Problem("appointmentId", Code.CANCELLATION_WINDOW, message)])
        await sql.set_status(info.context.db, tenant(info), appointment["id"], target)
        return await appointment_done(info, appointment["id"])

    return await run(info, body, appointment_refused)


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
