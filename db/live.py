"""SQL of live monitoring: log snapshots and what was committed after a position."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import text

from db.expressions import ALARM_IS_OPEN
from db.session import RequestDb, Row

# The alarm's own columns under their names (graph/types/alarms.py reads them as an AnesthesiaAlarm row).
_ALARM_OPEN = ALARM_IS_OPEN.select("a")

# What the listener connection sends to see that it is still alive.
PING = "SELECT 1"

_LOG = text(
    "SELECT id, pet_id, vitals_seq, alarm_seq, completed_at FROM anesthesia_logs"
    " WHERE tenant_id = :tenant AND id = :log"
)
_VITALS_AFTER = text(
    "SELECT * FROM anesthesia_vitals WHERE tenant_id = :tenant AND anesthesia_log_id = :log AND seq > :after"
    " ORDER BY seq LIMIT :limit"
)
_VITALS_SINCE = text(
    "SELECT * FROM anesthesia_vitals WHERE tenant_id = :tenant AND anesthesia_log_id = :log"
    " AND recorded_at > :since AND seq <= :upto ORDER BY seq"
)
_ALARM_EVENTS = (
    "SELECT e.anesthesia_log_id, e.seq, e.transition, e.occurred_at, a.id AS alarm_id, a.kind, a.family,"
    f" a.severity, a.message, a.value, a.threshold, a.raised_at, a.cleared_at, a.id, {_ALARM_OPEN}"
    " FROM anesthesia_alarm_events e JOIN anesthesia_alarms a ON a.tenant_id = e.tenant_id AND a.id = e.alarm_id"
    " WHERE e.tenant_id = :tenant"
)
_ALARM_EVENTS_AFTER = text(
    _ALARM_EVENTS + " AND e.anesthesia_log_id = :log AND e.seq > :after ORDER BY e.seq LIMIT :limit"
)
# All logs of a clinic: known logs after their position; logs first seen later, since the feed began.
_CLINIC_ALARM_EVENTS = text(
    "SELECT e.anesthesia_log_id, e.seq, e.transition, e.occurred_at, a.id AS alarm_id, a.kind, a.family,"
    f" a.severity, a.message, a.value, a.threshold, a.raised_at, a.cleared_at, a.id, {_ALARM_OPEN}"
    " FROM anesthesia_alarm_events e"
    " JOIN anesthesia_alarms a ON a.tenant_id = e.tenant_id AND a.id = e.alarm_id"
    " LEFT JOIN unnest(CAST(:logs AS uuid[]), CAST(:highs AS bigint[])) AS k(log, high)"
    " ON k.log = e.anesthesia_log_id"
    " WHERE e.tenant_id = :tenant AND e.seq > coalesce(k.high, 0)"
    " AND (k.high IS NOT NULL OR e.occurred_at >= :begun)"
    " ORDER BY e.anesthesia_log_id, e.seq LIMIT :limit"
)
# Open logs, and any log with transitions inside the grace window (e.g. completed a moment ago): a
# clinic-wide subscriber starts after their current position, never replaying what came before it.
_OPEN_LOG_POSITIONS = text(
    "SELECT l.id, l.alarm_seq FROM anesthesia_logs l WHERE l.tenant_id = :tenant AND (l.completed_at IS NULL"
    " OR EXISTS (SELECT 1 FROM anesthesia_alarm_events e WHERE e.tenant_id = l.tenant_id"
    " AND e.anesthesia_log_id = l.id AND e.occurred_at >= :begun))"
)


async def log_snapshot(db: RequestDb, tenant: str, log: UUID) -> Row | None:
    """The log if the caller may see it (RLS), with its newest vital and alarm numbers."""
    return await db.fetch_one(_LOG, {"tenant": tenant, "log": log})


async def vitals_after(db: RequestDb, tenant: str, log: UUID, after: int, limit: int = 1000) -> Sequence[Row]:
    return await db.fetch(_VITALS_AFTER, {"tenant": tenant, "log": log, "after": after, "limit": limit})


async def vitals_since(db: RequestDb, tenant: str, log: UUID, since: datetime, upto: int) -> Sequence[Row]:
    return await db.fetch(_VITALS_SINCE, {"tenant": tenant, "log": log, "since": since, "upto": upto})


async def alarm_events_after(
    db: RequestDb, tenant: str, log: UUID, after: int, limit: int = 1000
) -> Sequence[Row]:
    return await db.fetch(_ALARM_EVENTS_AFTER, {"tenant": tenant, "log": log, "after": after, "limit": limit})


async def clinic_alarm_events(
    db: RequestDb, tenant: str, highs: dict[UUID, int], begun: datetime, limit: int = 1000
) -> Sequence[Row]:
    logs = list(highs)
    return await db.fetch(
        _CLINIC_ALARM_EVENTS,
        {"tenant": tenant, "logs": logs, "highs": [highs[k] for k in logs], "begun": begun, "limit": limit},
    )


async def open_log_positions(db: RequestDb, tenant: str, begun: datetime) -> dict[UUID, int]:
    rows = await db.fetch(_OPEN_LOG_POSITIONS, {"tenant": tenant, "begun": begun})
    return {row["id"]: row["alarm_seq"] for row in rows}
