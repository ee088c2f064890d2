"""Delivering readings and opening and closing subscriptions leave nothing behind in the server process.

Rendering is driven in-process (tens of thousands of events through the shared renderer and through
Strawberry's own per-event path); connection cycles run a real server in this process, so
tracemalloc sees its heap, with real WebSocket clients.
"""

from __future__ import annotations

import asyncio
import gc
import socket
import tracemalloc
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

import pytest
import uvicorn
from graphql import FieldNode, OperationDefinitionNode, parse
from graphql.execution import map_source_to_response_event
from websockets.asyncio.client import connect

from graph.compiled.execution import EventRenderer, PassThroughExecutionContext
from graph.live import Subscriber
from graph.schema import schema
from graph.types.anesthesia import VitalSign
from server.app import create_app
from server.auth import Claims
from server.live.broker import Watch
from server.live.feeds import LiveHub
from server.settings import Settings
from tests.test_live_protocols import TRANSPORT_WS, VITALS, Client, record, vet
from tests.world import World

Token = Callable[..., str]
CYCLES = 2000

WATCH = "subscription($log: ID!) { vitalsRecorded(anesthesiaLogId: $log) { id recordedAt heartRate spo2 } }"


def _reading(seq: int) -> VitalSign:
    row: dict[str, Any] = dict.fromkeys(
        ("respiratory_rate", "etco2", "blood_pressure_systolic", "blood_pressure_diastolic", "blood_pressure_mean",
         "temperature", "anesthesia_depth", "iv_fluids_rate", "notes"),
    )
    row.update(id=uuid.uuid4(), recorded_at=datetime.now(UTC), heart_rate=80, spo2=97.0, seq=seq)
    return VitalSign.from_row(row)


def _traced() -> int:
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


async def test_rendering_tens_of_thousands_of_events_leaves_nothing_behind() -> None:
    document = parse(WATCH)
    executor = PassThroughExecutionContext.build(
        schema._schema, document, raw_variable_values={"log": "x"}, operation_extensions=None
    )
    assert isinstance(executor, PassThroughExecutionContext)
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    node = operation.selection_set.selections[0]
    assert isinstance(node, FieldNode)
    renderer = EventRenderer(executor, [node])

    async def events(n: int) -> AsyncIterator[VitalSign]:
        for i in range(n):
            yield _reading(i)

    async def deliver(n: int) -> None:
        for i in range(n):  # the shared path: rendered once for every subscriber with this selection
            assert renderer.data(_reading(i), {}) is not None
        async for result in map_source_to_response_event(executor, events(n)):  # Strawberry's own path
            assert result.errors is None

    await deliver(1000)
    tracemalloc.start()
    try:
        before = _traced()
        await deliver(20_000)
        grown = _traced() - before
    finally:
        tracemalloc.stop()
    assert grown < 256 * 1024, f"{grown} bytes kept after 40,000 events"  # (it was 60 MB)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class InProcessServer:
    def __init__(self, settings: Settings, database_url: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/graphql"
        app = create_app(settings, database_url)
        self.app = app
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", ws_per_message_deflate=False)
        )


@pytest.fixture
async def in_process(settings: Settings, database_url: str, world: World) -> AsyncIterator[InProcessServer]:
    server = InProcessServer(settings, database_url)
    task = asyncio.create_task(server.server.serve())
    while not server.server.started:
        assert not task.done(), "server did not start"
        await asyncio.sleep(0.05)
    try:
        yield server
    finally:
        server.server.should_exit = True
        await asyncio.wait_for(task, 20)


