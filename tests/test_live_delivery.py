"""Live delivery across two real server processes: isolation, order, nothing lost, nothing twice.

Subscribers are real WebSocket clients (graphql-transport-ws) on `live_servers[0]` (and [1]);
readings are recorded over HTTP through both processes. Each test opens its own anesthesia logs.
"""

from __future__ import annotations

import asyncio
import signal
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from graph.types.node import to_global_id
from tests.conftest import LiveServer
from tests.test_live_protocols import (
    TRANSPORT_WS,
    VITALS,
    Client,
    drain_complete,
    error_codes,
    http_data,
    mark,
    record,
    start_log,
    vet,
)
from tests.world import World

Token = Callable[..., str]

ALARMS = """
subscription($log: ID) {
  anesthesiaAlarms(anesthesiaLogId: $log) {
    transition sequence occurredAt anesthesiaLogId isCurrentState alarm { id kind severity isActive }
  }
}
"""
RECORD_MANY = """
mutation($input: RecordVitalsInput!) {
  recordVitals(input: $input) { vitals { id notes } userErrors { field code message } }
}
"""


def log_uuid(global_id: str) -> uuid.UUID:
    import base64

    return uuid.UUID(base64.urlsafe_b64decode(global_id.encode()).decode().partition(":")[2])


Connect = Callable[..., Awaitable[Client]]


@pytest.fixture
async def connect_ws(live_servers: list[LiveServer]) -> AsyncIterator[Connect]:
    """connect_ws(token, server=0) -> a graphql-transport-ws Client, acknowledged; all closed at teardown."""
    sockets: list[ClientConnection] = []

    async def make(staff: str, server: int = 0) -> Client:
        ws = await connect(live_servers[server].ws_url, subprotocols=[TRANSPORT_WS], open_timeout=5)  # type: ignore[list-item]
        sockets.append(ws)
        client = Client(ws, TRANSPORT_WS)
        client.skip_current_state = True  # these tests watch transitions; the state on subscribe is tested apart
        await client.ack(staff)
        return client

    yield make
    for ws in sockets:
        await ws.close()


def notes(events: list[dict[str, Any]]) -> list[str]:
    return [e["vitalsRecorded"]["notes"] for e in events]


async def stored_notes(database_url: str, log_id: str) -> list[str]:
    """The log's readings as the database numbered them (commit order)."""
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch(
            "SELECT notes FROM anesthesia_vitals WHERE anesthesia_log_id = $1 ORDER BY seq", log_uuid(log_id)
        )
    finally:
        await conn.close()
    return [r["notes"] for r in rows]


async def until_live(
    client: Client, op_id: str, server: LiveServer, staff: str, log_id: str, at: str | None = None
) -> list[dict[str, Any]]:
    """Record probe readings until subscription `op_id` (vitalsRecorded of `log_id`) delivers them.

    Probe n delivered means every later probe will be too: wait for the last one sent, so that no
    probe is left in flight when this returns. Messages of the client's other operations meanwhile are
    returned (the probes themselves raise no alarm).
    """
    others: list[dict[str, Any]] = []

    async def probe(within: float) -> int:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            message = await client.recv(max(deadline - loop.time(), 0.001))
            if message.get("id") != op_id:
                others.append(message)
                continue
            assert message["type"] == "next" and message["payload"].get("errors") is None, message
            return int(message["payload"]["data"]["vitalsRecorded"]["notes"].split("/")[1])

    sent = 0
    while sent < 40:
        sent += 1
        await record(server, staff, log_id, [{"heartRate": 90, "notes": f"probe/{sent}", "recordedAt": at}])
        try:
            got = await probe(0.25)
        except TimeoutError:
            continue
        while got < sent:
            following = await probe(5)
            assert following == got + 1, (following, got)
            got = following
        return others
    raise AssertionError("the subscription never went live")


# -- isolation ---------------------------------------------------------------------------------


