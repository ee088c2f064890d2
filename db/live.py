"""SQL of live monitoring: log snapshots, what was committed after a position, and the state to start from."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import text

from db.expressions import ALARM_IS_OPEN
from db.session import RequestDb, Row

# The alarm's own columns under their names (graph/types/alarms.py reads them as an AnesthesiaAlarm row).
_ALARM_OPEN = ALARM_IS_OPEN.select("a")
_EVENT_COLUMNS = (
    "e.anesthesia_log_id, e.seq, e.transition, e.occurred_at, a.id AS alarm_id, a.kind, a.family,"
    f" a.severity, a.message, a.value, a.threshold, a.raised_at, a.cleared_at, a.id, {_ALARM_OPEN}"
)
_EVENT_FROM = (
    " FROM anesthesia_alarm_events e JOIN anesthesia_alarms a ON a.tenant_id = e.tenant_id AND a.id = e.alarm_id"
)

# What the listener connection sends to see that it is still alive.
PING = "SELECT 1"

_LOG = text(
    "SELECT id, pet_id, vitals_seq, alarm_seq, completed_at FROM anesthesia_logs"
    " WHERE tenant_id = :tenant AND id = :log"
)
# New rows and, in the same snapshot, whether the log is completed and its newest number: a
# completed log whose newest number has been read has nothing more to send.
_VITALS_AFTER = text(
    "SELECT l.completed_at IS NOT NULL AS log_completed, l.vitals_seq AS log_seq, v.*"
    " FROM anesthesia_logs l LEFT JOIN LATERAL (SELECT * FROM anesthesia_vitals v"
    "  WHERE v.tenant_id = l.tenant_id AND v.anesthesia_log_id = l.id AND v.seq > :after"
    "  ORDER BY v.seq LIMIT :limit) v ON true"
    " WHERE l.tenant_id = :tenant AND l.id = :log ORDER BY v.seq"
)
# `since` is an instant a reading was taken: at or after it (readings share instants, e.g. a batch).
_VITALS_SINCE = text(
    "SELECT * FROM anesthesia_vitals WHERE tenant_id = :tenant AND anesthesia_log_id = :log"
    " AND recorded_at >= :since AND seq <= :upto ORDER BY seq"
)
_ALARM_EVENTS_AFTER = text(
    "SELECT " + _EVENT_COLUMNS + _EVENT_FROM +
    " WHERE e.tenant_id = :tenant AND e.anesthesia_log_id = :log AND e.seq > :after ORDER BY e.seq LIMIT :limit"
)
_ALARM_STREAM_AFTER = text(
    "SELECT l.completed_at IS NOT NULL AS log_completed, l.alarm_seq AS log_seq, ev.*"
    " FROM anesthesia_logs l LEFT JOIN LATERAL (SELECT " + _EVENT_COLUMNS + _EVENT_FROM +
    "  WHERE e.tenant_id = l.tenant_id AND e.anesthesia_log_id = l.id AND e.seq > :after"
    "  ORDER BY e.seq LIMIT :limit) ev ON true"
    " WHERE l.tenant_id = :tenant AND l.id = :log ORDER BY ev.seq"
)
# The alarms open at a log's position `upto`: raised at or before it and not cleared at or before it,
# each under the number of its RAISED transition. The same whatever committed after `upto`.
_ACTIVE_AT = (
    "SELECT " + _EVENT_COLUMNS + _EVENT_FROM +
    " WHERE e.tenant_id = :tenant AND e.transition = 'raised' AND {logs}"
    " AND NOT EXISTS (SELECT 1 FROM anesthesia_alarm_events c WHERE c.tenant_id = e.tenant_id"
    "  AND c.anesthesia_log_id = e.anesthesia_log_id AND c.alarm_id = e.alarm_id AND c.transition = 'cleared'"
    "  AND c.seq <= {upto})"
    " ORDER BY e.anesthesia_log_id, e.seq"
)
_ACTIVE_AT_LOG = text(_ACTIVE_AT.format(logs="e.anesthesia_log_id = :log AND e.seq <= :upto", upto=":upto"))
_ACTIVE_AT_LOGS = text(
    _ACTIVE_AT.replace(_EVENT_FROM, _EVENT_FROM + " JOIN unnest(CAST(:logs AS uuid[]), CAST(:highs AS bigint[]))"
                       " AS k(log, high) ON k.log = e.anesthesia_log_id").format(logs="e.seq <= k.high", upto="k.high")
)
# All logs of a clinic: known logs after their position; logs first seen later, since the feed began.
_CLINIC_ALARM_EVENTS = text(
    "SELECT " + _EVENT_COLUMNS + _EVENT_FROM +
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


def _page(rows: Sequence[Row], after: int) -> tuple[list[Row], bool]:
    """(the rows, whether the log is completed and nothing after them remains)."""
    found = [r for r in rows if r["seq"] is not None]
    if not rows:  # the log is gone, or no longer visible: nothing more will come
        return found, True
    high = found[-1]["seq"] if found else after
    return found, bool(rows[0]["log_completed"]) and high >= rows[0]["log_seq"]


async def vitals_after(
    db: RequestDb, tenant: str, log: UUID, after: int, limit: int = 1000
) -> tuple[list[Row], bool]:
    """Readings numbered after `after` (at most `limit`), and whether the log has ended with them."""
    rows = await db.fetch(_VITALS_AFTER, {"tenant": tenant, "log": log, "after": after, "limit": limit})
    return _page(rows, after)


async def vitals_since(db: RequestDb, tenant: str, log: UUID, since: datetime, upto: int) -> Sequence[Row]:
    return await db.fetch(_VITALS_SINCE, {"tenant": tenant, "log": log, "since": since, "upto": upto})


async def alarm_events_after(
    db: RequestDb, tenant: str, log: UUID, after: int, limit: int = 1000
) -> Sequence[Row]:
    return await db.fetch(_ALARM_EVENTS_AFTER, {"tenant": tenant, "log": log, "after": after, "limit": limit})


async def alarm_stream_after(
    db: RequestDb, tenant: str, log: UUID, after: int, limit: int = 1000
) -> tuple[list[Row], bool]:
    """Alarm transitions numbered after `after`, and whether the log has ended with them."""
    rows = await db.fetch(_ALARM_STREAM_AFTER, {"tenant": tenant, "log": log, "after": after, "limit": limit})
    return _page(rows, after)


async def alarms_active_at(db: RequestDb, tenant: str, positions: dict[UUID, int]) -> Sequence[Row]:
    """The RAISED transitions of the alarms open at each log's position, by log then number."""
    if len(positions) == 1:
        ((log, upto),) = positions.items()
        return await db.fetch(_ACTIVE_AT_LOG, {"tenant": tenant, "log": log, "upto": upto})
    logs = list(positions)
    return await db.fetch(
        _ACTIVE_AT_LOGS, {"tenant": tenant, "logs": logs, "highs": [positions[k] for k in logs]}
    )


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


