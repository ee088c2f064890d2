"""SQL of the anesthesia record: opening, phases, readings and alarm transitions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import text

from db.session import RequestDb, Row

VITAL_COLUMNS = (
    ("recorded_at", "timestamptz"),
    ("heart_rate", "int"),
    ("respiratory_rate", "int"),
    ("spo2", "numeric"),
    ("etco2", "numeric"),
    ("blood_pressure_systolic", "int"),
    ("blood_pressure_diastolic", "int"),
    ("blood_pressure_mean", "int"),
    ("temperature", "numeric"),
    ("anesthesia_depth", "text"),
    ("iv_fluids_rate", "numeric"),
    ("notes", "text"),
    ("client_reading_id", "text"),
)

# Reserve `n` numbers on an open log. The row lock it takes serializes writers
# of one log until commit, which is what makes per-log numbers commit-ordered.
_RESERVE = text(
    "UPDATE anesthesia_logs l SET vitals_seq = l.vitals_seq + :n"
    " FROM pets p, tenants t"
    " WHERE l.tenant_id = :tenant AND l.id = :log AND l.completed_at IS NULL"
    " AND p.tenant_id = l.tenant_id AND p.id = l.pet_id AND t.id = l.tenant_id"
    " RETURNING l.vitals_seq, p.species, p.weight_kg, t.alarm_thresholds"
)
# The log's alarm state as the readings of this call find it: the open alarm kind per family and
# the newest reading's time. It is read in the statement that inserts, after _RESERVE: under READ
# COMMITTED that statement's snapshot then includes what the writer whose lock we waited for
# committed (a subquery of _RESERVE would see the state before it), and no sub-statement sees the
# rows the INSERT beside it adds.
_STATE = (
    "SELECT (SELECT coalesce(jsonb_object_agg(a.family, a.kind), '{}'::jsonb) FROM anesthesia_alarms a"
    "   WHERE a.tenant_id = :tenant AND a.anesthesia_log_id = :log AND a.cleared_at IS NULL) AS open_alarms,"
    " (SELECT max(v.recorded_at) FROM anesthesia_vitals v"
    "   WHERE v.tenant_id = :tenant AND v.anesthesia_log_id = :log) AS latest_at"
)
_LOG_STATE = text("SELECT completed_at FROM anesthesia_logs WHERE tenant_id = :tenant AND id = :log")

_NUMERIC = frozenset(c for c, t in VITAL_COLUMNS if t == "numeric")
_columns = ", ".join(c for c, _ in VITAL_COLUMNS)
# Numbers go in as text, so PostgreSQL parses exactly what Python prints (as Decimal(str(x)) did,
# at a fraction of asyncpg's cost of encoding Decimals), and come back as float8, which is what
# VitalSign and the alarm rules use (the same double as float(Decimal)).
_unnest = ", ".join(
    f"CAST(CAST(:{c} AS text[]) AS numeric[])" if c in _NUMERIC else f"CAST(:{c} AS {t}[])" for c, t in VITAL_COLUMNS
)
_RETURNED = "id, seq, " + ", ".join(f"CAST({c} AS float8) AS {c}" if c in _NUMERIC else c for c, _ in VITAL_COLUMNS)
_INSERT_VITALS = text(
    f"WITH state AS ({_STATE}), inserted AS ("
    f" INSERT INTO anesthesia_vitals (tenant_id, anesthesia_log_id, recorded_by, seq, {_columns})"
    f" SELECT :tenant, :log, :by, r.* FROM unnest(CAST(:seq AS bigint[]), {_unnest}) AS r(seq, {_columns})"
    " ON CONFLICT (tenant_id, anesthesia_log_id, client_reading_id) WHERE client_reading_id IS NOT NULL"
    f" DO NOTHING RETURNING {_RETURNED})"
    " SELECT inserted.*, state.open_alarms, state.latest_at FROM inserted CROSS JOIN state"
)
_EXISTING = text(
    f"SELECT {_RETURNED} FROM anesthesia_vitals WHERE tenant_id = :tenant AND anesthesia_log_id = :log"
    " AND client_reading_id = ANY(CAST(:ids AS text[])) ORDER BY seq"
)
_RESERVE_ALARM_SEQ = text(
    "UPDATE anesthesia_logs SET alarm_seq = alarm_seq + :n WHERE tenant_id = :tenant AND id = :log RETURNING alarm_seq"
)
_CLEAR = text(
    # A late (buffered) reading may be older than the one that raised the alarm:
    # the alarm cannot end before it began.
    "UPDATE anesthesia_alarms SET cleared_at = greatest(CAST(:at AS timestamptz), raised_at), cleared_by = :by"
    " WHERE tenant_id = :tenant AND anesthesia_log_id = :log AND family = :family AND cleared_at IS NULL"
    " RETURNING id"
)
_RAISE = text(
    "INSERT INTO anesthesia_alarms (tenant_id, anesthesia_log_id, kind, family, severity, message, value, threshold,"
    " raised_at, raised_by) VALUES (:tenant, :log, :kind, :family, :severity, :message, :value, :threshold, :at, :by)"
    " RETURNING id"
)
_EVENTS = text(
    "INSERT INTO anesthesia_alarm_events (tenant_id, anesthesia_log_id, alarm_id, seq, transition, occurred_at)"
    " SELECT :tenant, :log, e.alarm, e.seq, e.transition, e.at"
    " FROM unnest(CAST(:alarms AS uuid[]), CAST(:seqs AS bigint[]), CAST(:transitions AS text[]),"
    " CAST(:ats AS timestamptz[])) AS e(alarm, seq, transition, at)"
)


async def reserve(db: RequestDb, tenant: str, log: UUID, n: int) -> Row | None:
    """Lock an open log and reserve `n` vital numbers; None when the log is missing, hidden or closed."""
    return await db.fetch_one(_RESERVE, {"tenant": tenant, "log": log, "n": n})


async def log_is_closed(db: RequestDb, tenant: str, log: UUID) -> bool | None:
    """True if completed, False if open, None if missing or not visible."""
    row = await db.fetch_one(_LOG_STATE, {"tenant": tenant, "log": log})
    return None if row is None else row["completed_at"] is not None


def _sql_value(value: Any) -> Any:
    return Decimal(str(value)) if isinstance(value, float) else value


@dataclass(frozen=True, slots=True)
class Inserted:
    vitals: list[Row]  # the new rows, by seq
    duplicates: list[Row]  # rows stored before under the same client ids, by seq
    open_alarms: dict[str, str]  # family -> kind of the log's open alarms (when `vitals` is not empty)
    latest_at: datetime | None  # the newest reading's time before these (when `vitals` is not empty)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


async def insert_vitals(
    db: RequestDb, tenant: str, log: UUID, by: UUID, first_seq: int, readings: Sequence[Mapping[str, Any]]
) -> Inserted:
    """Insert in one statement, after `reserve`, and read the alarm state the new rows are judged against."""
    params: dict[str, Any] = {"tenant": tenant, "log": log, "by": by}
    params["seq"] = list(range(first_seq, first_seq + len(readings)))
    for column, _ in VITAL_COLUMNS:
        values = [r.get(column) for r in readings]
        params[column] = [_text(v) for v in values] if column in _NUMERIC else values
    inserted = sorted(await db.fetch(_INSERT_VITALS, params), key=lambda r: r["seq"])
    duplicates: list[Row] = []
    if len(inserted) < len(readings):
        new_ids = {r["client_reading_id"] for r in inserted}
        retried = [r["client_reading_id"] for r in readings if r.get("client_reading_id") not in new_ids]
        duplicates = list(await db.fetch(_EXISTING, {"tenant": tenant, "log": log, "ids": retried}))
    first = inserted[0] if inserted else None
    return Inserted(
        vitals=inserted,
        duplicates=duplicates,
        open_alarms=dict(first["open_alarms"]) if first else {},
        latest_at=first["latest_at"] if first else None,
    )


async def reserve_alarm_seq(db: RequestDb, tenant: str, log: UUID, n: int) -> int:
    """Reserve `n` alarm event numbers; returns the last one."""
    row = await db.fetch_one(_RESERVE_ALARM_SEQ, {"tenant": tenant, "log": log, "n": n})
    assert row is not None
    return int(row["alarm_seq"])


async def clear_alarm(db: RequestDb, tenant: str, log: UUID, family: str, at: datetime, by: UUID | None) -> UUID | None:
    row = await db.fetch_one(_CLEAR, {"tenant": tenant, "log": log, "family": family, "at": at, "by": by})
    return None if row is None else row["id"]


async def raise_alarm(db: RequestDb, tenant: str, log: UUID, alarm: Mapping[str, Any], at: datetime, by: UUID) -> UUID:
    params = {"tenant": tenant, "log": log, "at": at, "by": by, **alarm}
    params["value"] = _sql_value(params["value"])
    params["threshold"] = _sql_value(params["threshold"])
    row = await db.fetch_one(_RAISE, params)
    assert row is not None
    return UUID(str(row["id"]))


async def insert_alarm_events(
    db: RequestDb, tenant: str, log: UUID, events: Sequence[tuple[UUID, int, str, datetime]]
) -> None:
    await db.fetch(
        _EVENTS,
        {
            "tenant": tenant,
            "log": log,
            "alarms": [e[0] for e in events],
            "seqs": [e[1] for e in events],
            "transitions": [e[2] for e in events],
            "ats": [e[3] for e in events],
        },
    )


async def open_log(db: RequestDb, tenant: str, values: Mapping[str, Any]) -> Row | None:
    return await db.fetch_one(
        text(
            "INSERT INTO anesthesia_logs (tenant_id, pet_id, appointment_id, procedure_name, anesthesia_protocol,"
            " pre_anesthesia_assessment, notes, created_by)"
            " SELECT :tenant, p.id, :appointment, :procedure, :protocol, CAST(:assessment AS jsonb), :notes, :by"
            " FROM pets p WHERE p.tenant_id = :tenant AND p.id = :pet RETURNING *"
        ),
        {"tenant": tenant, **values},
    )


async def log_for_update(db: RequestDb, tenant: str, log: UUID) -> Row | None:
    return await db.fetch_one(
        text("SELECT * FROM anesthesia_logs WHERE tenant_id = :tenant AND id = :log FOR UPDATE"),
        {"tenant": tenant, "log": log},
    )


PHASE_COLUMNS = ("induction_time", "maintenance_start", "recovery_start", "extubation_time", "full_recovery_time")


async def set_phase(db: RequestDb, tenant: str, log: UUID, column: str, at: datetime) -> Row | None:
    assert column in PHASE_COLUMNS
    return await db.fetch_one(
        text(f"UPDATE anesthesia_logs SET {column} = :at WHERE tenant_id = :tenant AND id = :log RETURNING *"),
        {"tenant": tenant, "log": log, "at": at},
    )


async def complete(db: RequestDb, tenant: str, log: UUID, values: Mapping[str, Any]) -> Row | None:
    return await db.fetch_one(
        text(
            "UPDATE anesthesia_logs SET completed_at = now(), outcome = :outcome,"
            " complications = coalesce(:complications, complications), notes = coalesce(:notes, notes)"
            " WHERE tenant_id = :tenant AND id = :log AND completed_at IS NULL RETURNING *"
        ),
        {"tenant": tenant, "log": log, **values},
    )


async def open_alarm_families(db: RequestDb, tenant: str, log: UUID) -> list[str]:
    rows = await db.fetch(
        text(
            "SELECT family FROM anesthesia_alarms WHERE tenant_id = :tenant AND anesthesia_log_id = :log"
            " AND cleared_at IS NULL"
        ),
        {"tenant": tenant, "log": log},
    )
    return [r["family"] for r in rows]
