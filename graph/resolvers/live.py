"""Subscriptions: vitals and alarms of a surgery, live, with nothing lost.

Each subscribe is authorized under RLS with the subscriber's own claims (the
log must be visible: staff of its clinic). Then events come from the shared
feed of the log (server/live/feeds.py), which re-reads committed rows under a
subscriber's claims whenever the broker says the log changed, and after any
lost connection. Positions are per-log sequence numbers handed out in commit
order, so the seam between replay and live has no gap and no duplicate.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

import strawberry

from db import live as sql
from db.claims import Claims
from db.session import RequestDb
from graph import metrics
from graph.compiled.execution import EventRenderer
from graph.context import Context
from graph.errors import Forbidden, VetqlError
from graph.live import ALARMS, OUTLET, VITALS, Entry, Reader, SlowConsumer, Subscriber, TokenExpired
from graph.types.alarms import AlarmEvent
from graph.types.anesthesia import VitalSign
from graph.types.node import uuid_of

# Events of logs first seen by a clinic-wide feed are read from this long before it began.
_CLINIC_GRACE = timedelta(minutes=1)


class NotFound(VetqlError):
    code = "NOT_FOUND"


class SlowConsumerError(VetqlError):
    code = "SLOW_CONSUMER"


class TokenExpiredError(VetqlError):
    code = "UNAUTHENTICATED"


def _staff(info: strawberry.Info[Context, None]) -> tuple[Context, Claims, str]:
    ctx = info.context
    if ctx.claims is None or not ctx.is_staff or ctx.tenant_id is None:
        raise Forbidden("Only clinic staff may watch anesthesia monitoring.")
    if ctx.hub is None:
        raise VetqlError("Live events are not available on this server.")
    return ctx, ctx.claims, ctx.tenant_id


def _with_db(ctx: Context, claims: Claims) -> RequestDb:
    return RequestDb(ctx.engine, claims.as_json_claims())


async def _log_snapshot(ctx: Context, claims: Claims, tenant: str, log: UUID) -> Any:
    db = _with_db(ctx, claims)
    try:
        row = await sql.log_snapshot(db, tenant, log)
    finally:
        await db.close()
    if row is None:
        raise NotFound("No such anesthesia log, or not yours to see.")
    return row


def _vitals_reader(tenant: str, log: UUID, start: int) -> Reader:
    high = start

    async def read(db: RequestDb) -> list[tuple[UUID, int, Any]]:
        nonlocal high
        rows = await sql.vitals_after(db, tenant, log, high)
        if rows:
            high = rows[-1]["seq"]
        return [(log, r["seq"], VitalSign.from_row(r)) for r in rows]

    return read


async def vitals_recorded(
    info: strawberry.Info[Context, None],
    anesthesia_log_id: Annotated[strawberry.ID, strawberry.argument(description="The anesthesia log to watch.")],
    since: Annotated[
        datetime | None,
        strawberry.argument(description="First replay readings recorded after this instant, then continue live."),
    ] = None,
) -> AsyncGenerator[VitalSign, None]:
    """Each new reading of one anesthesia log, in order, once. Staff only."""
    ctx, claims, tenant = _staff(info)
    log = uuid_of(anesthesia_log_id, "AnesthesiaLog")
    assert ctx.hub is not None
    snapshot = await _log_snapshot(ctx, claims, tenant, log)
    position = int(snapshot["vitals_seq"])
    replay: list[VitalSign] = []
    if since is not None:
        db = _with_db(ctx, claims)
        try:
            replay = [VitalSign.from_row(row) for row in await sql.vitals_since(db, tenant, log, since, position)]
        finally:
            await db.close()
    sub = Subscriber(claims=claims, last={log: position})
    reader = lambda: _vitals_reader(tenant, log, position)  # noqa: E731
    async for item in _stream(info, (VITALS, tenant, log), reader, sub, replay):
        yield item


def _alarm_reader(tenant: str, log: UUID, start: int) -> Reader:
    high = start

    async def read(db: RequestDb) -> list[tuple[UUID, int, Any]]:
        nonlocal high
        rows = await sql.alarm_events_after(db, tenant, log, high)
        if rows:
            high = rows[-1]["seq"]
        return [(log, r["seq"], AlarmEvent.from_row(r)) for r in rows]

    return read


def _clinic_alarm_reader(tenant: str, highs: dict[UUID, int], begun: datetime) -> Reader:
    async def read(db: RequestDb) -> list[tuple[UUID, int, Any]]:
        rows = await sql.clinic_alarm_events(db, tenant, highs, begun)
        out = []
        for r in rows:
            log = r["anesthesia_log_id"]
            highs[log] = max(highs.get(log, 0), r["seq"])
            out.append((log, r["seq"], AlarmEvent.from_row(r)))
        return out

    return read


async def anesthesia_alarms(
    info: strawberry.Info[Context, None],
    anesthesia_log_id: Annotated[
        strawberry.ID | None,
        strawberry.argument(description="One log to watch; omit to watch every open log of the clinic."),
    ] = None,
) -> AsyncGenerator[AlarmEvent, None]:
    """Alarms raised and cleared (transitions, not one event per bad reading). Staff only."""
    ctx, claims, tenant = _staff(info)
    assert ctx.hub is not None
    if anesthesia_log_id is not None:
        log = uuid_of(anesthesia_log_id, "AnesthesiaLog")
        snapshot = await _log_snapshot(ctx, claims, tenant, log)
        position = int(snapshot["alarm_seq"])
        sub = Subscriber(claims=claims, last={log: position})
        reader = lambda: _alarm_reader(tenant, log, position)  # noqa: E731
        key: tuple[str, str, UUID | None] = (ALARMS, tenant, log)
    else:
        begun = datetime.now(UTC) - _CLINIC_GRACE
        db = _with_db(ctx, claims)
        try:
            positions = await sql.open_log_positions(db, tenant, begun)
        finally:
            await db.close()
        sub = Subscriber(claims=claims, last=dict(positions))
        reader = lambda: _clinic_alarm_reader(tenant, dict(positions), begun)  # noqa: E731
        key = (ALARMS, tenant, None)
    async for item in _stream(info, key, reader, sub):
        yield item


async def _stream(
    info: strawberry.Info[Context, None], key: Any, reader: Any, sub: Subscriber, replay: Sequence[Any] = ()
) -> AsyncGenerator[Any, None]:
    """Replay, then the live feed. Over WebSocket, events the subscriber's selection renders without
    errors are written straight to the socket as bytes shared with identical selections; the rest
    are yielded to Strawberry and sent the ordinary way, in the same order."""
    ctx = info.context
    assert ctx.hub is not None
    outlet = OUTLET.get()
    renderer = None
    if outlet is not None and ctx.executor is not None:
        renderer = EventRenderer(ctx.executor, info._raw_info.field_nodes)
    try:
        async for item, rendered in _chain(replay, ctx.hub.stream(key, reader, sub)):
            if renderer is not None and outlet is not None:
                data = renderer.data(item, rendered)
                if data is not None:
                    await outlet.send(data)
                    continue
            metrics.LIVE_EVENTS_EXECUTED.inc()
            yield item
    except SlowConsumer:
        metrics.LIVE_SLOW_CONSUMERS.inc()
        raise SlowConsumerError("Fell too far behind; resubscribe with `since`.") from None
    except TokenExpired:
        raise TokenExpiredError("The token expired; reconnect with a new one.") from None


async def _chain(
    replay: Sequence[Any], live: AsyncIterator[Entry]
) -> AsyncGenerator[tuple[Any, dict[Any, Any]], None]:
    """(item, its renderings so far): replayed items are this subscriber's own, live ones are shared."""
    for item in replay:
        yield item, {}
    async for entry in live:
        yield entry.item, entry.rendered
