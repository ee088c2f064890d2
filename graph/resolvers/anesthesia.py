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
from domain.anesthesia.errors import AnesthesiaErrorCode as Code
from domain.anesthesia.recording import clear_open_alarms, record_vitals
from domain.anesthesia.validation import CLOCK_SKEW, Problem, validate_readings
from graph.context import Context
from graph.resolvers.user_errors import global_uuid, tenant_of, user_errors
from graph.types.alarms import AlarmEvent
from graph.types.anesthesia import AnesthesiaLog
from graph.types.anesthesia_mutations import (
    AnesthesiaLogPayload,
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


def _errors(problems: list[Problem]) -> list[AnesthesiaUserError]:
    return user_errors(problems, AnesthesiaUserError)


_READING_FIELDS = tuple(f.name for f in dataclasses.fields(VitalReadingInput))


def _reading(r: VitalReadingInput) -> dict[str, Any]:
    """The reading as the domain takes it: Python names, the depth as its stored value."""
    reading = {name: getattr(r, name) for name in _READING_FIELDS}
    depth = r.anesthesia_depth
    if depth is not None:
        reading["anesthesia_depth"] = depth.value
    return reading


def _uuid(global_id: str, type_name: str, field: str) -> UUID | Problem:
    """The UUID of a global ID, or a NOT_FOUND Problem naming the field."""
    key = global_uuid(global_id, type_name)
    return Problem(field, Code.NOT_FOUND, f"Not an ID of a {type_name}.") if key is None else key


async def record_vitals_resolver(info: strawberry.Info[Context, None], input: RecordVitalsArg) -> RecordVitalsPayload:
    """Add one reading or a batch to an open log, in one transaction; alarms are judged on the way in."""
    ctx = info.context
    log = _uuid(input.anesthesia_log_id, "AnesthesiaLog", "anesthesiaLogId")
    now = datetime.now(UTC)
    readings = [_reading(r) for r in input.vitals]
    problems = ([log] if isinstance(log, Problem) else []) + validate_readings(readings, now)
    if problems:
        return RecordVitalsPayload(stored=[], duplicates=0, alarm_events=[], user_errors=_errors(problems))
    assert ctx.claims is not None and isinstance(log, UUID)
    result = await record_vitals(ctx.db, tenant_of(info), log, ctx.claims.sub, readings, now)
    if result.problems:
        return RecordVitalsPayload(stored=[], duplicates=0, alarm_events=[], user_errors=_errors(result.problems))
    await ctx.db.commit()
    by_seq = sorted([*result.vitals, *result.duplicates], key=lambda r: r["seq"])
    events: list[AlarmEvent] = []
    if result.events:
        first_seq = result.events[0][1]
        rows = await live.alarm_events_after(ctx.db, tenant_of(info), log, first_seq - 1, limit=len(result.events))
        events = [AlarmEvent.from_row(r) for r in rows]
    return RecordVitalsPayload(
        stored=by_seq,
        duplicates=len(result.duplicates),
        alarm_events=events,
        user_errors=[],
    )


async def start_anesthesia(info: strawberry.Info[Context, None], input: StartAnesthesiaArg) -> AnesthesiaLogPayload:
    """Open an anesthesia log for a patient."""
    ctx = info.context
    problems: list[Problem] = []
    pet = _uuid(input.pet_id, "Pet", "petId")
    appointment = None if input.appointment_id is None else _uuid(input.appointment_id, "Appointment", "appointmentId")
    for value in (pet, appointment):
        if isinstance(value, Problem):
            problems.append(value)
    name = input.procedure_name.strip()
    if not 1 <= len(name) <= 200:
        problems.append(Problem("procedureName", Code.INVALID, "procedureName: 1 to 200 characters."))
    assessment = input.pre_anesthesia_assessment
    if assessment is not None and not isinstance(assessment, dict):
        problems.append(Problem("preAnesthesiaAssessment", Code.INVALID, "Must be an object."))
    if problems:
        return AnesthesiaLogPayload(anesthesia_log=None, user_errors=_errors(problems))
    assert ctx.claims is not None
    tenant = tenant_of(info)
    if isinstance(appointment, UUID) and await ctx.loaders.of("Appointment").load(appointment) is None:
        return AnesthesiaLogPayload(
            anesthesia_log=None, user_errors=_errors([Problem("appointmentId", Code.NOT_FOUND, "No such appointment.")])
        )
    row = await sql.open_log(
        ctx.db,
        tenant,
        {
            "pet": pet,
            "appointment": appointment,
            "procedure": name,
            "protocol": input.anesthesia_protocol,
            "assessment": None if assessment is None else orjson.dumps(assessment).decode(),
            "notes": input.notes,
            "by": ctx.claims.sub,
        },
    )
    if row is None:
        return AnesthesiaLogPayload(
            anesthesia_log=None, user_errors=_errors([Problem("petId", Code.NOT_FOUND, "No such pet.")])
        )
    await ctx.db.commit()
    return AnesthesiaLogPayload(anesthesia_log=AnesthesiaLog.from_row(row), user_errors=[])


async def _open_log(info: strawberry.Info[Context, None], global_id: str) -> Row | Problem:
    log = _uuid(global_id, "AnesthesiaLog", "anesthesiaLogId")
    if isinstance(log, Problem):
        return log
    row = await sql.log_for_update(info.context.db, tenant_of(info), log)
    if row is None:
        return Problem("anesthesiaLogId", Code.NOT_FOUND, "No such anesthesia log.")
    if row["completed_at"] is not None:
        return Problem("anesthesiaLogId", Code.ALREADY_COMPLETED, "The log is completed.")
    return row


async def record_anesthesia_phase(
    info: strawberry.Info[Context, None],
    input: RecordAnesthesiaPhaseArg,
) -> AnesthesiaLogPayload:
    """Record when a phase began; each phase once, in order, never in the future."""
    log = await _open_log(info, input.anesthesia_log_id)
    if isinstance(log, Problem):
        return AnesthesiaLogPayload(anesthesia_log=None, user_errors=_errors([log]))
    column = input.phase.value
    now = datetime.now(UTC)
    at = input.at or now
    problem = None
    if log[column] is not None:
        problem = Problem("phase", Code.PHASE_ALREADY_RECORDED, f"{input.phase.name} is already recorded.")
    elif at > now + CLOCK_SKEW:
        problem = Problem("at", Code.FUTURE_READING, "A phase cannot begin in the future.")
    else:
        order = sql.PHASE_COLUMNS.index(column)
        earlier = [log[c] for c in sql.PHASE_COLUMNS[:order] if log[c] is not None]
        later = [log[c] for c in sql.PHASE_COLUMNS[order + 1 :] if log[c] is not None]
        if (earlier and at < max(earlier)) or (later and at > min(later)):
            problem = Problem("at", Code.PHASE_OUT_OF_ORDER, "Phases must move forward in time.")
    if problem is not None:
        return AnesthesiaLogPayload(anesthesia_log=None, user_errors=_errors([problem]))
    row = await sql.set_phase(info.context.db, tenant_of(info), log["id"], column, at)
    assert row is not None
    await info.context.db.commit()
    return AnesthesiaLogPayload(anesthesia_log=AnesthesiaLog.from_row(row), user_errors=[])


async def complete_anesthesia(
    info: strawberry.Info[Context, None],
    input: CompleteAnesthesiaArg,
) -> AnesthesiaLogPayload:
    """Close the log with its outcome; open alarms are cleared and no more readings are accepted."""
    log = await _open_log(info, input.anesthesia_log_id)
    if isinstance(log, Problem):
        return AnesthesiaLogPayload(anesthesia_log=None, user_errors=_errors([log]))
    tenant = tenant_of(info)
    db = info.context.db
    row = await sql.complete(
        db,
        tenant,
        log["id"],
        {"outcome": input.outcome.value, "complications": input.complications, "notes": input.notes},
    )
    assert row is not None
    await clear_open_alarms(db, tenant, log["id"], row["completed_at"])
    await db.commit()
    return AnesthesiaLogPayload(anesthesia_log=AnesthesiaLog.from_row(row), user_errors=[])
