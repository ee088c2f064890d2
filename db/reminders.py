"""SQL of reminders: who is due one, the outbox, and the push tokens the dispatcher may use."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from db.session import RequestDb, Row

_TODAY = "(now() AT TIME ZONE t.timezone)::date"
_OWNER = (
    " o.id AS owner_id, o.full_name AS owner_name, o.preferred_contact_method,"
    " coalesce((o.communication_preferences ->> 'reminders')::boolean, true) AS wants_reminders,"
    " t.name AS clinic, t.timezone"
)


async def _with_devices(devices: RequestDb, rows: Sequence[Row]) -> list[dict[str, Any]]:
    """The rows, each with `has_device`: whether its owner has a device to push to. Asked in a statement
    of its own, on `devices` (see push_tokens): on Citus vetql.push_tokens (SECURITY DEFINER, reading
    user_devices) may not run inside a statement already sent to a worker."""
    owners = list({r["owner_id"] for r in rows})
    with_device = set()
    if owners:
        found = await devices.fetch(
            "SELECT o FROM unnest(CAST(:owners AS uuid[])) o WHERE EXISTS (SELECT 1 FROM vetql.push_tokens(o))",
            {"owners": owners},
        )
        with_device = {r["o"] for r in found}
    return [{**dict(r.items()), "has_device": r["owner_id"] in with_device} for r in rows]


async def clinics(db: RequestDb) -> list[str]:
    """Every clinic (read with the platform's claims)."""
    return [r["id"] for r in await db.fetch("SELECT id FROM tenants ORDER BY id")]


async def hours_before(db: RequestDb, tenant: str) -> int:
    row = await db.fetch_one(
        "SELECT coalesce((notification_settings ->> 'reminder_hours_before')::int, 24) AS h FROM tenants"
        " WHERE id = :tenant",
        {"tenant": tenant},
    )
    return 24 if row is None else int(row["h"])


async def vaccines_due(db: RequestDb, devices: RequestDb, tenant: str, days: int) -> list[dict[str, Any]]:
    """Next doses from the clinic's today to `days` on, of living pets, not reminded yet."""
    rows = await db.fetch(
        "SELECT v.id AS source_id, v.name AS vaccine, v.next_dose_date, p.name AS pet," + _OWNER +
        " FROM vaccines v JOIN tenants t ON t.id = v.tenant_id"
        " JOIN pets p ON p.tenant_id = v.tenant_id AND p.id = v.pet_id"
        " JOIN profiles o ON o.tenant_id = p.tenant_id AND o.id = p.owner_id"
        f" WHERE v.tenant_id = :tenant AND v.next_dose_date IS NOT NULL AND v.next_dose_date >= {_TODAY}"
        f" AND v.next_dose_date <= {_TODAY} + CAST(:days AS int) AND NOT p.is_deceased AND o.is_active"
        " AND NOT EXISTS (SELECT 1 FROM notification_queue q WHERE q.tenant_id = v.tenant_id"
        "   AND q.kind = 'vaccine_due' AND q.source_id = v.id)",
        {"tenant": tenant, "days": days},
    )  # fmt: skip
    return await _with_devices(devices, rows)


async def appointments_due(db: RequestDb, devices: RequestDb, tenant: str, hours: int) -> list[dict[str, Any]]:
    """Booked visits starting within `hours`, not reminded yet."""
    rows = await db.fetch(
        "SELECT a.id AS source_id, a.start_time, p.name AS pet," + _OWNER +
        " FROM appointments a JOIN tenants t ON t.id = a.tenant_id"
        " JOIN pets p ON p.tenant_id = a.tenant_id AND p.id = a.pet_id"
        " JOIN profiles o ON o.tenant_id = p.tenant_id AND o.id = p.owner_id"
        " WHERE a.tenant_id = :tenant AND a.status IN ('scheduled', 'confirmed') AND a.start_time > now()"
        " AND a.start_time <= now() + make_interval(hours => CAST(:hours AS int)) AND o.is_active"
        " AND NOT EXISTS (SELECT 1 FROM notification_queue q WHERE q.tenant_id = a.tenant_id"
        "   AND q.kind = 'appointment' AND q.source_id = a.id)",
        {"tenant": tenant, "hours": hours},
    )  # fmt: skip
    return await _with_devices(devices, rows)


async def enqueue(db: RequestDb, tenant: str, message: Mapping[str, Any]) -> bool:
    """Put one reminder in the outbox; False when that dose or visit already has one."""
    row = await db.fetch_one(
        "INSERT INTO notification_queue (tenant_id, kind, source_id, recipient_id, channel, title, body)"
        " VALUES (:tenant, :kind, :source_id, :recipient_id, :channel, :title, :body)"
        " ON CONFLICT (tenant_id, kind, source_id) DO NOTHING RETURNING id",
        {"tenant": tenant, **message},
    )
    return row is not None


async def due_messages(db: RequestDb, tenant: str, limit: int) -> Sequence[Row]:
    """Pending messages whose time has come, locked (others skip them: replicas never send one twice)."""
    return await db.fetch(
        "SELECT * FROM notification_queue WHERE tenant_id = :tenant AND status = 'pending' AND next_attempt_at <= now()"
        " ORDER BY next_attempt_at, id LIMIT CAST(:limit AS int) FOR UPDATE SKIP LOCKED",
        {"tenant": tenant, "limit": limit},
    )


async def push_tokens(db: RequestDb, recipient: UUID) -> list[tuple[UUID, str]]:
    """A recipient's active devices. `db` a transaction that has written none of the clinic's rows: on
    Citus the functions' owner may not touch placements this transaction wrote as vetql_app."""
    rows = await db.fetch("SELECT device_id, fcm_token FROM vetql.push_tokens(:r)", {"r": recipient})
    return [(r["device_id"], r["fcm_token"]) for r in rows]


async def drop_push_token(db: RequestDb, device: UUID) -> None:
    await db.fetch("SELECT vetql.drop_push_token(:d)", {"d": device})


async def mark(
    db: RequestDb, tenant: str, message: UUID, status: str, attempts: int, next_at: datetime | None, error: str | None
) -> None:
    await db.fetch(
        "UPDATE notification_queue SET status = :status, attempts = :attempts,"
        " next_attempt_at = coalesce(:next_at, next_attempt_at), last_error = :error,"
        " sent_at = vetql.if_then(:status = 'sent', now())"
        " WHERE tenant_id = :tenant AND id = :id RETURNING id",
        {"tenant": tenant, "id": message, "status": status, "attempts": attempts, "next_at": next_at, "error": error},
    )