async def test_other_clinic_subscriber_gets_nothing(
    connect_ws: Connect, world: World, token: Token, live_servers: list[LiveServer]
) -> None:
    a_staff, b_staff = vet(world, token, "a"), vet(world, token, "b")
    a_log = await start_log(live_servers[1], a_staff, world.a.pets[2])
    b_log = await start_log(live_servers[1], b_staff, world.b.pets[1])

    b_monitor = await connect_ws(b_staff)
    await b_monitor.subscribe("b-vitals", VITALS, {"log": b_log, "since": mark()})
    await b_monitor.subscribe("b-alarms", ALARMS, {"log": None})  # every open log of clinic B
    a_monitor = await connect_ws(a_staff)  # the control: A's own watcher gets A's readings
    await a_monitor.subscribe("a-vitals", VITALS, {"log": a_log, "since": mark()})

    assert await until_live(b_monitor, "b-vitals", live_servers[1], b_staff, b_log) == []
    for server in live_servers:
        await record(
            server, a_staff, a_log, [{"heartRate": 100, "spo2": 85.0, "notes": "a1"}, {"notes": "a2", "heartRate": 99}]
        )
    got = await a_monitor.collect("a-vitals", 4)
    assert notes(got) == ["a1", "a2", "a1", "a2"]
    await b_monitor.nothing_for()

    # B's watcher works: B's own reading (and alarm) arrive, and only those
    await record(live_servers[0], b_staff, b_log, [{"heartRate": 80, "spo2": 80.0, "notes": "b1"}])
    by_op: dict[str, list[dict[str, Any]]] = {"b-vitals": [], "b-alarms": []}
    for _ in range(2):  # one event on each subscription, in either order
        message = await b_monitor.recv()
        assert message["type"] == "next" and message["id"] in by_op, message
        by_op[message["id"]].append(message["payload"]["data"])
    assert notes(by_op["b-vitals"]) == ["b1"]
    [alarm] = by_op["b-alarms"]
    assert alarm["anesthesiaAlarms"]["anesthesiaLogId"] == b_log
    assert alarm["anesthesiaAlarms"]["alarm"]["kind"] == "SEVERE_HYPOXEMIA"
    await b_monitor.nothing_for(0.3)


async def test_subscribing_to_other_clinic_log_fails_without_events(
    connect_ws: Connect, world: World, token: Token, live_servers: list[LiveServer]
) -> None:
    a_staff = vet(world, token, "a")
    a_log = await start_log(live_servers[1], a_staff, world.a.pets[2])
    intruders = [
        ("b vet", token(world.b.vet, world.b.tenant, "vet"), "NOT_FOUND"),
        ("b admin", token(world.b.admin, world.b.tenant, "admin"), "NOT_FOUND"),
        ("a owner", token(world.a.owners[0], world.a.tenant, "owner"), "FORBIDDEN"),  # owns the patient
        ("platform", token(world.platform_user, None, "platform"), "FORBIDDEN"),
    ]
    clients = []
    for who, intruder, expected in intruders:
        client = await connect_ws(intruder)
        for op_id, query in (("v", VITALS), ("a", ALARMS)):
            await client.subscribe(op_id, query, {"log": a_log})
            message = await client.recv()
            assert message["id"] == op_id and error_codes(client, message) == [expected], (who, message)
            await drain_complete(client, op_id, message)
        clients.append(client)
    await record(live_servers[0], a_staff, a_log, [{"spo2": 80.0, "notes": "secret"}])
    for client in clients:
        await client.nothing_for(0.3)


# -- ordering and loss ---------------------------------------------------------------------------


async def test_thousand_readings_in_bursts_across_two_processes_arrive_once_in_order(
    connect_ws: Connect, world: World, token: Token, live_servers: list[LiveServer], database_url: str
) -> None:
    staff = vet(world, token)
    log_id = await start_log(live_servers[1], staff, world.a.pets[4])
    watchers = [await connect_ws(staff, 0), await connect_ws(staff, 1)]
    since = mark()
    for w in watchers:
        await w.subscribe("v", VITALS, {"log": log_id, "since": since})

    batches = [[{"heartRate": 60 + (i % 100), "notes": f"{b:02d}/{i:02d}"} for i in range(50)] for b in range(20)]
    async with httpx.AsyncClient(timeout=30) as http:

        async def send(b: int) -> None:
            server = live_servers[b % 2]  # alternate between the two processes
            response = await http.post(
                f"{server.url}/graphql",
                json={"query": RECORD_MANY, "variables": {"input": {"anesthesiaLogId": log_id, "vitals": batches[b]}}},
                headers={"Authorization": f"Bearer {staff}"},
            )
            body = response.json()
            assert body.get("errors") is None, (b, body)
            assert body["data"]["recordVitals"]["userErrors"] == [], body
            assert [v["notes"] for v in body["data"]["recordVitals"]["vitals"]] == [r["notes"] for r in batches[b]]

        b = 0
        for burst in (1, 2, 1, 4, 1, 2, 1, 4, 2, 2):  # 20 batches: some alone, some concurrently on both processes
            await asyncio.gather(*(send(b + k) for k in range(burst)))
            b += burst
        assert b == 20

    expected = await stored_notes(database_url, log_id)
    assert len(expected) == 1000 and len(set(expected)) == 1000
    for w in watchers:
        got = notes(await w.collect("v", 1000, within=30))
        assert got == expected  # once each, in commit order
        await w.nothing_for(0.3)
    # each batch is contiguous and in the order sent
    for batch in batches:
        at = expected.index(batch[0]["notes"])
        assert expected[at : at + 50] == [r["notes"] for r in batch]


