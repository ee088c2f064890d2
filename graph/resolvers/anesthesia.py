"""Anesthesia mutations: open a log, record phases and readings, complete it. Staff only."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

import orjson
import strawberry

from db import anesthesia as sql
from db import live
from db.session import Row
from domain.anesthesia.errors import CONSTRAINTS
from domain.anesthesia.errors import AnesthesiaErrorCode as Code
from domain.anesthesia.recording import clear_open_alarms, record_vitals
from domain.anesthesia.validation import CLOCK_SKEW, validate_readings
from domain.problems import Problem
from graph.mutations import Info, Mutations, Write
from graph.permissions import clinic_of
from graph.types.alarms import AlarmEvent
from graph.types.anesthesia import AnesthesiaLog
from graph.types.anesthesia_mutations import (
    AnesthesiaLogPayload,
    AnesthesiaPhase,
    AnesthesiaUserError,
    CompleteAnesthesiaInput,
    RecordAnesthesiaPhaseInput,
    RecordVitalsInput,
    RecordVitalsPayload,
    StartAnesthesiaInput,
    VitalReadingInput,
)

RecordVitalsArg = Annotated[RecordVitalsInput, strawberry.argument(description="The log and its readings.")]
StartAnesthesiaArg = Annotated[StartAnesthesiaInput, strawberry.argument(description="The patient and procedure.")]
RecordAnesthesiaPhaseArg = Annotated[
    RecordAnesthesiaPhaseInput, strawberry.argument(description="The log, the phase and when it began.")
]
CompleteAnesthesiaArg = Annotated[CompleteAnesthesiaInput, strawberry.argument(description="The log and its outcome.")]


_READING_FIELDS = tuple(f.name for f in dataclasses.fields(VitalReadingInput))


def _reading(r: VitalReadingInput) -> dict[str, Any]:
    """The reading as the domain takes it: Python names, the depth as its stored value."""
    reading = {name: getattr(r, name) for name in _READING_FIELDS}
    depth = r.anesthesia_depth
    if depth is not None:
        reading["anesthesia_depth"] = depth.value
    return reading


ANESTHESIA = Mutations(Code, AnesthesiaUserError, CONSTRAINTS)


async def record_vitals_resolver(info: Info, input: RecordVitalsArg) -> RecordVitalsPayload:
    """Add one reading or a batch to an open log, in one transaction; alarms are judged on the way in."""
    log = ANESTHESIA.id(input.anesthesia_log_id, "AnesthesiaLog", "anesthesiaLogId")
    now = datetime.now(UTC)
    readings = [_reading(r) for r in input.vitals]
    problems = ([log] if isinstance(log, Problem) else []) + validate_readings(readings, now)
    events: list[tuple[UUID, int, str, datetime]] = []

    async def perform(w: Write[Code]) -> RecordVitalsPayload:
        assert isinstance(log, UUID)
        result = await record_vitals(w.db, w.tenant, log, w.by, readings, now)
        if result.problems:
            w.refuse(*result.problems)
        events[:] = result.events
        return RecordVitalsPayload(
            stored=sorted([*result.vitals, *result.duplicates], key=lambda r: r["seq"]),
            duplicates=len(result.duplicates),
        )

    async def with_alarm_events(payload: RecordVitalsPayload) -> RecordVitalsPayload:
        """The alarm events as committed, read in the next transaction."""
        if events:
            assert isinstance(log, UUID)
            first = events[0][1]
            rows = await live.alarm_events_after(info.context.db, clinic_of(info), log, first - 1, limit=len(events))
            payload.alarm_events = [AlarmEvent.from_row(r) for r in rows]
        return payload

    return await ANESTHESIA.run(info, RecordVitalsPayload, perform, problems=problems, then=with_alarm_events)


async def start_anesthesia(info: Info, input: StartAnesthesiaArg) -> AnesthesiaLogPayload:
    """Open an anesthesia log for a patient."""
    pet = ANESTHESIA.id(input.pet_id, "Pet", "petId")
    appointment = (
        None if input.appointment_id is None else ANESTHESIA.id(input.appointment_id, "Appointment", "appointmentId")
    )
    problems = [p for p in (pet, appointment) if isinstance(p, Problem)]
    name = input.procedure_name.strip()
    if not 1 <= len(name) <= 200:
        problems.append(Problem("procedureName", Code.INVALID, "procedureName: 1 to 200 characters."))
    assessment = input.pre_anesthesia_assessment
    if assessment is not None and not isinstance(assessment, dict):
        problems.append(Problem("preAnesthesiaAssessment", Code.INVALID, "Must be an object."))

    async def perform(w: Write[Code]) -> AnesthesiaLogPayload:
        if isinstance(appointment, UUID) and await info.context.loaders.of("Appointment").load(appointment) is None:
            w.refuse(Problem("appointmentId", Code.NOT_FOUND, "No such appointment."))
        values = {
            "pet": pet,
            "appointment": appointment,
            "procedure": name,
            "protocol": input.anesthesia_protocol,
            "assessment": None if assessment is None else orjson.dumps(assessment).decode(),
            "notes": input.notes,
            "by": w.by,
        }
        row = await sql.open_log(w.db, w.tenant, values)
        if row is None:
            w.refuse(Problem("petId", Code.NOT_FOUND, "No such pet."))
        return _saved(w, row)

    return await ANESTHESIA.run(info, AnesthesiaLogPayload, perform, problems=problems)


def _saved(w: Write[Code], row: Row) -> AnesthesiaLogPayload:
    """The log as written; the loaders learn it, and forget the pet's log list."""
    w.forget("AnesthesiaLog")
    w.prime("AnesthesiaLog", row["id"], row)
    return AnesthesiaLogPayload(anesthesia_log=AnesthesiaLog.from_row(row))


