"""`Broker` over PostgreSQL LISTEN/NOTIFY: one direct connection per process, not per subscriber."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any
from uuid import UUID

import asyncpg
import orjson

from db import live as live_sql
from db import urls
from server import metrics
from server.live.broker import CHANNELS, Watch, WatchRegistry

log = logging.getLogger("vetql.live")

HEALTH_INTERVAL = 2.0  # seconds between liveness checks of the listener connection
HEALTH_TIMEOUT = 2.0
BACKOFF = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0)


class PgBroker:
    """Listens on the live channels and rings the matching watches.

    A dropped connection (server restart, pg_terminate_backend, network) is
    noticed by asyncpg's termination callback or by the health check, then
    re-established with backoff; after LISTEN is back every watch is rung with
    `catch_up`, so subscribers re-read from their last position in the table.
    """

    def __init__(self, database_url: str) -> None:
        self._url = urls.plain(database_url)
        self.registry = WatchRegistry()
        self._conn: asyncpg.Connection | None = None
        self._lost = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()
        self.reconnects = 0

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="vetql-pg-broker")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.connected.wait(), 10)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._close()

    def watch(self, channel: str, tenant: str, log_id: UUID | None) -> Watch:
        return self.registry.add(Watch(channel, tenant, log_id))

    def unwatch(self, watch: Watch) -> None:
        self.registry.remove(watch)

    def _on_notify(self, conn: Any, pid: int, channel: str, payload: str) -> None:
        try:
            data = orjson.loads(payload)
            self.registry.ring(channel, str(data["t"]), UUID(str(data["l"])))
        except (ValueError, KeyError, TypeError):
            log.warning("ignored malformed notification on %s", channel)

    def _on_terminate(self, conn: Any) -> None:
        self._lost.set()

    async def _connect(self) -> None:
        conn = await asyncpg.connect(self._url, server_settings={"application_name": "vetql-listener"})
        conn.add_termination_listener(self._on_terminate)
        for channel in CHANNELS:
            await conn.add_listener(channel, self._on_notify)
        self._conn = conn
        self._lost.clear()

    async def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), 2)

    async def _healthy(self) -> bool:
        if self._conn is None or self._conn.is_closed():
            return False
        try:
            await asyncio.wait_for(self._conn.fetchval(live_sql.PING), HEALTH_TIMEOUT)
        except (Exception, TimeoutError):
            return False
        return True

    async def _run(self) -> None:
        attempt = 0
        first = True
        while True:
            try:
                await self._connect()
            except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
                delay = BACKOFF[min(attempt, len(BACKOFF) - 1)]
                attempt += 1
                log.warning("listener connect failed (%s); retrying in %.2fs", type(exc).__name__, delay)
                await asyncio.sleep(delay)
                continue
            attempt = 0
            self.connected.set()
            if not first:
                self.reconnects += 1
                metrics.LIVE_BROKER_RECONNECTS.inc()
                log.warning("listener reconnected; catching up %d subscribers", len(self.registry))
            # Anything committed while we were not listening is in the tables:
            # every subscriber re-reads from its last position.
            self.registry.ring_all()
            first = False
            while True:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._lost.wait(), HEALTH_INTERVAL)
                if self._lost.is_set() or not await self._healthy():
                    break
            self.connected.clear()
            await self._close()