# --- the operating block ---------------------------------------------------------------------------------------

_SURGERY_POSITION = text("SELECT seq FROM surgery_event_counters WHERE tenant_id = :tenant")
_SURGERY_AFTER = text(
    "SELECT * FROM surgery_events WHERE tenant_id = :tenant AND seq > :after ORDER BY seq LIMIT :limit"
)
# The open surgeries at the clinic's position `upto`: every event up to it of the logs open then (open
# now, or completed by a later event), but alarms cleared by then (and their clearing). Index paths only:
# the open logs, the events after `upto`, and each of those logs' events; never the clinic's history.
_SURGERY_STATE = text(
    "WITH open_then AS (SELECT l.id FROM anesthesia_logs l WHERE l.tenant_id = :tenant AND l.completed_at IS NULL"
    " UNION SELECT d.anesthesia_log_id FROM surgery_events d WHERE d.tenant_id = :tenant AND d.seq > :upto"
    "  AND d.kind = 'log_completed')"
    " SELECT e.* FROM open_then o JOIN surgery_events e ON e.tenant_id = :tenant AND e.anesthesia_log_id = o.id"
    " WHERE e.seq <= :upto AND e.kind NOT IN ('alarm_cleared', 'log_completed')"
    " AND (e.kind <> 'alarm_raised' OR NOT EXISTS (SELECT 1 FROM surgery_events c WHERE c.tenant_id = e.tenant_id"
    "  AND c.anesthesia_log_id = e.anesthesia_log_id AND c.alarm_id = e.alarm_id AND c.kind = 'alarm_cleared'"
    "  AND c.seq <= :upto))"
    " ORDER BY e.seq"
)
_LOGS_BY_ID = text("SELECT * FROM anesthesia_logs WHERE tenant_id = :tenant AND id = ANY(CAST(:ids AS uuid[]))")
_ALARMS_BY_ID = text(
    f"SELECT a.*, {_ALARM_OPEN} FROM anesthesia_alarms a"
    " WHERE a.tenant_id = :tenant AND a.id = ANY(CAST(:ids AS uuid[]))"
)
_OPEN_LOG_VITALS = text(
    "SELECT id, vitals_seq FROM anesthesia_logs WHERE tenant_id = :tenant AND completed_at IS NULL"
)
# Readings of known logs after their position, and of logs opened since the feed began (from the start).
_CLINIC_VITALS = text(
    "WITH k AS (SELECT * FROM unnest(CAST(:logs AS uuid[]), CAST(:highs AS bigint[])) AS k(log, high)),"
    " targets AS (SELECT log, high FROM k UNION ALL SELECT l.id, 0 FROM anesthesia_logs l"
    "  WHERE l.tenant_id = :tenant AND l.completed_at IS NULL AND l.created_at >= :begun"
    "  AND NOT l.id = ANY(CAST(:logs AS uuid[])))"
    " SELECT v.* FROM targets t CROSS JOIN LATERAL (SELECT * FROM anesthesia_vitals v WHERE v.tenant_id = :tenant"
    "  AND v.anesthesia_log_id = t.log AND v.seq > t.high ORDER BY v.seq LIMIT :limit) v"
    " ORDER BY v.anesthesia_log_id, v.seq LIMIT :limit"
)

