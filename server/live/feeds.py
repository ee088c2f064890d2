"""Shared per-process feeds: one fetch per change, fanned out to every subscriber of a log.

A feed keeps the last `CAPACITY` entries of its log (or clinic) in memory.
When its broker watch rings it reads what was committed after its position,
once, under the claims of one of its subscribers (all are staff of the same
clinic, authorized under RLS when they subscribed), and wakes them. Each
subscriber tracks its own position; one that falls more than `CAPACITY`
entries behind is ended with SLOW_CONSUMER rather than buffering without bound.

Membership is asked again on the membership cache's schedule for every identity
with a subscription open; a subscriber whose membership ended (or that this
process was told to forget) is ended with FORBIDDEN.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncEngine

from db.membership import Membership
from db.session import RequestDb
from graph.errors import Forbidden
from graph.live import Entry, FeedKey, Reader, SlowConsumer, Subscriber, TokenExpired
from server import metrics
from server.live.broker import Broker

log = logging.getLogger("vetql.live")

CAPACITY = 2000
RETRY_DELAY = 0.5


class Feed:
    def __init__(self, hub: LiveHub, key: FeedKey, reader: Reader) -> None:
        self.hub = hub
        self.key = key
        self.tenant = key[1]
        self.reader = reader
        self.entries: deque[Entry] = deque(maxlen=CAPACITY)
        self.next_idx = 0
        # Per log, the highest number of an entry no longer held: a subscriber whose
        # position is below it would miss readings, and is told so rather than left with a gap.
        self.dropped: dict[UUID, int] = {}
        self.subscribers: set[Subscriber] = set()
        self.watch = hub.broker.watch(*key)
        self.task = asyncio.create_task(self._run(), name=f"vetql-feed-{key[0]}")

    async def _run(self) -> None:
        while True:
            await self.watch.wait()
            while True:
                try:
                    more = await self._read_once()
                except Exception:
                    log.exception("feed read failed; retrying")
                    await asyncio.sleep(RETRY_DELAY)
                    continue
                if not more:
                    break

    async def _read_once(self) -> bool:
        """Read new entries once; True if a full page came back and there may be more."""
        if not self.subscribers:
            return False
        claims = next(iter(self.subscribers)).claims
        db = RequestDb(self.hub.engine, claims.as_json_claims())
        try:
            rows = await self.reader(db)
        finally:
            await db.close()
        for log_id, seq, item in rows:
            if len(self.entries) == CAPACITY:
                old = self.entries[0]
                self.dropped[old.log] = max(self.dropped.get(old.log, 0), old.seq)
            self.entries.append(Entry(self.next_idx, log_id, seq, item))
            self.next_idx += 1
        if rows:
            for sub in self.subscribers:
                sub.bell.set()
        return len(rows) >= 1000

    def pending(self, sub: Subscriber) -> list[Entry]:
        """Entries this subscriber has not had, oldest first; raises SlowConsumer if some were dropped."""
        if not self.entries:
            return []
        first = self.entries[0].idx
        if sub.idx < first - 1:
            if sub.idx >= 0:
                raise SlowConsumer
            # A new subscriber scans what the feed holds; if the feed already let go of readings
            # after its starting position (more than CAPACITY arrived meanwhile), it cannot have them.
            if any(self.dropped.get(log, 0) > position for log, position in sub.last.items()):
                raise SlowConsumer
            sub.idx = first - 1
        out = []
        for i in range(sub.idx + 1 - first, len(self.entries)):
            entry = self.entries[i]
            sub.idx = entry.idx
            if entry.seq > sub.last.get(entry.log, 0):
                sub.last[entry.log] = entry.seq
                out.append(entry)
        return out


class LiveHub:
    """The process's feeds, keyed by (channel, clinic, log); created on first subscriber, dropped after the last."""

    def __init__(self, engine: AsyncEngine, broker: Broker, membership: Membership | None = None) -> None:
        self.engine = engine
        self.broker = broker
        self.feeds: dict[FeedKey, Feed] = {}
        self.membership = membership
        self._revoked: set[Subscriber] = set()
        self._recheck: asyncio.Task[None] | None = None
        if membership is not None:
            membership.on_forget(self._forgotten)

    def _subscribers(self) -> list[Subscriber]:
        return [sub for feed in self.feeds.values() for sub in feed.subscribers]

    def _revoke(self, sub: Subscriber) -> None:
        self._revoked.add(sub)
        sub.bell.set()

    def _forgotten(self, tenant_id: str, profile_id: UUID) -> None:
        """This process was told a membership changed: end those subscriptions now (they may resubscribe)."""
        for sub in self._subscribers():
            if sub.claims.tenant_id == tenant_id and sub.claims.sub == profile_id:
                self._revoke(sub)

    async def _recheck_members(self, membership: Membership) -> None:
        """Ask membership again, once per distinct identity, on the membership cache's schedule."""
        while True:
            await asyncio.sleep(max(membership.ttl, 0.05))
            for claims in {sub.claims for sub in self._subscribers()}:
                try:
                    allowed = await membership.allows(claims)
                except Exception:
                    log.warning("membership re-check failed; kept for now", exc_info=True)
                    continue
                if not allowed:
                    for sub in self._subscribers():
                        if sub.claims == claims:
                            self._revoke(sub)

    def _check_revoked(self, sub: Subscriber) -> None:
        if sub in self._revoked:
            raise Forbidden("Your membership of this clinic ended; the subscription is closed.")

    async def close(self) -> None:
        if self._recheck is not None:
            self._recheck.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._recheck
            self._recheck = None

    def join(self, key: FeedKey, reader: Callable[[], Reader], sub: Subscriber) -> Feed:
        feed = self.feeds.get(key)
        if feed is None:
            feed = self.feeds[key] = Feed(self, key, reader())
        feed.subscribers.add(sub)
        metrics.LIVE_SUBSCRIBERS.inc()
        if self.membership is not None and self._recheck is None:
            self._recheck = asyncio.create_task(self._recheck_members(self.membership), name="vetql-membership")
        # catch up at once: commits between the subscriber's snapshot and now
        feed.watch.ring()
        return feed

    async def leave(self, feed: Feed, sub: Subscriber) -> None:
        feed.subscribers.discard(sub)
        self._revoked.discard(sub)
        metrics.LIVE_SUBSCRIBERS.dec()
        if not feed.subscribers and self.feeds.get(feed.key) is feed:
            del self.feeds[feed.key]
            self.broker.unwatch(feed.watch)
            feed.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await feed.task

    async def stream(
        self, key: FeedKey, reader: Callable[[], Reader], sub: Subscriber
    ) -> AsyncIterator[Entry]:
        """Entries for one subscriber, live, until it goes away; checks clinic and token expiry."""
        feed = self.join(key, reader, sub)
        # One timer marks the token expired and rings the bell; waking needs no timeout of its own.
        expiry = asyncio.get_running_loop().call_later(max(0.0, sub.claims.exp - time.time()), sub.expire)
        try:
            while True:
                if sub.claims.tenant_id != feed.tenant:  # never send another clinic's event
                    return
                self._check_revoked(sub)
                for entry in feed.pending(sub):
                    yield entry
                self._check_revoked(sub)
                if sub.expired:
                    raise TokenExpired
                await sub.bell.wait()
                sub.bell.clear()
        finally:
            expiry.cancel()
            await self.leave(feed, sub)
