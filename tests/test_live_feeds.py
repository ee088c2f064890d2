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


async def test_a_new_subscriber_gets_everything_after_its_position() -> None:
    readings = _Readings()
    first = _subscriber(0)
    feed = await _feed(readings, first)
    readings.commit(30)
    await feed._read_once()
    late = _subscriber(10)  # its snapshot said 10: readings 11-30 are its own
    feed.subscribers.add(late)
    assert [e.seq for e in feed.pending(late)] == list(range(11, 31))
    assert [e.seq for e in feed.pending(first)] == list(range(1, 31))


async def test_a_new_subscriber_whose_readings_were_let_go_is_told_not_left_with_a_gap() -> None:
    readings = _Readings()
    first = _subscriber(0)
    feed = await _feed(readings, first)
    for _ in range(3):  # more than the feed holds: the oldest 500 are let go
        readings.commit(CAPACITY // 2 + 250)
        await feed._read_once()
    assert feed.entries[0].seq == 3 * (CAPACITY // 2 + 250) - CAPACITY + 1
    behind = _subscriber(100)  # started from a snapshot older than what the feed still holds
    feed.subscribers.add(behind)
    with pytest.raises(SlowConsumer):
        feed.pending(behind)
    recent = _subscriber(feed.entries[0].seq - 1)  # exactly at the edge: nothing missing
    feed.subscribers.add(recent)
    got = [e.seq for e in feed.pending(recent)]
    assert got[0] == feed.entries[0].seq and len(got) == CAPACITY


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
