"""Subscriptions: vitals and alarms of a surgery, live, with nothing lost.

Each subscribe is authorized under RLS with the subscriber's own claims (the
log must be visible: staff of its clinic). Then events come from the shared
feed of the log (server/live/feeds.py), which re-reads committed rows under a
subscriber's claims whenever the broker says the log changed, and after any
lost connection. Positions are per-log sequence numbers handed out in commit
order, so the seam between replay and live has no gap and no duplicate, and a
cursor (`after`) resumes exactly after the event it came with. A log's streams
complete once the log is completed and everything before that was sent.
"""

from __future__ import annotations

import asyncio
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
from graph.errors import BadUserInput, Forbidden, VetqlError
from graph.live import (
    ALARMS,
    CLINIC,
    END,
    END_SEQ,
    OUTLET,
    PAGE,
    SURGERY,
    VITALS,
    Entry,
    Reader,
    Readers,
    ShuttingDown,
    SlowConsumer,
    Subscriber,
    TokenExpired,
)
from graph.types.alarms import AlarmEvent
from graph.types.anesthesia import VitalSign
from graph.types.cursors import sequence_of
from graph.types.node import to_global_id, uuid_of
from graph.types.surgery import OpenLogReading, SurgeryEvent

# Events of logs first seen by a clinic-wide feed are read from this long before it began.
_CLINIC_GRACE = timedelta(minutes=1)

Triples = list[tuple[UUID, int, Any]]


class NotFound(VetqlError):
    code = "NOT_FOUND"


class SlowConsumerError(VetqlError):
    code = "SLOW_CONSUMER"


class TokenExpiredError(VetqlError):
    code = "UNAUTHENTICATED"


class ServiceRestartError(VetqlError):
    code = "SERVICE_RESTART"


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


def _resume_point(after: str | None, position: int, what: str) -> int:
    if after is None:
        return position
    seq = sequence_of(after)
    if seq > position:
        raise BadUserInput(f"`after` is ahead of this log's {what}: a cursor of another log?")
    return seq


def _log_readers(log: UUID, read_after: Any, to_item: Any) -> Readers:
    """Readers of one log's numbered rows; after the completed log's last row, one END."""

    def make(start: dict[UUID, int]) -> Reader:
        high = start.get(log, 0)
        ended = False

        async def read(db: RequestDb) -> Triples:
            nonlocal high, ended
            if ended:
                return []
            rows, ended = await read_after(db, high)
            if rows:
                high = rows[-1]["seq"]
            out: Triples = [(log, r["seq"], to_item(r)) for r in rows]
            if ended:
                out.append((log, END_SEQ, END))
            return out

        return read

    return make


async def vitals_recorded(
    info: strawberry.Info[Context, None],
    anesthesia_log_id: Annotated[strawberry.ID, strawberry.argument(description="The anesthesia log to watch.")],
    since: Annotated[
        datetime | None,
        strawberry.argument(
            description="First replay the stored readings taken at or after this instant (by `recordedAt`, so a "
            "late upload of older readings is not replayed: resume with `after` for that), then continue live."
        ),
    ] = None,
    after: Annotated[
        str | None,
        strawberry.argument(
            description="A reading's `cursor` (or a `vitals` connection cursor): first every reading committed "
            "after it, then live; no gap, no duplicate. Not with `since`."
        ),
    ] = None,
) -> AsyncGenerator[VitalSign, None]:
    """Each new reading of one anesthesia log, in order, once; completes when the log is completed. Staff only."""
    ctx, claims, tenant = _staff(info)
    log = uuid_of(anesthesia_log_id, "AnesthesiaLog")
    if since is not None and after is not None:
        raise BadUserInput("Give `since` or `after`, not both.")
    snapshot = await _log_snapshot(ctx, claims, tenant, log)
    position = int(snapshot["vitals_seq"])
    resume = _resume_point(after, position, "readings")
    replay: list[VitalSign] = []
    if since is not None:
        db = _with_db(ctx, claims)
        try:
            replay = [VitalSign.from_row(row) for row in await sql.vitals_since(db, tenant, log, since, position)]
        finally:
            await db.close()
    sub = Subscriber(claims=claims, last={log: resume})
    readers = _log_readers(log, lambda db, high: sql.vitals_after(db, tenant, log, high, PAGE), VitalSign.from_row)
    async for item in _stream(info, (VITALS, tenant, log), readers, sub, {log: position}, replay):
        yield item


