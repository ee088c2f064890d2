"""`Broker` over NATS (VETQL_BROKER=nats://...): one subscription per watched key per process; writers publish.

On Citus the triggers' pg_notify fires on the worker that holds the shard, where nobody listens, so
with NATS the process that wrote publishes: its RequestDb collects the transaction's events and hands
them here only after COMMIT (db/events.py). NATS core keeps nothing, so a doorbell can be lost (the
process dies between commit and publish, the broker is away); nothing committed is, because feeds
read from their position in the tables: every watch is also rung every `catch_up_seconds`, and after
a reconnect, exactly as PgBroker does after a lost LISTEN connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import string
from collections.abc import Awaitable, Callable, Sequence
from uuid import UUID

import nats.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from db.events import Event
from server import metrics
from server.live.broker import Watch, WatchRegistry

log = logging.getLogger("vetql.live")

Key = tuple[str, str, UUID | None]

CONNECT_WAIT = 10.0  # seconds start() waits for the first connection (then it goes on trying behind)
FLUSH_TIMEOUT = 2  # seconds for the server to confirm new subscriptions (nats-py takes whole seconds)
PING_INTERVAL = 2  # seconds between pings: a server gone silent is noticed in a few seconds, as PgBroker does
RECONNECT_WAIT = 1  # seconds between attempts to reach the server again (for ever)
PUBLISH_FLUSH_TIMEOUT = 2.0  # a publish waits at most this for room in a full outgoing buffer
RETRY_DELAY = 0.5
_SAFE = frozenset(string.ascii_letters + string.digits + "-")


def _token(text: str) -> str:
    """`text` as one subject token, reversibly: letters, digits and '-' as they are, every other byte of
    its UTF-8 as _XX (so '.', '*', '>', spaces and '_' itself never reach the subject); '' is '_'."""
    if not text:
        return "_"
    return "".join(c if c in _SAFE else "".join(f"_{b:02X}" for b in c.encode()) for c in text)


def subject(channel: str, tenant: str, log_id: UUID | None) -> str:
    """`vetql.<kind>.<tenant>.<log>`; a whole clinic (log None) is the wildcard `vetql.<kind>.<tenant>.*`."""
    kind = _token(channel.removeprefix("vetql_"))
    return f"vetql.{kind}.{_token(tenant)}.{'*' if log_id is None else log_id}"


class NatsBroker:
    """Subscribes once per watched (channel, clinic, log) and rings that key's watches on each message.

    A new subscription is confirmed by the server (PING/PONG) and then its watches are rung once more,
    so a publish that raced the SUB is read from the table. While the connection is down nothing is
    published (the reconnect's catch-up covers those commits) and nats-py reconnects for ever.
    """

    def __init__(self, servers: str, *, catch_up_seconds: float = 3.0) -> None:
        self._servers = [s.strip() for s in servers.split(",") if s.strip()]
        self.catch_up_seconds = catch_up_seconds
        self.registry = WatchRegistry()
        self._nc: Client | None = None
        self._subs: dict[Key, Subscription] = {}
        self._unconfirmed: set[Key] = set()  # subscribed, not yet confirmed by the server
        self._changed = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self.connected = asyncio.Event()
        self.reconnects = 0
        self._quiet = False  # connection errors already logged since the last good connection

    async def start(self) -> None:
        self._nc = Client()
        self._tasks = [
            asyncio.create_task(self._connect(self._nc), name="vetql-nats-connect"),
            asyncio.create_task(self._sync(), name="vetql-nats-subscriptions"),
        ]
        if self.catch_up_seconds > 0:
            self._tasks.append(asyncio.create_task(self._catch_up(), name="vetql-nats-catch-up"))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.connected.wait(), CONNECT_WAIT)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        nc, self._nc = self._nc, None
        self.connected.clear()
        if nc is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(nc.close(), 2)

    def watch(self, channel: str, tenant: str, log_id: UUID | None) -> Watch:
        watch = self.registry.add(Watch(channel, tenant, log_id))
        if watch.key not in self._subs:
            self._changed.set()
        return watch

    def unwatch(self, watch: Watch) -> None:
        self.registry.remove(watch)
        self._changed.set()

    async def publish(self, events: Sequence[Event]) -> None:
        """Send committed events; never raises: a doorbell that does not go out is caught up from the tables."""
        nc = self._nc
        if nc is None or not self.connected.is_set():
            metrics.LIVE_PUBLISH_FAILURES.inc(len(events))
            return
        for channel, tenant, log_id in events:
            try:
                await nc.publish(subject(channel, tenant, log_id))
            except (nats.errors.Error, OSError, TimeoutError):
                metrics.LIVE_PUBLISH_FAILURES.inc()

    # -- the connection ----------------------------------------------------------------------------

    async def _connect(self, nc: Client) -> None:
        # With max_reconnect_attempts=-1 nats-py keeps trying the first connection too.
        await nc.connect(
            servers=self._servers,
            name="vetql",
            max_reconnect_attempts=-1,
            reconnect_time_wait=RECONNECT_WAIT,
            ping_interval=PING_INTERVAL,
            max_outstanding_pings=2,
            connect_timeout=2,
            flush_timeout=PUBLISH_FLUSH_TIMEOUT,
            error_cb=self._on_error,
            disconnected_cb=self._on_disconnected,
            reconnected_cb=self._on_reconnected,
        )
        self._up()

    def _up(self) -> None:
        self._quiet = False
        self.connected.set()
        self._changed.set()  # subscribe what was watched meanwhile
        # Anything committed while we were not subscribed is in the tables: every feed re-reads.
        self.registry.ring_all()

    async def _on_error(self, exc: Exception) -> None:
        if not self._quiet:  # once per outage, not once per attempt
            self._quiet = True
            log.warning("NATS connection error (%s); retrying", type(exc).__name__)

    async def _on_disconnected(self) -> None:
        if self.connected.is_set():
            log.warning("NATS connection lost; reconnecting")
        self.connected.clear()

    async def _on_reconnected(self) -> None:
        # nats-py has sent every SUB again and had the server's PONG: new messages reach us now.
        self.reconnects += 1
        metrics.LIVE_BROKER_RECONNECTS.inc()
        log.warning("NATS reconnected; catching up %d subscribers", len(self.registry))
        self._up()

    # -- subscriptions -----------------------------------------------------------------------------

    def _ringer(self, key: Key) -> Callable[[Msg], Awaitable[None]]:
        async def ring(msg: Msg) -> None:
            self.registry.ring_key(key)

        return ring

    async def _reconcile(self, nc: Client) -> None:
        """Subscribe keys newly watched, drop those nobody watches; once the server confirms, ring the new."""
        wanted = self.registry.keys()
        for key in [k for k in self._subs if k not in wanted]:
            sub = self._subs.pop(key)
            self._unconfirmed.discard(key)
            with contextlib.suppress(nats.errors.Error, OSError):
                await sub.unsubscribe()
        for key in wanted:
            if key not in self._subs:
                self._subs[key] = await nc.subscribe(subject(*key), cb=self._ringer(key))
                self._unconfirmed.add(key)
        if self._unconfirmed:
            # nats-py writes flush()'s PING straight to the socket, ahead of SUBs still in its outgoing buffer
            # (seen here: a PONG back before the server had them); by the first PONG that buffer has gone out,
            # so the second PONG is the one that proves the server has every SUB.
            await nc.flush(FLUSH_TIMEOUT)
            await nc.flush(FLUSH_TIMEOUT)
            confirmed, self._unconfirmed = self._unconfirmed, set()
            for key in confirmed:  # what was published before the server had our SUB is in the table
                self.registry.ring_key(key, catch_up=True)

    async def _sync(self) -> None:
        while True:
            await self._changed.wait()
            self._changed.clear()
            nc = self._nc
            if nc is None or not self.connected.is_set():
                continue  # the connection coming back sets _changed again
            try:
                await self._reconcile(nc)
            except (nats.errors.Error, OSError, TimeoutError) as exc:
                log.warning("NATS subscribe failed (%s); retrying", type(exc).__name__)
                await asyncio.sleep(RETRY_DELAY)
                self._changed.set()

    async def _catch_up(self) -> None:
        """A doorbell that never came (a writer that died after COMMIT) only delays: every feed re-reads.

        Each watched key is rung once per interval, the keys spread over it, so hundreds of feeds do
        not all ask the pool for a connection at the same instant.
        """
        while True:
            keys = list(self.registry.keys())
            if not keys:
                await asyncio.sleep(self.catch_up_seconds)
                continue
            gap = self.catch_up_seconds / len(keys)
            for key in keys:
                await asyncio.sleep(gap)
                self.registry.ring_key(key, catch_up=True)
