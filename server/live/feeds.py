"""Shared per-process feeds: one fetch per change, fanned out to every subscriber of a log.

When its broker watch rings, a feed reads what was committed after its position,
once, under the claims of one of its subscribers (all are staff of the same
clinic, authorized under RLS when they subscribed), and wakes them. It holds an
entry only until every subscriber has had it, so delivering leaves nothing
behind; one that falls more than `CAPACITY` entries behind the others is ended
with SLOW_CONSUMER rather than buffered without bound. A subscriber joins at the
feed's present and first reads, on its own, what was committed after its own
position (its snapshot, or the cursor it resumes after) from the table.

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

from db.claims import Claims
from db.membership import Membership
from db.session import RequestDb, retry_code
from graph import metrics as graph_metrics
from graph.errors import Forbidden
from graph.live import PAGE, Entry, FeedKey, Reader, Readers, ShuttingDown, SlowConsumer, Subscriber, TokenExpired
from server import metrics
from server.live.broker import Broker

log = logging.getLogger("vetql.live")

CAPACITY = 2000
RETRY_DELAY = 0.5


def _failed_read(exc: Exception) -> None:
    """A feed's read that failed, logged: a database busy, slow or away (a retryable failure, expected under
    load and through a restart) as one line with its code; anything else with its stack."""
    retry = retry_code(exc)
    if retry is None:
        log.error("feed read failed; retrying", exc_info=exc)
    else:
        log.warning("feed read failed (%s); retrying", retry)


async def _read(engine: AsyncEngine, claims: Claims, reader: Reader) -> list[tuple[UUID, int, object]]:
    db = RequestDb(engine, claims.as_json_claims())
    try:
        return await reader(db)
    finally:
        await db.close()


class Feed:
    def __init__(self, hub: LiveHub, key: FeedKey, reader: Reader) -> None:
        self.hub = hub
        self.key = key
        self.tenant = key[1]
        self.reader = reader
        self.entries: deque[Entry] = deque()
        self.next_idx = 0
        self.subscribers: set[Subscriber] = set()
        self.watch = hub.broker.watch(*key)
        self.task = asyncio.create_task(self._run(), name=f"vetql-feed-{key[0]}")

    async def _run(self) -> None:
        while True:
            await self.watch.wait()
            while True:
                try:
                    more = await self._read_once()
                except Exception as exc:  # the feed outlives any one read: it retries
                    _failed_read(exc)
                    await asyncio.sleep(RETRY_DELAY)
                    continue
                if not more:
                    break

    async def _read_once(self) -> bool:
        """Read new entries once; True if a full page came back and there may be more."""
        if not self.subscribers:
            return False
        rows = await _read(self.hub.engine, next(iter(self.subscribers)).claims, self.reader)
        self.trim()
        for log_id, seq, item in rows:
            self.entries.append(Entry(self.next_idx, log_id, seq, item))
            self.next_idx += 1
        if len(self.entries) > CAPACITY:  # the slowest are cut off: SLOW_CONSUMER on their next look
            for _ in range(len(self.entries) - CAPACITY):
                self.entries.popleft()
        if rows:
            for sub in self.subscribers:
                sub.bell.set()
        return len(rows) >= PAGE

    def trim(self) -> None:
        """Let go of the entries every subscriber has had."""
        if not self.entries:
            return
        low = min((sub.idx for sub in self.subscribers), default=self.next_idx - 1)
        entries = self.entries
        while entries and entries[0].idx <= low:
            entries.popleft()

    def pending(self, sub: Subscriber) -> list[Entry]:
        """Entries this subscriber has not had, oldest first; raises SlowConsumer if some were let go."""
        if not self.entries:
            return []
        first = self.entries[0].idx
        if sub.idx < first - 1:
            raise SlowConsumer
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

    def __init__(
        self, engine: AsyncEngine, broker: Broker, membership: Membership | None = None, *, send_timeout: float = 10.0
    ) -> None:
        self.engine = engine
        self.broker = broker
        self.send_timeout = send_timeout
        self.feeds: dict[FeedKey, Feed] = {}
        self.closing = False
        self._sweeper: asyncio.Task[None] | None = None
        self.membership = membership
        self._revoked: set[Subscriber] = set()
        self._recheck: asyncio.Task[None] | None = None
        if membership is not None:
            membership.on_forget(self._forgotten)

    def shut_down(self) -> None:
        """Every stream ends now (`ShuttingDown`), each with its protocol's reconnect end."""
        self.closing = True
        if self._sweeper is not None:
            self._sweeper.cancel()
        for feed in self.feeds.values():
            for sub in feed.subscribers:
                sub.bell.set()

    async def _sweep(self) -> None:
        """Finds subscribers whose sends stay blocked past the bound, at that moment: counted, let go
        of by their feed (which keeps nothing for them), ended with SLOW_CONSUMER when they wake."""
        loop = asyncio.get_running_loop()
        while self.feeds:
            await asyncio.sleep(max(0.05, self.send_timeout / 4))
            now = loop.time()
            for feed in list(self.feeds.values()):
                limit = now - self.send_timeout
                stuck = [s for s in feed.subscribers if s.busy_since is not None and s.busy_since < limit]
                for sub in stuck:
                    sub.slow = True
                    graph_metrics.LIVE_SLOW_CONSUMERS.inc()
                    log.info("slow consumer: sends blocked for %.1f s", now - (sub.busy_since or now))
                    self._detach(feed, sub)
        self._sweeper = None

    def _detach(self, feed: Feed, sub: Subscriber) -> None:
        if sub in feed.subscribers:
            feed.subscribers.discard(sub)
            feed.trim()
            metrics.LIVE_SUBSCRIBERS.dec()


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
        sub.idx = feed.next_idx - 1  # from the feed's present on; what came before, it reads itself
        feed.subscribers.add(sub)
        metrics.LIVE_SUBSCRIBERS.inc()
        if self.membership is not None and self._recheck is None:
            self._recheck = asyncio.create_task(self._recheck_members(self.membership), name="vetql-membership")
        if self._sweeper is None and not self.closing:
            self._sweeper = asyncio.create_task(self._sweep(), name="vetql-live-sweeper")
        # catch up at once: commits between the subscriber's snapshot and now
        feed.watch.ring()
        return feed

    async def leave(self, feed: Feed, sub: Subscriber) -> None:
        self._detach(feed, sub)
        self._revoked.discard(sub)
        if not feed.subscribers and self.feeds.get(feed.key) is feed:
            del self.feeds[feed.key]
            self.broker.unwatch(feed.watch)
            feed.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await feed.task

    async def stream(
        self, key: FeedKey, reader: Readers, sub: Subscriber, start: dict[UUID, int]
    ) -> AsyncIterator[Entry]:
        """Entries after the subscriber's position, then live, until it goes away; checks clinic and token expiry.

        The feed, made on first use, reads on from `start` (the log's present); the subscriber
        first reads from its own position up to wherever the feed took over.
        """
        feed = self.join(key, lambda: reader(dict(start)), sub)
        # One timer marks the token expired and rings the bell; waking needs no timeout of its own.
        expiry = asyncio.get_running_loop().call_later(max(0.0, sub.claims.exp - time.time()), sub.expire)
        try:
            own = reader(dict(sub.last))
            while True:
                rows = await _read(self.engine, sub.claims, own)
                if self.closing:
                    raise ShuttingDown
                for log_id, seq, item in rows:
                    if seq > sub.last.get(log_id, 0):
                        sub.last[log_id] = seq
                        yield Entry(-1, log_id, seq, item)
                if len(rows) < PAGE:
                    break
            while True:
                if sub.claims.tenant_id != feed.tenant:  # never send another clinic's event
                    return
                if self.closing:
                    raise ShuttingDown
                if sub.slow:
                    raise SlowConsumer
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