LISTENERS = (
    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'vetql-listener' AND datname = current_database()"
)
KILL_LISTENERS = (
    "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
    " WHERE application_name = 'vetql-listener' AND datname = current_database()"
)


async def listeners_back(conn: asyncpg.Connection, n: int = 2, within: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while (back := await conn.fetchval(LISTENERS)) != n:
        assert asyncio.get_running_loop().time() < deadline, f"{back} listeners after {within}s"
        await asyncio.sleep(0.05)


async def test_listener_killed_mid_stream_loses_nothing(
    connect_ws: Connect, world: World, token: Token, live_servers: list[LiveServer], database_url: str
) -> None:
    staff = vet(world, token)
    log_id = await start_log(live_servers[1], staff, world.a.pets[4])
    watcher = await connect_ws(staff, 0)
    await watcher.subscribe("v", VITALS, {"log": log_id, "since": mark()})
    await record(live_servers[1], staff, log_id, [{"heartRate": 80, "notes": f"before/{i}"} for i in range(5)])
    assert notes(await watcher.collect("v", 5)) == [f"before/{i}" for i in range(5)]

    def batch(tag: str, k: int) -> list[dict[str, Any]]:
        return [{"heartRate": 81, "notes": f"{tag}/{k}/{i}"} for i in range(4)]

    conn = await asyncpg.connect(database_url)
    try:
        # 1. the listeners of both processes are killed; readings go on through server 1 at once
        assert await conn.fetchval(KILL_LISTENERS) == 2  # one listener per server process
        for k in range(3):
            await record(live_servers[1], staff, log_id, batch("outage", k))
        started = asyncio.get_running_loop().time()
        got = notes(await watcher.collect("v", 12, within=6))
        assert got == [f"outage/{k}/{i}" for k in range(3) for i in range(4)], got
        assert asyncio.get_running_loop().time() - started < 5
        await listeners_back(conn)

        # 2. the same with the subscriber's process frozen meanwhile, so that its listener is certainly
        #    gone while the readings commit: only the catch-up from the table can deliver them
        server = live_servers[0].process
        server.send_signal(signal.SIGSTOP)
        try:
            assert await conn.fetchval(KILL_LISTENERS) == 2
            for k in range(2):
                await record(live_servers[1], staff, log_id, batch("frozen", k))
        finally:
            server.send_signal(signal.SIGCONT)
        started = asyncio.get_running_loop().time()
        got = notes(await watcher.collect("v", 8, within=6))
        assert got == [f"frozen/{k}/{i}" for k in range(2) for i in range(4)], got
        assert asyncio.get_running_loop().time() - started < 5
        await listeners_back(conn)
    finally:
        await conn.close()
    # live again, and nothing twice
    await record(live_servers[1], staff, log_id, [{"heartRate": 82, "notes": "after"}])
    assert notes(await watcher.collect("v", 1, within=3)) == ["after"]
    await watcher.nothing_for(0.3)


async def test_resubscribe_with_since_fills_the_gap_exactly(
    connect_ws: Connect, world: World, token: Token, live_servers: list[LiveServer], database_url: str
) -> None:
    staff = vet(world, token)
    log_id = await start_log(live_servers[1], staff, world.a.pets[4])
    base = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=3)

    def reading(i: int) -> dict[str, Any]:
        return {"heartRate": 70 + i, "notes": f"r{i:02d}", "recordedAt": (base + timedelta(seconds=i)).isoformat()}

    first = await connect_ws(staff, 0)
    await first.subscribe("v", VITALS, {"log": log_id, "since": (base - timedelta(seconds=1)).isoformat()})
    await record(live_servers[1], staff, log_id, [reading(i) for i in range(5)])
    seen = await first.collect("v", 5)
    assert notes(seen) == [f"r{i:02d}" for i in range(5)]
    await first.ws.close()  # the monitor drops off ...

    await record(live_servers[0], staff, log_id, [reading(i) for i in range(5, 10)])  # ... and misses these

    async def keep_recording() -> None:
        for i in range(10, 25):
            await record(live_servers[i % 2], staff, log_id, [reading(i)])
            await asyncio.sleep(0.01)

    # it comes back with `since` = the time of the last reading it saw, while the monitor keeps recording:
    # `since` is "taken at or after", so that reading comes again (readings can share an instant)
    writer = asyncio.create_task(keep_recording())
    second = await connect_ws(staff, 0)
    await second.subscribe("v", VITALS, {"log": log_id, "since": seen[-1]["vitalsRecorded"]["recordedAt"]})
    third = await connect_ws(staff, 1)
    await third.subscribe("v", VITALS, {"log": log_id, "since": (base + timedelta(seconds=2.5)).isoformat()})
    await writer
    assert notes(await second.collect("v", 21)) == [f"r{i:02d}" for i in range(4, 25)]
    assert notes(await third.collect("v", 22)) == [f"r{i:02d}" for i in range(3, 25)]
    await second.nothing_for(0.4)
    await third.nothing_for(0.01)
    assert await stored_notes(database_url, log_id) == [f"r{i:02d}" for i in range(25)]