def _clinic_alarm_readers(tenant: str, begun: datetime) -> Readers:
    def make(start: dict[UUID, int]) -> Reader:
        highs = dict(start)

        async def read(db: RequestDb) -> Triples:
            rows = await sql.clinic_alarm_events(db, tenant, highs, begun, PAGE)
            out: Triples = []
            for r in rows:
                log = r["anesthesia_log_id"]
                highs[log] = max(highs.get(log, 0), r["seq"])
                out.append((log, r["seq"], AlarmEvent.from_row(r)))
            return out

        return read

    return make


async def anesthesia_alarms(
    info: strawberry.Info[Context, None],
    anesthesia_log_id: Annotated[
        strawberry.ID | None,
        strawberry.argument(description="One log to watch; omit to watch every open log of the clinic."),
    ] = None,
    after: Annotated[
        str | None,
        strawberry.argument(
            description="An alarm event's `cursor` (one log only): resume with the transitions after it, "
            "without the current state."
        ),
    ] = None,
) -> AsyncGenerator[AlarmEvent, None]:
    """First the alarms active now (`isCurrentState`), then each RAISED / CLEARED transition (not one event per
    bad reading). One log's stream completes when the log is completed. Staff only."""
    ctx, claims, tenant = _staff(info)
    replay: list[AlarmEvent] = []
    if anesthesia_log_id is not None:
        log = uuid_of(anesthesia_log_id, "AnesthesiaLog")
        snapshot = await _log_snapshot(ctx, claims, tenant, log)
        start = {log: int(snapshot["alarm_seq"])}
        resume = {log: _resume_point(after, start[log], "alarm transitions")}
        readers = _log_readers(
            log, lambda db, high: sql.alarm_stream_after(db, tenant, log, high, PAGE), AlarmEvent.from_row
        )
        key: tuple[str, str, UUID | None] = (ALARMS, tenant, log)
    else:
        if after is not None:
            raise BadUserInput("`after` resumes one log's alarms: give `anesthesiaLogId` too.")
        begun = datetime.now(UTC) - _CLINIC_GRACE
        db = _with_db(ctx, claims)
        try:
            start = await sql.open_log_positions(db, tenant, begun)
        finally:
            await db.close()
        resume = dict(start)
        readers = _clinic_alarm_readers(tenant, begun)
        key = (ALARMS, tenant, None)
    if after is None and start:
        db = _with_db(ctx, claims)
        try:
            replay = [AlarmEvent.from_row(r, current=True) for r in await sql.alarms_active_at(db, tenant, start)]
        finally:
            await db.close()
    sub = Subscriber(claims=claims, last=resume)
    async for item in _stream(info, key, readers, sub, start, replay):
        yield item


def _surgery_readers(tenant: str) -> Readers:
    def make(start: dict[UUID, int]) -> Reader:
        high = start.get(CLINIC, 0)

        async def read(db: RequestDb) -> Triples:
            nonlocal high
            rows = await sql.surgery_events_after(db, tenant, high, PAGE)
            out: Triples = []
            for event, log, alarm in rows:
                high = max(high, event["seq"])
                out.append((CLINIC, event["seq"], SurgeryEvent.from_rows(event, log, alarm)))
            return out

        return read

    return make


async def surgery_events(
    info: strawberry.Info[Context, None],
    after: Annotated[
        str | None,
        strawberry.argument(
            description="A surgery event's `cursor`: resume with the events after it, without the current state."
        ),
    ] = None,
) -> AsyncGenerator[SurgeryEvent, None]:
    """The clinic's operating block: first its open surgeries as they stand (`isCurrentState`: each open log's
    LOG_OPENED, its phases and its active alarms), then every log opened, phase recorded, log completed and alarm
    raised or cleared, in commit order, once. Staff only."""
    ctx, claims, tenant = _staff(info)
    db = _with_db(ctx, claims)
    try:
        position = await sql.surgery_position(db, tenant)
        resume = _resume_point(after, position, "surgery events")
        state = [] if after is not None else await sql.surgery_state_at(db, tenant, position)
    finally:
        await db.close()
    replay = [SurgeryEvent.from_rows(e, log, alarm, current=True) for e, log, alarm in state]
    sub = Subscriber(claims=claims, last={CLINIC: resume})
    async for item in _stream(info, (SURGERY, tenant, None), _surgery_readers(tenant), sub, {CLINIC: position}, replay):
        yield item