async def _open_log(w: Write[Code], global_id: str) -> Row:
    """The log, locked, if it is open; else the refusal."""
    log = ANESTHESIA.id(global_id, "AnesthesiaLog", "anesthesiaLogId")
    if isinstance(log, Problem):
        w.refuse(log)
    row = await sql.log_for_update(w.db, w.tenant, log)
    if row is None:
        w.refuse(Problem("anesthesiaLogId", Code.NOT_FOUND, "No such anesthesia log."))
    if row["completed_at"] is not None:
        w.refuse(Problem("anesthesiaLogId", Code.ALREADY_COMPLETED, "The log is completed."))
    return row


# Extubation is skipped when the patient was never intubated (mask or sedation only).
OPTIONAL_PHASES = frozenset({AnesthesiaPhase.EXTUBATION.value})


def _phase_name(column: str) -> str:
    return AnesthesiaPhase(column).name


def _phase_problem(log: Row, phase: AnesthesiaPhase, at: datetime, now: datetime) -> Problem[Code] | None:
    """Each phase once, after every phase before it (extubation may be skipped), never in the future."""
    column = phase.value
    if log[column] is not None:
        return Problem("phase", Code.PHASE_ALREADY_RECORDED, f"{phase.name} is already recorded.")
    if at > now + CLOCK_SKEW:
        return Problem("at", Code.FUTURE_READING, "A phase cannot begin in the future.")
    order = sql.PHASE_COLUMNS.index(column)
    later = [log[c] for c in sql.PHASE_COLUMNS[order + 1 :] if log[c] is not None]
    if later:  # a phase only follows the phases before it: nothing after it may be recorded already
        return Problem("phase", Code.PHASE_OUT_OF_ORDER, f"{phase.name} comes before a phase already recorded.")
    missing = [c for c in sql.PHASE_COLUMNS[:order] if log[c] is None and c not in OPTIONAL_PHASES]
    if missing:
        return Problem(
            "phase", Code.PHASE_OUT_OF_ORDER, f"{phase.name} follows {_phase_name(missing[0])}: record it first."
        )
    earlier = [log[c] for c in sql.PHASE_COLUMNS[:order] if log[c] is not None]
    if (earlier and at < max(earlier)) or (later and at > min(later)):
        return Problem("at", Code.PHASE_OUT_OF_ORDER, "Phases must move forward in time.")
    return None


async def record_anesthesia_phase(info: Info, input: RecordAnesthesiaPhaseArg) -> AnesthesiaLogPayload:
    """Record when a phase began; each phase once, in order, never in the future."""

    async def perform(w: Write[Code]) -> AnesthesiaLogPayload:
        log = await _open_log(w, input.anesthesia_log_id)
        now = datetime.now(UTC)
        at = input.at or now
        problem = _phase_problem(log, input.phase, at, now)
        if problem is not None:
            w.refuse(problem)
        row = await sql.set_phase(w.db, w.tenant, log["id"], input.phase.value, at)
        assert row is not None
        return _saved(w, row)

    return await ANESTHESIA.run(info, AnesthesiaLogPayload, perform)


async def complete_anesthesia(info: Info, input: CompleteAnesthesiaArg) -> AnesthesiaLogPayload:
    """Close the log with its outcome; open alarms are cleared and no more readings are accepted."""

    async def perform(w: Write[Code]) -> AnesthesiaLogPayload:
        log = await _open_log(w, input.anesthesia_log_id)
        values = {"outcome": input.outcome.value, "complications": input.complications, "notes": input.notes}
        row = await sql.complete(w.db, w.tenant, log["id"], values)
        assert row is not None
        await clear_open_alarms(w.db, w.tenant, log["id"], row["completed_at"])
        return _saved(w, row)

    return await ANESTHESIA.run(info, AnesthesiaLogPayload, perform)