# -- alarms ------------------------------------------------------------------------------------


async def test_alarm_stream_of_one_log_delivers_transitions_not_readings(
    connect_ws: Connect, world: World, token: Token, live_servers: list[LiveServer]
) -> None:
    staff = vet(world, token)
    log_id = await start_log(live_servers[1], staff, world.a.pets[2])  # a dog
    client = await connect_ws(staff, 0)
    await client.subscribe("alarms", ALARMS, {"log": log_id})
    await client.subscribe("vitals", VITALS, {"log": log_id})
    assert await until_live(client, "vitals", live_servers[1], staff, log_id) == []  # both are live now
    await client.stop("vitals")
    client.skip_ids.add("vitals")

    for spo2 in (93.0, 92.0, 91.0):  # three bad readings: one alarm
        await record(live_servers[1], staff, log_id, [{"spo2": spo2}])
    await record(live_servers[0], staff, log_id, [{"heartRate": 100}])  # no SpO2: nothing changes
    await record(live_servers[0], staff, log_id, [{"spo2": 97.0}, {"spo2": 98.0}])  # back in range: cleared once
    await record(live_servers[1], staff, log_id, [{"spo2": 88.0}])  # severe

    events = [e["anesthesiaAlarms"] for e in await client.collect("alarms", 3)]
    assert [(e["transition"], e["alarm"]["kind"]) for e in events] == [
        ("RAISED", "HYPOXEMIA"),
        ("CLEARED", "HYPOXEMIA"),
        ("RAISED", "SEVERE_HYPOXEMIA"),
    ]
    assert [e["sequence"] for e in events] == [1, 2, 3]
    assert {e["anesthesiaLogId"] for e in events} == {log_id}
    assert events[0]["alarm"]["id"] == events[1]["alarm"]["id"] != events[2]["alarm"]["id"]
    assert events[2]["alarm"]["severity"] == "CRITICAL" and events[2]["alarm"]["isActive"] is True
    await client.nothing_for(0.5)


async def test_clinic_wide_alarm_stream_includes_a_log_opened_after_subscribing(
    connect_ws: Connect, world: World, token: Token, live_servers: list[LiveServer]
) -> None:
    staff = vet(world, token)
    client = await connect_ws(staff, 0)
    await client.subscribe("all", ALARMS, {})
    other_clinic = await connect_ws(vet(world, token, "b"), 0)
    await other_clinic.subscribe("all", ALARMS, {})

    log_id = await start_log(live_servers[1], staff, world.a.pets[2])  # opened after subscribing
    await record(live_servers[1], staff, log_id, [{"bloodPressureMean": 55}])
    await record(live_servers[0], staff, log_id, [{"bloodPressureMean": 75}])

    ours: list[dict[str, Any]] = []
    async with asyncio.timeout(8):
        while len(ours) < 2:
            event = (await client.next_data("all"))["anesthesiaAlarms"]
            if event["anesthesiaLogId"] == log_id:
                ours.append(event)
    assert [(e["transition"], e["alarm"]["kind"], e["sequence"]) for e in ours] == [
        ("RAISED", "HYPOTENSION", 1),
        ("CLEARED", "HYPOTENSION", 2),
    ]
    await other_clinic.nothing_for(0.3)
    assert str(to_global_id("AnesthesiaLog", log_uuid(log_id))) == log_id


