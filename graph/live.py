"""What subscriptions need from the server's live fan-out (server/live/): the contract, not the machinery.

The server owns the broker, the shared per-log feeds and the WebSocket outlets;
subscription resolvers see only these types, so `graph` never imports the server.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import UUID

from db.claims import Claims
from db.session import RequestDb

# Broker channels: one per kind of event a log produces.
VITALS = "vetql_vitals"
ALARMS = "vetql_alarms"

FeedKey = tuple[str, str, UUID | None]  # (channel, clinic, log or None for the whole clinic)


class SlowConsumer(Exception):
    """The subscriber fell further behind than the feed keeps."""


class TokenExpired(Exception):
    """The subscriber's token expired while the subscription was open."""


@dataclass(slots=True)
class Entry:
    idx: int
    log: UUID
    seq: int
    item: Any
    # The item rendered for each distinct subscription selection (graph/compiled/execution.py).
    rendered: dict[Any, Any] = field(default_factory=dict)


# A feed's reader: given a transaction under a subscriber's claims, return the
# new (log, seq, item) triples in order, advancing its own position.
Reader = Callable[[RequestDb], Awaitable[list[tuple[UUID, int, Any]]]]


@dataclass(eq=False)
class Subscriber:
    claims: Claims
    last: dict[UUID, int]  # per log: the highest seq this subscriber has (or need not) see
    idx: int = -1
    bell: asyncio.Event = field(default_factory=asyncio.Event)
    expired: bool = False

    def expire(self) -> None:
        self.expired = True
        self.bell.set()


class LiveEvents(Protocol):
    """The process's live feeds (server/live/feeds.py `LiveHub`)."""

    def stream(self, key: FeedKey, reader: Callable[[], Reader], sub: Subscriber) -> AsyncIterator[Entry]:
        """Entries for one subscriber, live, until it goes away."""
        ...


class Outlet(Protocol):
    """One subscription's WebSocket: sends an event's pre-rendered `data` object (JSON bytes)."""

    async def send(self, data: bytes) -> None: ...


# Set by the WebSocket protocol handlers for each operation they run; unset on multipart and SSE.
OUTLET: ContextVar[Outlet | None] = ContextVar("vetql_outlet", default=None)
