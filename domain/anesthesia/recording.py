"""Recording readings: one transaction that numbers, stores and judges them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from db import anesthesia as sql
from db.session import RequestDb, Row
from domain.anesthesia.alarms import evaluate
from domain.anesthesia.errors import AnesthesiaErrorCode
from domain.anesthesia.thresholds import thresholds_for
from domain.problems import Problem


@dataclass
class Recorded:
    vitals: list[Row] = field(default_factory=list)
    duplicates: list[Row] = field(default_factory=list)
    # (alarm id, seq, transition, at) of each alarm transition, in order
    events: list[tuple[UUID, int, str, datetime]] = field(default_factory=list)
    problems: list[Problem[AnesthesiaErrorCode]] = field(default_factory=list)


async def record_vitals(
    db: RequestDb, tenant: str, log: UUID, by: UUID, readings: Sequence[Mapping[str, Any]], now: datetime
) -> Recorded:
    """Store validated readings on an open log and raise or clear alarms; the caller commits."""
    out = Recorded()
    rows = [{**r, "recorded_at": r.get("recorded_at") or now} for r in readings]
    state = await sql.reserve(db, tenant, log, len(rows))
    if state is None:
        closed = await sql.log_is_closed(db, tenant, log)
        if closed:
            out.problems.append(Problem("anesthesiaLogId", AnesthesiaErrorCode.LOG_CLOSED, "The log is completed."))
        else:
            out.problems.append(Problem("anesthesiaLogId", AnesthesiaErrorCode.NOT_FOUND, "No such anesthesia log."))
        return out
    first_seq = int(state["vitals_seq"]) - len(rows) + 1
    inserted = await sql.insert_vitals(db, tenant, log, by, first_seq, rows)
    out.vitals, out.duplicates = inserted.vitals, inserted.duplicates
    if not out.vitals:
        return out

    weight = state["weight_kg"]
    limits = thresholds_for(state["species"], None if weight is None else float(weight), state["alarm_thresholds"])
    open_kinds = inserted.open_alarms
    # Alarms follow the newest readings: judge in time order; a late reading taken before the newest
    # one already judged is stored but changes no alarm.
    latest = inserted.latest_at
    judged = sorted(
        (v for v in out.vitals if latest is None or v["recorded_at"] >= latest),
        key=lambda v: (v["recorded_at"], v["seq"]),
    )
    transitions = evaluate(judged, limits, open_kinds)
    if not transitions:
        return out
    last_seq = await sql.reserve_alarm_seq(db, tenant, log, len(transitions))
    seq = last_seq - len(transitions)
    for index, change in transitions:
        vital = judged[index]
        seq += 1
        if change.transition == "cleared":
            alarm_id = await sql.clear_alarm(db, tenant, log, change.family, vital["recorded_at"], vital["id"])
            if alarm_id is None:  # defensive: nothing open after all
                continue
        else:
            assert change.alarm is not None
            a = change.alarm
            alarm = {
                "kind": a.kind,
                "family": a.family,
                "severity": a.severity,
                "message": a.message,
                "value": a.value,
                "threshold": a.threshold,
            }
            alarm_id = await sql.raise_alarm(db, tenant, log, alarm, vital["recorded_at"], vital["id"])
        out.events.append((alarm_id, seq, change.transition, vital["recorded_at"]))
    await sql.insert_alarm_events(db, tenant, log, out.events)
    return out


async def clear_open_alarms(db: RequestDb, tenant: str, log: UUID, at: datetime) -> int:
    """On completion: every open alarm of the log is cleared, each with an event."""
    families = await sql.open_alarm_families(db, tenant, log)
    if not families:
        return 0
    last_seq = await sql.reserve_alarm_seq(db, tenant, log, len(families))
    events = []
    for offset, family in enumerate(families):
        alarm_id = await sql.clear_alarm(db, tenant, log, family, at, None)
        if alarm_id is not None:
            events.append((alarm_id, last_seq - len(families) + 1 + offset, "cleared", at))
    await sql.insert_alarm_events(db, tenant, log, events)
    return len(events)
