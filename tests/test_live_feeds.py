"""The shared feed's bounds: a subscriber is never left with a silent gap, however far behind it starts."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from db.session import RequestDb
from server.auth import Claims
from server.live.broker import Watch
from server.live.feeds import CAPACITY, Feed, LiveHub, SlowConsumer, Subscriber

LOG = uuid.uuid4()
TENANT = "clinic-a"


class _Broker:
    def watch(self, channel: str, tenant: str, log: uuid.UUID | None) -> Watch:
        return Watch(channel, tenant, log)

    def unwatch(self, watch: Watch) -> None:
        pass


class _Readings:
    """A reader fed by the test: each read returns what was queued since the last one."""

    def __init__(self) -> None:
        self.queued: list[tuple[uuid.UUID, int, Any]] = []
        self.next_seq = 1

    def commit(self, n: int) -> None:
        for _ in range(n):
            self.queued.append((LOG, self.next_seq, f"reading {self.next_seq}"))
            self.next_seq += 1

    async def __call__(self, db: RequestDb) -> list[tuple[uuid.UUID, int, Any]]:
        out, self.queued = self.queued, []
        return out


def _subscriber(position: int) -> Subscriber:
    claims = Claims(sub=uuid.uuid4(), role="vet", tenant_id=TENANT, exp=2**40)
    return Subscriber(claims=claims, last={LOG: position})


async def _feed(readings: _Readings, first: Subscriber) -> Feed:
    hub = LiveHub(None, _Broker())  # type: ignore[arg-type]  # no database: the reader is the test's
    feed = hub.join(("vitals", TENANT, LOG), lambda: readings, first)
    feed.task.cancel()  # the test drives the reads itself
    return feed


async def test_a_subscriber_joins_at_the_feeds_present() -> None:
    """What the feed read before a subscriber joined is not its to have from the feed: it reads that
    from the table itself (LiveHub.stream), so the feed need not keep it."""
    readings = _Readings()
    first = _subscriber(0)
    feed = await _feed(readings, first)
    readings.commit(30)
    await feed._read_once()
    late = _subscriber(10)
    feed.hub.join(feed.key, lambda: readings, late)
    readings.commit(5)
    await feed._read_once()
    assert [e.seq for e in feed.pending(late)] == list(range(31, 36))
    assert [e.seq for e in feed.pending(first)] == list(range(1, 36))


async def test_entries_every_subscriber_has_had_are_let_go() -> None:
    readings = _Readings()
    fast, slow = _subscriber(0), _subscriber(0)
    feed = await _feed(readings, fast)
    feed.subscribers.add(slow)
    for _ in range(50):
        readings.commit(100)
        await feed._read_once()
        feed.pending(fast)
        assert len(feed.entries) <= 200  # what `fast` had is let go only once `slow` had it too
        feed.pending(slow)
    await feed._read_once()
    assert not feed.entries
    assert feed.next_idx == 5000


async def test_a_subscriber_that_falls_behind_the_feed_is_a_slow_consumer() -> None:
    readings = _Readings()
    sub = _subscriber(0)
    feed = await _feed(readings, sub)
    readings.commit(5)
    await feed._read_once()
    assert len(feed.pending(sub)) == 5
    readings.commit(CAPACITY + 1)
    await feed._read_once()
    with pytest.raises(SlowConsumer):
        feed.pending(sub)
