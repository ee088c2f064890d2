"""Recurring series: create one and book it ahead; cancel or edit one occurrence, or cancel the rest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated
from uuid import UUID
from zoneinfo import ZoneInfo

import strawberry

from db import scheduling as sql
from domain.problems import Problem
from domain.scheduling import recurrence as rec
from domain.scheduling.errors import VET_BOOKED
from domain.scheduling.errors import SchedulingErrorCode as Code
from domain.scheduling.rules import Hours, Settings, check_time
from graph.mutations import Info, Write
from graph.resolvers.scheduling.checks import (
    MAX_REASON,
    SCHEDULING,
    at_most,
    clinic,
    locked_appointment,
    room_fits,
    saved,
    service_and_duration,
    vet,
)
from graph.resolvers.scheduling.visits import AppointmentArg, minutes, move, transition
from graph.types.scheduling_mutations import (
    AppointmentPayload,
    AppointmentRecurrence,
    CancelRecurrenceInput,
    CancelRecurrencePayload,
    CreateRecurringAppointmentsInput,
    EditOccurrenceInput,
    OccurrenceConflict,
    RecurringAppointmentsPayload,
)


def _pattern_problems(input: CreateRecurringAppointmentsInput) -> list[Problem[Code]]:
    problems = at_most("reason", input.reason, MAX_REASON)
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


def _pattern(input: CreateRecurringAppointmentsInput) -> rec.Pattern:
    """The series' pattern; a weekly or monthly one without its day repeats on the day it starts."""
    return rec.Pattern(
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


@dataclass(frozen=True, slots=True)
class _Booking:
    """What every occurrence of a new series is booked with."""

    pet: UUID
    service: UUID | None
    vet: UUID | None
    room: UUID | None
    duration: int
    zone: ZoneInfo
    hours: Hours
    settings: Settings
    now: datetime


async def _booking(w: Write[Code], pet: UUID, input: CreateRecurringAppointmentsInput) -> _Booking:
    """The series' service, duration, vet and room, checked against the clinic (refused when not its own)."""
    zone, hours, settings = await clinic(w)
    service, duration = await service_and_duration(w, input.service_id, input.duration_minutes, settings)
    if not 1 <= duration <= 1440:
        w.refuse(Problem("durationMinutes", Code.INVALID, "durationMinutes: 1 to 1440."))
    attending = await vet(w, input.vet_id)
    room = None if input.room_id is None else SCHEDULING.id(input.room_id, "ExamRoom", "roomId")
    if isinstance(room, Problem):
        w.refuse(room)
    if room is not None and await sql.room(w.db, w.tenant, room) is None:
        w.refuse(Problem("roomId", Code.NOT_FOUND, "No such room."))
    return _Booking(pet, service, attending, room, duration, zone, hours, settings, datetime.now(UTC))


async def _book_occurrence(
    w: Write[Code], b: _Booking, series: UUID, day: date, input: CreateRecurringAppointmentsInput
) -> UUID | OccurrenceConflict:
    """One occurrence booked (its appointment's id), or why it could not be."""
    start = rec.local_instant(day, input.time_of_day, b.zone)
    end = start + timedelta(minutes=b.duration)
    found = check_time(start, b.duration, b.now, b.settings, b.zone, b.hours, by_owner=False)
    problem = found[0] if found else None
    if (
        problem is None
        and b.vet is not None
        and await sql.vet_busy(w.db, w.tenant, b.vet, start, end, b.settings.buffer_time, None)
    ):
        problem = VET_BOOKED
    if problem is None and b.room is not None:
        problem = await room_fits(w, b.room, start, end)
    if problem is None:
        values = {
            "pet": b.pet,
            "vet": b.vet,
            "service": b.service,
            "start": start,
            "end": end,
            "status": "confirmed",
            "reason": input.reason,
            "notes": None,
            "by": w.by,
            "recurrence": series,
            "emergency": False,
        }
        row = await sql.insert_appointment(w.db, w.tenant, values)
        if row is not None:
            if b.room is not None:
                await sql.assign(w.db, w.tenant, row["id"], b.room, w.by)
            return UUID(str(row["id"]))
        problem = VET_BOOKED
    return OccurrenceConflict(start_time=start, code=problem.code, message=problem.message)


async def create_recurring_appointments(
    info: Info,
    input: Annotated[CreateRecurringAppointmentsInput, strawberry.argument(description="The pattern and the visit.")],
) -> RecurringAppointmentsPayload:
    """Create a series and book its occurrences up to the horizon. Occurrences that cannot be
    booked (vet or room taken, clinic closed) are reported in `conflicts`. Staff only."""
    pet = SCHEDULING.id(input.pet_id, "Pet", "petId")
    problems = ([pet] if isinstance(pet, Problem) else []) + _pattern_problems(input)

    async def perform(w: Write[Code]) -> RecurringAppointmentsPayload:
        assert isinstance(pet, UUID)
        b = await _booking(w, pet, input)
        pattern = _pattern(input)
        until = b.now.astimezone(b.zone).date() + timedelta(days=input.horizon_days)
        dates, complete = rec.expand(pattern, until)
        if len(dates) > rec.MAX_MATERIALIZED:
            w.refuse(
                Problem("horizonDays", Code.TOO_MANY, f"At most {rec.MAX_MATERIALIZED} visits at once; shorten it.")
            )
        series = await sql.insert_recurrence(
            w.db,
            w.tenant,
            {
                "pet": pet,
                "service": b.service,
                "vet": b.vet,
                "room": b.room,
                "reason": input.reason,
                "pattern": pattern.pattern,
                "day_of_week": pattern.day_of_week,
                "day_of_month": pattern.day_of_month,
                "time_of_day": input.time_of_day,
                "duration": b.duration,
                "starts_on": input.starts_on,
                "ends_on": input.ends_on,
                "max_occurrences": input.max_occurrences,
                "by": w.by,
            },
        )
        if series is None:
            w.refuse(Problem("petId", Code.NOT_FOUND, "No such pet."))
        outcomes = [await _book_occurrence(w, b, series["id"], day, input) for day in dates]
        booked = [o for o in outcomes if isinstance(o, UUID)]
        last = dates[-1] if complete and dates else until
        finished = await sql.finish_recurrence(w.db, w.tenant, series["id"], len(booked), last, not complete)
        assert finished is not None
        rows = [await sql.appointment(w.db, w.tenant, a) for a in booked]
        w.prime("AppointmentRecurrence", finished["id"], finished)
        return RecurringAppointmentsPayload(
            recurrence=AppointmentRecurrence.from_row(finished),
            appointments=[saved(w, r) for r in rows if r is not None],
            conflicts=[o for o in outcomes if isinstance(o, OccurrenceConflict)],
        )

    return await SCHEDULING.run(info, RecurringAppointmentsPayload, perform, problems=problems)


async def cancel_occurrence(info: Info, input: AppointmentArg) -> AppointmentPayload:
    """Cancel one occurrence of a series; the others stay. Staff only."""
    return await transition(info, input.appointment_id, "cancelled", recurring_only=True)


async def cancel_recurrence(
    info: Info,
    input: Annotated[CancelRecurrenceInput, strawberry.argument(description="The first occurrence to cancel.")],
) -> CancelRecurrencePayload:
    """Cancel this occurrence and all following ones; the series ends the day before. Staff only."""

    async def perform(w: Write[Code]) -> CancelRecurrencePayload:
        db, clinic_id = w.db, w.tenant
        appointment = await locked_appointment(w, input.from_appointment_id, "fromAppointmentId")
        if appointment["recurrence_id"] is None:
            w.refuse(Problem("fromAppointmentId", Code.NOT_RECURRING, "Not part of a series."))
        series = await sql.recurrence(db, clinic_id, appointment["recurrence_id"])
        assert series is not None
        zone, _, _ = await clinic(w)
        cancelled = await sql.cancel_following(db, clinic_id, series["id"], appointment["start_time"])
        last_day: date | None = appointment["start_time"].astimezone(zone).date() - timedelta(days=1)
        if last_day is not None and last_day < series["starts_on"]:
            last_day = None
        ended = await sql.end_recurrence(db, clinic_id, series["id"], last_day)
        assert ended is not None
        w.prime("AppointmentRecurrence", ended["id"], ended)
        return CancelRecurrencePayload(
            recurrence=AppointmentRecurrence.from_row(ended), cancelled=[saved(w, r) for r in cancelled]
        )

    return await SCHEDULING.run(info, CancelRecurrencePayload, perform)


async def edit_occurrence(
    info: Info,
    input: Annotated[EditOccurrenceInput, strawberry.argument(description="The occurrence and what changes.")],
) -> AppointmentPayload:
    """Change the time, length, vet or reason of one occurrence; the series stays. Staff only."""

    async def perform(w: Write[Code]) -> AppointmentPayload:
        appointment = await locked_appointment(w, input.appointment_id)
        if appointment["recurrence_id"] is None:
            w.refuse(Problem("appointmentId", Code.NOT_RECURRING, "Not part of a series."))
        start = input.start_time or appointment["start_time"]
        duration = minutes(appointment) if input.duration_minutes is None else input.duration_minutes
        return await move(w, appointment, start, duration, input.vet_id, input.reason)

    return await SCHEDULING.run(info, AppointmentPayload, perform)