COMPLETE = """
mutation($input: CompleteAnesthesiaInput!) { completeAnesthesia(input: $input) { userErrors { code } } }
"""


async def test_clinic_wide_alarm_stream_starts_at_subscription(
    connect_ws: Connect, world: World, token: Token, live_servers: list[LiveServer]
) -> None:
    """A new clinic-wide watcher gets what happens from now on: not the transitions of a surgery that
    ended a moment before it subscribed."""
    staff = vet(world, token)
    finished = await start_log(live_servers[1], staff, world.a.pets[2])
    await record(live_servers[1], staff, finished, [{"spo2": 92.0, "bloodPressureMean": 55}])
    done = await http_data(
        live_servers[1], COMPLETE, {"input": {"anesthesiaLogId": finished, "outcome": "NORMAL"}}, staff
    )
    assert done["completeAnesthesia"]["userErrors"] == []

    client = await connect_ws(staff, 0)
    await client.subscribe("all", ALARMS, {})
    log_id = await start_log(live_servers[1], staff, world.a.pets[2])
    await record(live_servers[1], staff, log_id, [{"etco2": 50.0}])
    received = []
    async with asyncio.timeout(6):
        while True:
            event = (await client.next_data("all"))["anesthesiaAlarms"]
            received.append((event["anesthesiaLogId"] == log_id, event["transition"], event["alarm"]["kind"]))
            if event["anesthesiaLogId"] == log_id:
                break
    assert received == [(True, "RAISED", "HYPERCAPNIA")], received  # (is the new log's, transition, kind)


RECORD_WITH_ALARMS = """
mutation($input: RecordVitalsInput!) {
  recordVitals(input: $input) { alarmEvents { transition sequence alarm { kind } } userErrors { field code } }
}
"""


async def test_clinic_wide_alarm_stream_delivers_what_the_log_stream_does_for_late_readings(
    connect_ws: Connect, world: World, token: Token, live_servers: list[LiveServer]
) -> None:
    """A monitor that sends its buffered readings late and out of time order: whatever transitions
    recordVitals reports, the log's alarm stream and the clinic-wide one deliver each of them, in order."""
    staff = vet(world, token)
    log_id = await start_log(live_servers[1], staff, world.a.pets[2])
    client = await connect_ws(staff, 0)
    await client.subscribe("log", ALARMS, {"log": log_id})
    await client.subscribe("all", ALARMS, {})
    await client.subscribe("vitals", VITALS, {"log": log_id})
    now = datetime.now(UTC)
    # (stale clinic-wide events of other logs, if any, are another test's business)
    await until_live(client, "vitals", live_servers[1], staff, log_id, (now - timedelta(minutes=1)).isoformat())
    await client.stop("vitals")
    client.skip_ids.add("vitals")

    buffered = [(92.0, 5), (97.0, 20), (91.0, 10), (88.0, 1)]  # (SpO2, seconds ago), newest not last
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.post(
            f"{live_servers[1].url}/graphql",
            json={
                "query": RECORD_WITH_ALARMS,
                "variables": {
                    "input": {
                        "anesthesiaLogId": log_id,
                        "vitals": [
                            {"spo2": v, "recordedAt": (now - timedelta(seconds=ago)).isoformat()} for v, ago in buffered
                        ],
                    }
                },
            },
            headers={"Authorization": f"Bearer {staff}"},
        )
    body = response.json()
    assert body.get("errors") is None, body
    payload = body["data"]["recordVitals"]
    assert payload["userErrors"] == []
    expected = [(e["transition"], e["sequence"], e["alarm"]["kind"]) for e in payload["alarmEvents"]]
    assert expected and [s for _, s, _ in expected] == list(range(1, len(expected) + 1))

    got: dict[str, list[tuple[str, int, str]]] = {"log": [], "all": []}
    try:
        async with asyncio.timeout(4):
            while len(got["log"]) < len(expected) or len(got["all"]) < len(expected):
                message = await client.recv()
                assert message["type"] == "next" and message["id"] in got, message
                event = message["payload"]["data"]["anesthesiaAlarms"]
                if event["anesthesiaLogId"] == log_id:
                    got[message["id"]].append((event["transition"], event["sequence"], event["alarm"]["kind"]))
    except TimeoutError:
        pass
    assert got["log"] == expected
    assert got["all"] == expected, got["all"]
    await client.nothing_for(0.3)
