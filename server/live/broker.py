"""The one publish/subscribe interface resolvers see: wake me when a log changes.

Events carry no data, only "log L of clinic T has something new on channel C"
(or "catch up on everything" after a lost connection). Subscribers then read
rows from the tables under their own claims, so a broker never decides what
anyone may see, and a lost event costs latency, never a reading. PostgreSQL
LISTEN/NOTIFY implements it by default (`PgBroker`); `NatsBroker`
(VETQL_BROKER=nats://...) implements the same protocol without touching resolvers.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterable
from typing import Protocol
from uuid import UUID

from graph.live import ALARMS, SURGERY, VITALS

__all__ = ["ALARMS", "CHANNELS", "SURGERY", "VITALS", "Broker", "Watch"]
CHANNELS = (VITALS, ALARMS, SURGERY)


class Watch:
    """A subscriber's doorbell: coalesces any number of wake-ups until it is awaited.

    Holds no events, so a slow subscriber costs no memory: it reads what it
    missed from the table when it gets round to it.
    """

    def __init__(self, channel: str, tenant: str, log: UUID | None) -> None:
        self.key = (channel, tenant, log)
        self._event = asyncio.Event()
        self.catch_up = False  # set when notifications may have been lost

    def ring(self, *, catch_up: bool = False) -> None:
        self.catch_up = self.catch_up or catch_up
        self._event.set()

    async def wait(self) -> None:
        """Until rung; resets the bell."""
        await self._event.wait()
        self._event.clear()


class Broker(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def watch(self, channel: str, tenant: str, log: UUID | None) -> Watch:
        """Register a watch: wakes on `log` of `tenant` (any log when None). Register before reading state."""
        ...

    def unwatch(self, watch: Watch) -> None: ...


class WatchRegistry:
    """Watches by (channel, tenant, log); what every broker implementation dispatches to."""

    def __init__(self) -> None:
        self._watches: dict[tuple[str, str, UUID | None], set[Watch]] = defaultdict(set)

    def add(self, watch: Watch) -> Watch:
        self._watches[watch.key].add(watch)
        return watch

    def remove(self, watch: Watch) -> None:
        watches = self._watches.get(watch.key)
        if watches is not None:
            watches.discard(watch)
            if not watches:
                del self._watches[watch.key]

    def ring(self, channel: str, tenant: str, log: UUID) -> None:
        for key in ((channel, tenant, log), (channel, tenant, None)):
            for watch in self._watches.get(key, ()):
                watch.ring()

    def ring_key(self, key: tuple[str, str, UUID | None], *, catch_up: bool = False) -> None:
        """Only the watches of exactly `key` (a broker with one subscription per key)."""
        for watch in list(self._watches.get(key, ())):
            watch.ring(catch_up=catch_up)

    def keys(self) -> set[tuple[str, str, UUID | None]]:
        """The keys someone watches now."""
        return set(self._watches)

    def ring_all(self) -> None:
        """After a lost connection: everyone re-reads from the table."""
        for watches in list(self._watches.values()):
            for watch in watches:
                watch.ring(catch_up=True)

    def all(self) -> Iterable[Watch]:
        for watches in self._watches.values():
            yield from watches

    def __len__(self) -> int:
        return sum(len(w) for w in self._watches.values())