def _open_log_vitals_readers(tenant: str, begun: datetime) -> Readers:
    def make(start: dict[UUID, int]) -> Reader:
        highs = dict(start)

        async def read(db: RequestDb) -> Triples:
            rows = await sql.clinic_vitals(db, tenant, highs, begun, PAGE)
            out: Triples = []
            for r in rows:
                log = r["anesthesia_log_id"]
                highs[log] = max(highs.get(log, 0), r["seq"])
                out.append((log, r["seq"], OpenLogReading(anesthesia_log_id=to_global_id("AnesthesiaLog", log),
                                                          reading=VitalSign.from_row(r))))
            return out

        return read

    return make


async def open_log_vitals(info: strawberry.Info[Context, None]) -> AsyncGenerator[OpenLogReading, None]:
    """Each new reading of every open log of the clinic (and of logs opened while subscribed), each log's in
    order, once: one subscription for a whole operating block. Per log, resume with `vitalsRecorded(after:)`.
    Staff only."""
    ctx, claims, tenant = _staff(info)
    begun = datetime.now(UTC) - _CLINIC_GRACE
    db = _with_db(ctx, claims)
    try:
        start = await sql.open_log_vitals_positions(db, tenant)
    finally:
        await db.close()
    sub = Subscriber(claims=claims, last=dict(start))
    async for item in _stream(info, (VITALS, tenant, None), _open_log_vitals_readers(tenant, begun), sub, start):
        yield item


async def _stream(
    info: strawberry.Info[Context, None],
    key: Any,
    readers: Readers,
    sub: Subscriber,
    start: dict[UUID, int],
    replay: Sequence[Any] = (),
) -> AsyncGenerator[Any, None]:
    """Replay, then the live feed, until the log ends. Over WebSocket, events the subscriber's selection renders
    without errors are written straight to the socket as bytes shared with identical selections; the rest
    are yielded to Strawberry and sent the ordinary way, in the same order."""
    ctx = info.context
    hub = ctx.hub
    assert hub is not None
    outlet = OUTLET.get()
    renderer = None
    if ctx.executor is not None:
        renderer = EventRenderer(ctx.executor, info._raw_info.field_nodes)
    loop = asyncio.get_running_loop()
    try:
        async for item, rendered in _chain(replay, hub.stream(key, readers, sub, start)):
            if item is END:
                if key[2] is not None:  # one log's stream: over; a clinic's goes on
                    return
                continue
            if renderer is not None and outlet is not None:
                data = renderer.data(item, rendered)
                if data is not None:
                    try:
                        async with asyncio.timeout(hub.send_timeout):
                            await outlet.send(data)
                    except TimeoutError:
                        raise SlowConsumer from None
                    continue
            elif renderer is not None:  # SSE, multipart: Strawberry sends the shared bytes as they are
                item = renderer.prebuilt(item, rendered)
            metrics.LIVE_EVENTS_EXECUTED.inc()
            sub.busy_since = loop.time()  # the hub's sweep ends it if this send stays blocked
            yield item
            sub.busy_since = None
            if sub.slow:
                raise SlowConsumer
    except SlowConsumer:
        if not sub.slow:  # (the sweep counted those when it found them)
            metrics.LIVE_SLOW_CONSUMERS.inc()
        raise SlowConsumerError("Fell too far behind; resubscribe with `after` (the last cursor you had).") from None
    except TokenExpired:
        raise TokenExpiredError("The token expired; reconnect with a new one.") from None
    except ShuttingDown:
        if outlet is not None:
            # WebSocket: the server closes the socket with 1012 (service restart), the protocol's own
            # "reconnect"; an error message here would tell graphql-ws clients not to resubscribe. The
            # socket's handler cancels this wait when the socket goes; bounded, so a handler that has let
            # go of the operation without cancelling it cannot hold the server's exit until the
            # graceful-shutdown timeout. Ended as cancelled: no `complete` for an operation already gone.
            await asyncio.sleep(SHUTDOWN_GRACE_SECONDS)
            raise asyncio.CancelledError from None
        raise ServiceRestartError(
            "The server is restarting; reconnect and resubscribe with `after` (the last cursor you had)."
        ) from None


SHUTDOWN_GRACE_SECONDS = 1.0


async def _chain(
    replay: Sequence[Any], live: AsyncIterator[Entry]
) -> AsyncGenerator[tuple[Any, dict[Any, Any]], None]:
    """(item, its renderings so far): replayed items are this subscriber's own, live ones are shared."""
    for item in replay:
        yield item, {}
    async for entry in live:
        yield entry.item, entry.rendered
