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
from db.events import ALARMS as ALARMS  # broker channels: the database's NOTIFY channels (one per kind)
from db.events import SURGERY as SURGERY
from db.events import VITALS as VITALS
from db.session import RequestDb

CLINIC = UUID(int=0)  # the one "log" of a clinic-numbered feed

FeedKey = tuple[str, str, UUID | None]  # (channel, clinic, log or None for the whole clinic)
PAGE = 1000  # rows a reader returns at most per read; a full page means there may be more


class _End:
    """A log's stream is over: the log is completed and everything before it was delivered."""

    def __repr__(self) -> str:
        return "END"


END = _End()
END_SEQ = 2**62  # after any number a log hands out


class SlowConsumer(Exception):
    """The subscriber fell further behind than the feed keeps."""


class ShuttingDown(Exception):
    """The server is shutting down: reconnect (to another server) and resume with the last cursor."""


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
# new (log, seq, item) triples in order (at most PAGE), advancing its own position.
Reader = Callable[[RequestDb], Awaitable[list[tuple[UUID, int, Any]]]]
# Makes a reader that starts after the given per-log positions.
Readers = Callable[[dict[UUID, int]], Reader]


@dataclass(eq=False)
class Subscriber:
    claims: Claims
    last: dict[UUID, int]  # per log: the highest seq this subscriber has (or need not) see
    idx: int = -1
    bell: asyncio.Event = field(default_factory=asyncio.Event)
    expired: bool = False
    # Since when (loop time) an event handed to the client has not gone out; None between sends.
    busy_since: float | None = None
    # Found blocked longer than the send bound (and counted then): ends with SLOW_CONSUMER when it wakes.
    slow: bool = False

    def expire(self) -> None:
        self.expired = True
        self.bell.set()


class LiveEvents(Protocol):
    """The process's live feeds (server/live/feeds.py `LiveHub`)."""

    send_timeout: float  # seconds a send may stay blocked before the subscriber is a slow consumer

    def stream(self, key: FeedKey, readers: Readers, sub: Subscriber, start: dict[UUID, int]) -> AsyncIterator[Entry]:
        """Entries after `sub.last`, then live, until it goes away; `start` is where the log stands now."""
        ...


class Outlet(Protocol):
    """One subscription's WebSocket: sends an event's pre-rendered `data` object (JSON bytes)."""

    async def send(self, data: bytes) -> None: ...


# Set by the WebSocket protocol handlers for each operation they run; unset on multipart and SSE.
OUTLET: ContextVar[Outlet | None] = ContextVar("vetql_outlet", default=None)