async def test_connect_subscribe_disconnect_cycles_leave_nothing_behind(
    in_process: InProcessServer, world: World, token: Token
) -> None:
    staff = vet(world, token)
    log = world.a.open_log
    assert log is not None
    from graph.types.node import to_global_id

    log_id = str(to_global_id("AnesthesiaLog", log))

    async def cycle(i: int) -> None:
        async with connect(in_process.ws_url, subprotocols=[TRANSPORT_WS]) as ws:  # type: ignore[list-item]
            client = Client(ws, TRANSPORT_WS)
            await client.ack(staff)
            await client.subscribe("v", VITALS, {"log": log_id})
            if i % 50 == 0:  # now and then a reading too, so the feed is made, used and dropped
                await asyncio.sleep(0.05)
                await record(in_process, staff, log_id, [{"heartRate": 70}])  # type: ignore[arg-type]
                await client.next_data("v")

    for i in range(CYCLES // 4):  # warm up: pools, statement caches, parser cache
        await cycle(i)
    tracemalloc.start()
    try:
        for i in range(CYCLES // 4):  # what the first cycles under tracing settle (pool, caches) is not growth
            await cycle(i)
        marks = [_traced()]
        # three rounds: something kept per cycle grows in every one; a one-off (the process is shared
        # with the session's other apps and their background tasks) shows in one round only
        for _ in range(3):
            for i in range(CYCLES // 2):
                await cycle(i)
            await asyncio.sleep(0.1)
            marks.append(_traced())
    finally:
        tracemalloc.stop()
    rounds = [after - before for before, after in pairwise(marks)]
    print(f"{rounds} bytes per {CYCLES // 2} cycles")
    # ~0.37 KB a cycle would be 370 KB in every round
    assert min(rounds) < 64 * 1024 and sorted(rounds)[1] < 192 * 1024, rounds


class _Broker:
    def watch(self, channel: str, tenant: str, log: uuid.UUID | None) -> Watch:
        return Watch(channel, tenant, log)

    def unwatch(self, watch: Watch) -> None:
        pass


async def test_a_feed_delivering_tens_of_thousands_of_readings_keeps_nothing_once_all_have_them() -> None:
    """Five subscribers of one log through the hub (no database: the reader is the test's)."""
    log = uuid.uuid4()
    queued: list[tuple[uuid.UUID, int, Any]] = []
    made = 0

    def readers(start: dict[uuid.UUID, int]) -> Any:
        nonlocal made
        made += 1

        async def feed_reads(db: Any) -> list[tuple[uuid.UUID, int, Any]]:
            out = queued[:]
            queued.clear()
            return out

        async def nothing_before(db: Any) -> list[tuple[uuid.UUID, int, Any]]:
            return []

        return feed_reads if made == 1 else nothing_before

    hub = LiveHub(None, _Broker())  # type: ignore[arg-type]
    key = ("vitals", "clinic-a", log)
    got = [0] * 5

    async def watch(i: int) -> None:
        claims = Claims(sub=uuid.uuid4(), role="vet", tenant_id="clinic-a", exp=2**40)
        async for entry in hub.stream(key, readers, Subscriber(claims=claims, last={log: 0}), {log: 0}):
            got[i] = entry.seq
            if min(got) == seq:
                caught_up.set()

    tasks = [asyncio.create_task(watch(i)) for i in range(5)]
    seq = 0
    caught_up = asyncio.Event()

    async def deliver(rounds: int) -> None:
        nonlocal seq
        for _ in range(rounds):
            for _ in range(100):
                seq += 1
                queued.append((log, seq, {"heartRate": 80, "notes": f"reading {seq}" * 4}))
            caught_up.clear()
            hub.feeds[key].watch.ring()
            await asyncio.wait_for(caught_up.wait(), 10)

    for _ in range(500):  # until every subscriber has joined the feed
        if key in hub.feeds and len(hub.feeds[key].subscribers) == 5:
            break
        await asyncio.sleep(0.01)
    await deliver(20)
    # Only what the feed and its readings allocate: the session's other servers and clients share this process.
    ours = [tracemalloc.Filter(True, f"*{name}") for name in ("server/live/feeds.py", "graph/live.py", __file__)]
    tracemalloc.start()
    try:
        gc.collect()
        before = tracemalloc.take_snapshot().filter_traces(ours)
        await deliver(300)  # 30,000 readings, each to five subscribers
        gc.collect()
        after = tracemalloc.take_snapshot().filter_traces(ours)
        grown = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
        held = len(hub.feeds[key].entries)
    finally:
        tracemalloc.stop()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    assert held <= 100
    assert grown < 64 * 1024, f"{grown} bytes kept after 30,000 readings delivered"