SurgeryRows = list[tuple[Row, Row, Row | None]]


async def surgery_position(db: RequestDb, tenant: str) -> int:
    """The number of the clinic's newest surgery event (0: none yet)."""
    row = await db.fetch_one(_SURGERY_POSITION, {"tenant": tenant})
    return 0 if row is None else int(row["seq"])


async def _with_logs_and_alarms(db: RequestDb, tenant: str, events: Sequence[Row]) -> SurgeryRows:
    if not events:
        return []
    log_ids = sorted({e["anesthesia_log_id"] for e in events})
    alarm_ids = sorted({e["alarm_id"] for e in events if e["alarm_id"] is not None})
    logs = {r["id"]: r for r in await db.fetch(_LOGS_BY_ID, {"tenant": tenant, "ids": log_ids})}
    alarms = {}
    if alarm_ids:
        alarms = {r["id"]: r for r in await db.fetch(_ALARMS_BY_ID, {"tenant": tenant, "ids": alarm_ids})}
    return [
        (e, logs[e["anesthesia_log_id"]], alarms.get(e["alarm_id"]) if e["alarm_id"] is not None else None)
        for e in events
        if e["anesthesia_log_id"] in logs
    ]


async def surgery_events_after(db: RequestDb, tenant: str, after: int, limit: int = 1000) -> SurgeryRows:
    """(event, its log, its alarm) for the clinic's events numbered after `after`."""
    events = await db.fetch(_SURGERY_AFTER, {"tenant": tenant, "after": after, "limit": limit})
    return await _with_logs_and_alarms(db, tenant, events)


async def surgery_state_at(db: RequestDb, tenant: str, upto: int) -> SurgeryRows:
    events = await db.fetch(_SURGERY_STATE, {"tenant": tenant, "upto": upto})
    return await _with_logs_and_alarms(db, tenant, events)


async def open_log_vitals_positions(db: RequestDb, tenant: str) -> dict[UUID, int]:
    rows = await db.fetch(_OPEN_LOG_VITALS, {"tenant": tenant})
    return {row["id"]: int(row["vitals_seq"]) for row in rows}


async def clinic_vitals(
    db: RequestDb, tenant: str, highs: dict[UUID, int], begun: datetime, limit: int = 1000
) -> Sequence[Row]:
    logs = list(highs)
    return await db.fetch(
        _CLINIC_VITALS,
        {"tenant": tenant, "logs": logs, "highs": [highs[k] for k in logs], "begun": begun, "limit": limit},
    )
