"""Live events over NATS (VETQL_BROKER=nats://...): real nats-server, real `vetql serve` processes.

The writing process publishes what its transactions commit, only after COMMIT; subscribers of any
process read from the tables when rung, so a lost doorbell (broker restarted, writer gone between
commit and publish) is caught up: on reconnect, and by the periodic catch-up ring.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import nats
import pytest

from db import anesthesia as anesthesia_sql
from db.claims import Claims
from db.events import ALARMS, SURGERY, VITALS, Event, notify_in_transaction, on_citus, publish_after_commit
from db.retry import RetryPolicy, retrying
from db.session import DbError, RequestDb
from server.live.nats_broker import NatsBroker, subject
from tests.conftest import GQL, LiveServer, free_port
from tests.test_live_delivery import RECORD_MANY, log_uuid, notes, stored_notes
from tests.test_live_protocols import (
    TRANSPORT_WS,
    Client,
    mark,
    record,
    start_log,
    vet,
)
from tests.test_live_protocols import VITALS as WATCH_VITALS
from tests.world import World

CATCH_UP_SECONDS = 1.0  # the catching-up server's VETQL_LIVE_CATCH_UP_SECONDS
READ_MARGIN = 2.5  # what a feed's read and the WebSocket send may take on this busy 2-core machine
NO_CATCH_UP = "3600"  # the pair's interval: only NATS and the reconnect catch-up can deliver there

ALARMS_WATCH = """
subscription($log: ID) {
  anesthesiaAlarms(anesthesiaLogId: $log) { transition isCurrentState anesthesiaLogId alarm { kind } }
}
"""
PHASE = """
mutation($input: RecordAnesthesiaPhaseInput!) { recordAnesthesiaPhase(input: $input) { userErrors { code } } }
"""
COMPLETE = """
mutation($input: CompleteAnesthesiaInput!) { completeAnesthesia(input: $input) { userErrors { code } } }
"""
START = """
mutation($input: StartAnesthesiaInput!) { startAnesthesia(input: $input) { anesthesiaLog { id } userErrors { code } } }
"""


def nats_server_binary() -> str:
    """Debian's nats-server; the NATS tests fail (never skip) without it, so CI cannot pass them by accident."""
    found = shutil.which("nats-server") or "/usr/sbin/nats-server"
    if not os.access(found, os.X_OK):
        pytest.fail(
            "nats-server not found (looked on PATH and at /usr/sbin/nats-server): the NATS broker's tests need a"
            " real server; install Debian's with `apt-get install nats-server`"
        )
    return found


class NatsServer:
    """A nats-server on a loopback port of its own, which a test can stop and start again on that port."""

    def __init__(self) -> None:
        self.binary = nats_server_binary()
        self.port = free_port()
        self.url = f"nats://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "-a", "127.0.0.1", "-p", str(self.port)], stdout=subprocess.DEVNULL, stderr=self.log
        )
        for _ in range(200):
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"nats-server exited: {self.log.read().decode()[-2000:]}")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise TimeoutError("nats-server did not listen")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def close(self) -> None:
        self.stop()
        self.log.close()


@pytest.fixture(scope="module")
def nats_server() -> Iterator[NatsServer]:
    server = NatsServer()
    server.start()
    try:
        yield server
    finally:
        server.close()


async def _servers(database_url: str, env: dict[str, str], n: int) -> list[LiveServer]:
    servers = [LiveServer(database_url, free_port(), env=env) for _ in range(n)]
    try:
        for server in servers:
            await server.ready()
    except BaseException:
        for server in servers:
            server.stop()
        raise
    return servers


@pytest.fixture(scope="module")
async def nats_pair(database_url: str, world: World, nats_server: NatsServer) -> AsyncIterator[list[LiveServer]]:
    """Two server processes on NATS with no periodic catch-up to speak of; a short lock timeout."""
    env = {"VETQL_BROKER": nats_server.url, "VETQL_LIVE_CATCH_UP_SECONDS": NO_CATCH_UP, "VETQL_LOCK_TIMEOUT": "0.5"}
    servers = await _servers(database_url, env, 2)
    try:
        yield servers
    finally:
        for server in servers:
            server.stop()


@pytest.fixture(scope="module")
async def catching_up(database_url: str, world: World, nats_server: NatsServer) -> AsyncIterator[LiveServer]:
    """One server process on NATS that rings every watch every CATCH_UP_SECONDS."""
    env = {"VETQL_BROKER": nats_server.url, "VETQL_LIVE_CATCH_UP_SECONDS": str(CATCH_UP_SECONDS)}
    [server] = await _servers(database_url, env, 1)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def connect_to() -> AsyncIterator[Any]:
    """connect_to(server, token) -> an acknowledged graphql-transport-ws Client; all closed at teardown."""
    from websockets.asyncio.client import ClientConnection, connect

    sockets: list[ClientConnection] = []

    async def make(server: LiveServer, staff: str) -> Client:
        ws = await connect(server.ws_url, subprotocols=[TRANSPORT_WS], open_timeout=5)  # type: ignore[list-item]
        sockets.append(ws)
        client = Client(ws, TRANSPORT_WS)
        client.skip_current_state = True
        await client.ack(staff)
        return client

    yield make
    for ws in sockets:
        await ws.close()


class Sniffer:
    """A plain NATS subscriber to every VetQL subject: what the servers publish, as subjects."""

    def __init__(self) -> None:
        self.subjects: list[str] = []

    async def heard(self, msg: Any) -> None:
        self.subjects.append(msg.subject)

    def of(self, log_id: uuid.UUID) -> list[str]:
        return [s for s in self.subjects if s.endswith(f".{log_id}")]


@pytest.fixture
async def sniffer(nats_server: NatsServer) -> AsyncIterator[Sniffer]:
    nc = await nats.connect(nats_server.url)
    sniff = Sniffer()
    try:
        await nc.subscribe("vetql.>", cb=sniff.heard)
        await nc.flush()
        yield sniff
    finally:
        await nc.close()


async def metric(server: LiveServer, name: str) -> float:
    async with httpx.AsyncClient(timeout=10) as http:
        text = (await http.get(f"{server.url}/metrics")).text
    values = [float(line.split()[-1]) for line in text.splitlines() if line.startswith(name + " ")]
    return values[0] if values else 0.0


# -- across processes ----------------------------------------------------------------------------


async def test_reading_written_through_one_process_reaches_a_subscriber_of_the_other(
    connect_to: Any, world: World, token: Any, nats_pair: list[LiveServer], sniffer: Sniffer
) -> None:
    staff, other_clinic = vet(world, token), vet(world, token, "b")
    log_id = await start_log(nats_pair[1], staff, world.a.pets[2])
    watcher = await connect_to(nats_pair[0], staff)
    await watcher.subscribe("v", WATCH_VITALS, {"log": log_id, "since": mark()})
    await watcher.subscribe("a", ALARMS_WATCH, {})  # every open log of the clinic: the wildcard subscription
    outsider = await connect_to(nats_pair[0], other_clinic)
    await outsider.subscribe("a", ALARMS_WATCH, {})

    readings = [{"heartRate": 90, "spo2": 80.0, "notes": "n1"}, {"heartRate": 91, "notes": "n2"}]
    await record(nats_pair[1], staff, log_id, readings)
    by_op: dict[str, list[dict[str, Any]]] = {"v": [], "a": []}
    while len(by_op["v"]) < 2 or len(by_op["a"]) < 1:
        message = await watcher.recv(10)
        assert message["type"] == "next" and message["id"] in by_op, message
        data = message["payload"]["data"]
        if message["id"] == "a" and data["anesthesiaAlarms"]["anesthesiaLogId"] != log_id:
            continue  # the clinic's other open surgeries (earlier tests') may be raising alarms too
        by_op[message["id"]].append(data)
    assert notes(by_op["v"]) == ["n1", "n2"]
    [alarm] = [a["anesthesiaAlarms"] for a in by_op["a"]]
    assert (alarm["transition"], alarm["anesthesiaLogId"], alarm["alarm"]["kind"]) == (
        "RAISED", log_id, "SEVERE_HYPOXEMIA"
    )
    await watcher.stop("a")
    watcher.skip_ids.add("a")
    await watcher.nothing_for(0.3)  # nothing twice
    await outsider.nothing_for(0.3)  # another clinic's watcher: nothing
    # the writer published them, on the log's subjects (one per channel, once per transaction)
    log = log_uuid(log_id)
    await _until(lambda: len(sniffer.of(log)) >= 4)
    await asyncio.sleep(0.2)
    assert sorted(sniffer.of(log)) == sorted(  # opened; then the reading, its alarm and that surgery event
        subject(c, world.a.tenant, log) for c in (SURGERY, VITALS, ALARMS, SURGERY)
    )


async def test_nats_server_restarted_mid_stream_loses_nothing_and_repeats_nothing(
    connect_to: Any, world: World, token: Any, nats_pair: list[LiveServer], nats_server: NatsServer,
    database_url: str,
) -> None:
    staff = vet(world, token)
    log_id = await start_log(nats_pair[1], staff, world.a.pets[4])
    watchers = [await connect_to(server, staff) for server in nats_pair]
    since = mark()
    for w in watchers:
        await w.subscribe("v", WATCH_VITALS, {"log": log_id, "since": since})
    reconnects = [await metric(s, "vetql_live_broker_reconnects_total") for s in nats_pair]

    written = 0
    stopped, restarted = asyncio.Event(), asyncio.Event()
    reached = {20: asyncio.Event(), 35: asyncio.Event()}

    async def writer() -> None:
        nonlocal written
        for i in range(60):
            batch = [{"heartRate": 80 + j, "notes": f"{i:02d}/{j}"} for j in range(3)]
            await record(nats_pair[i % 2], staff, log_id, batch)  # alternate writers
            written += 1
            if written in reached:
                reached[written].set()
            if written == 20:
                await stopped.wait()  # some written with the broker away, before and after its return
            if written == 35:
                await restarted.wait()
            await asyncio.sleep(0.02)

    task = asyncio.create_task(writer())
    try:
        await reached[20].wait()
        nats_server.stop()
        stopped.set()
        await reached[35].wait()
        nats_server.start()
        restarted.set()
        await task
    finally:
        task.cancel()
        if nats_server.process is None:
            nats_server.start()

    expected = await stored_notes(database_url, log_id)
    assert len(expected) == 180 and len(set(expected)) == 180
    for w in watchers:
        assert notes(await w.collect("v", 180, within=30)) == expected  # all, once each, in commit order
        await w.nothing_for(0.3)
    # both processes saw the connection go and come back (and caught up then: the periodic ring is an hour)
    for server, before in zip(nats_pair, reconnects, strict=True):
        assert await metric(server, "vetql_live_broker_reconnects_total") >= before + 1
    # and live again afterwards
    await record(nats_pair[0], staff, log_id, [{"heartRate": 70, "notes": "after"}])
    for w in watchers:
        assert notes(await w.collect("v", 1)) == ["after"]


async def test_rolled_back_write_publishes_nothing(
    world: World, token: Any, nats_pair: list[LiveServer], sniffer: Sniffer, database_url: str
) -> None:
    staff = vet(world, token)
    log_id = await start_log(nats_pair[1], staff, world.a.pets[3])
    log = log_uuid(log_id)
    await record(nats_pair[1], staff, log_id, [{"spo2": 80.0, "notes": "low"}])  # raises an alarm
    await _until(lambda: len(sniffer.of(log)) >= 4)  # log opened; reading, alarm, surgery event
    before = list(sniffer.of(log))

    # The next reading clears that alarm; holding the alarm's row lock makes the write fail after it
    # stored the reading (lock_timeout), so the whole transaction is rolled back.
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            await conn.fetch(  # by clinic too: on Citus a row lock needs the distribution column
                "SELECT 1 FROM anesthesia_alarms WHERE tenant_id = $1 AND anesthesia_log_id = $2 FOR UPDATE",
                world.a.tenant, log,
            )
            async with httpx.AsyncClient(timeout=10) as http:
                response = await http.post(
                    f"{nats_pair[1].url}/graphql",
                    json={"query": RECORD_MANY,
                          "variables": {"input": {"anesthesiaLogId": log_id, "vitals": [{"spo2": 98.0}]}}},
                    headers={"Authorization": f"Bearer {staff}"},
                )
            body = response.json()
            assert [e["extensions"]["code"] for e in body["errors"]] == ["TIMEOUT"], body
        await asyncio.sleep(0.5)  # anything published would have reached the sniffer by now
        assert sniffer.of(log) == before
        assert await stored_notes(database_url, log_id) == ["low"]  # nothing of it was kept
    finally:
        await conn.close()

    # the same write, committed: published
    await record(nats_pair[1], staff, log_id, [{"spo2": 98.0, "notes": "ok"}])
    await _until(lambda: len(sniffer.of(log)) > len(before))
    await asyncio.sleep(0.3)
    assert sorted(sniffer.of(log)[len(before):]) == sorted(
        subject(c, world.a.tenant, log) for c in (VITALS, ALARMS, SURGERY)
    )


async def _until(condition: Any, within: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "never happened"
        await asyncio.sleep(0.02)


# -- the catch-up ring ---------------------------------------------------------------------------


async def test_reading_committed_without_publish_reaches_subscriber_within_catch_up_interval(
    connect_to: Any, world: World, token: Any, nats_pair: list[LiveServer], catching_up: LiveServer,
    database_url: str,
) -> None:
    staff = vet(world, token)
    log_id = await start_log(catching_up, staff, world.a.pets[5])
    watcher = await connect_to(catching_up, staff)
    await watcher.subscribe("v", WATCH_VITALS, {"log": log_id, "since": mark()})
    no_ring = await connect_to(nats_pair[0], staff)  # the control: a process whose catch-up is an hour away
    await no_ring.subscribe("v", WATCH_VITALS, {"log": log_id, "since": mark()})
    await record(catching_up, staff, log_id, [{"heartRate": 60, "notes": "published"}])
    for w in (watcher, no_ring):
        assert notes(await w.collect("v", 1)) == ["published"]

    # committed by SQL: as a writer that died between COMMIT and publish leaves it, no doorbell at all
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(
            "INSERT INTO anesthesia_vitals (tenant_id, anesthesia_log_id, heart_rate, notes)"
            " VALUES ($1, $2, 61, 'silent')",
            world.a.tenant, log_uuid(log_id),
        )
    finally:
        await conn.close()
    assert notes(await watcher.collect("v", 1, within=CATCH_UP_SECONDS + READ_MARGIN)) == ["silent"]
    await no_ring.nothing_for(CATCH_UP_SECONDS + READ_MARGIN)  # nothing else would have delivered it
    # the next published event brings it there too, before its own reading
    await record(nats_pair[1], staff, log_id, [{"heartRate": 62, "notes": "next"}])
    assert notes(await no_ring.collect("v", 2)) == ["silent", "next"]
    assert notes(await watcher.collect("v", 1)) == ["next"]


# -- the db layer's after-commit events -----------------------------------------------------------


def _staff_claims(world: World) -> dict[str, Any]:
    return Claims(sub=world.a.vet, role="vet", tenant_id=world.a.tenant, exp=2**31).as_json_claims()


async def test_events_are_published_after_commit_only_never_for_rolled_back_or_retried_attempts(
    app_and_counter: tuple[Any, Any], world: World, token: Any, gql: GQL
) -> None:
    engine = app_and_counter[0].state.engine
    published: list[list[Event]] = []

    async def publisher(events: Any) -> None:
        published.append(list(events))

    start = await gql.data(
        START, {"input": {"petId": _pet_id(world.a.pets[0]), "procedureName": "Eventos"}}, vet(world, token)
    )
    log = log_uuid(start["startAnesthesia"]["anesthesiaLog"]["id"])
    publish_after_commit(engine, publisher)
    try:
        # rolled back: nothing
        db = RequestDb(engine, _staff_claims(world))
        await _insert_reading(db, world, log)
        assert db.pending_events == [(VITALS, world.a.tenant, log)]
        await db.close()
        assert published == []

        # a retryable failure after the write, then success: the committed attempt's events, once
        db = RequestDb(engine, _staff_claims(world))
        attempts = 0

        async def attempt() -> None:
            nonlocal attempts
            attempts += 1
            await _insert_reading(db, world, log)
            if attempts == 1:
                await db.fetch("DO $$ BEGIN RAISE EXCEPTION 'try again' USING ERRCODE = '40001'; END $$")
            await db.commit()

        await retrying(db, attempt, RetryPolicy(attempts=3, base=0.001, cap=0.001))
        await db.close()
        assert attempts == 2 and published == [[(VITALS, world.a.tenant, log)]]

        # every attempt failing: nothing
        published.clear()
        db = RequestDb(engine, _staff_claims(world))

        async def always_fails() -> None:
            await _insert_reading(db, world, log)
            await db.fetch("DO $$ BEGIN RAISE EXCEPTION 'try again' USING ERRCODE = '40001'; END $$")

        with pytest.raises(DbError):
            await retrying(db, always_fails, RetryPolicy(attempts=2, base=0.001, cap=0.001))
        await db.close()
        assert published == []
    finally:
        publish_after_commit(engine, None)
    # without a publisher (the PostgreSQL broker: the triggers NOTIFY) nothing is even collected
    db = RequestDb(engine, _staff_claims(world))
    await _insert_reading(db, world, log)
    assert db.pending_events == []
    await db.close()


def _pet_id(pet: uuid.UUID) -> str:
    from graph.types.node import to_global_id

    return str(to_global_id("Pet", pet))


async def _insert_reading(db: RequestDb, world: World, log: uuid.UUID) -> None:
    row = await anesthesia_sql.reserve(db, world.a.tenant, log, 1)
    assert row is not None
    reading = {"heart_rate": 70, "recorded_at": datetime.now(UTC)}
    seq = int(row["vitals_seq"])
    inserted = await anesthesia_sql.insert_vitals(db, world.a.tenant, log, world.a.vet, seq, [reading])
    assert len(inserted.vitals) == 1


async def test_published_events_are_the_triggers_notifications(
    app_and_counter: tuple[Any, Any], world: World, token: Any, gql: GQL, database_url: str
) -> None:
    """Every write the triggers NOTIFY for publishes the same (channel, clinic, log) under NATS, no more."""
    engine = app_and_counter[0].state.engine
    staff = vet(world, token)
    published: list[Event] = []

    async def publisher(events: Any) -> None:
        published.extend(events)

    listener = await asyncpg.connect(database_url)
    notified: list[tuple[str, str]] = []
    for channel in (VITALS, ALARMS, SURGERY):
        await listener.add_listener(channel, lambda _c, _p, ch, payload: notified.append((ch, payload)))
    publish_after_commit(engine, publisher)

    async def both(run: Any) -> tuple[set[Event], set[Event]]:
        """(what the triggers notified, what was published) for one mutation."""
        published.clear()
        notified.clear()
        await run()
        sentinel = str(uuid.uuid4())
        await listener.execute(f"NOTIFY {VITALS}, '{sentinel}'")  # delivered after everything committed before
        await _until(lambda: any(p == sentinel for _, p in notified))
        import orjson

        triggers = {(ch, str(d["t"]), uuid.UUID(d["l"])) for ch, p in notified if p != sentinel
                    for d in [orjson.loads(p)]}
        return triggers, set(published)

    try:
        log_id = ""

        async def start() -> None:
            nonlocal log_id
            pet = _pet_id(world.a.pets[1])
            data = await gql.data(START, {"input": {"petId": pet, "procedureName": "Pares"}}, staff)
            log_id = data["startAnesthesia"]["anesthesiaLog"]["id"]

        async def phase() -> None:
            data = await gql.data(PHASE, {"input": {"anesthesiaLogId": log_id, "phase": "INDUCTION"}}, staff)
            assert data["recordAnesthesiaPhase"]["userErrors"] == []

        async def reading(values: dict[str, Any]) -> Any:
            async def run() -> None:
                data = await gql.data(RECORD_MANY, {"input": {"anesthesiaLogId": log_id, "vitals": [values]}}, staff)
                assert data["recordVitals"]["userErrors"] == []

            return run

        async def complete() -> None:
            data = await gql.data(COMPLETE, {"input": {"anesthesiaLogId": log_id, "outcome": "NORMAL"}}, staff)
            assert data["completeAnesthesia"]["userErrors"] == []

        citus = await on_citus(engine)
        kinds: list[set[str]] = []
        for run in (start, phase, await reading({"heartRate": 160}), await reading({"spo2": 80.0}), complete):
            triggers, ours = await both(run)
            if citus:  # the triggers are silent there (migration 0024): what the API sends is all there is
                assert triggers == set(), run
            else:
                assert triggers and ours == triggers, run
            assert {(t, log) for _, t, log in ours} == {(world.a.tenant, log_uuid(log_id))}
            kinds.append({c for c, _, _ in ours})
        assert kinds == [{SURGERY}, {SURGERY}, {VITALS}, {VITALS, ALARMS, SURGERY}, {VITALS, ALARMS, SURGERY}]
    finally:
        publish_after_commit(engine, None)
        await listener.close()


# -- subjects ------------------------------------------------------------------------------------


async def test_subjects_keep_clinics_apart_whatever_their_ids(nats_server: NatsServer) -> None:
    """Clinic ids are text: dots, wildcards, spaces and escapes never let one clinic's watch hear another's."""
    tenants = ["a", "a.b", "*", ">", "a b", "a_2Eb", "clínica", "a.*"]
    log = uuid.uuid4()
    publisher = NatsBroker(nats_server.url, catch_up_seconds=0)
    listener = NatsBroker(nats_server.url, catch_up_seconds=0)
    await publisher.start()
    await listener.start()
    try:
        watches = {t: (listener.watch(VITALS, t, log), listener.watch(VITALS, t, None)) for t in tenants}
        for pair in watches.values():  # the confirmed subscription rings once
            for w in pair:
                await asyncio.wait_for(w.wait(), 5)
        for t in tenants:
            await publisher.publish([(VITALS, t, log)])
            for w in watches[t]:
                await asyncio.wait_for(w.wait(), 5)
            await asyncio.sleep(0.1)
            for other, pair in watches.items():
                if other != t:
                    for w in pair:
                        with pytest.raises(TimeoutError):
                            await asyncio.wait_for(w.wait(), 0.001)
    finally:
        await publisher.stop()
        await listener.stop()
    assert len({subject(VITALS, t, log) for t in tenants}) == len(tenants)


async def test_publish_right_after_a_watch_is_confirmed_is_heard(nats_server: NatsServer) -> None:
    """A new watch is rung once the server has its subscription: from then on no publish may miss it
    (else a reading committed just after the feed's first read would wait for the next catch-up)."""
    publisher = NatsBroker(nats_server.url, catch_up_seconds=0)
    listener = NatsBroker(nats_server.url, catch_up_seconds=0)
    await publisher.start()
    await listener.start()
    try:
        for _ in range(40):
            batch = [listener.watch(VITALS, "clinic-a", uuid.uuid4()) for _ in range(8)]
            for w in batch:
                await asyncio.wait_for(w.wait(), 5)  # confirmed
            await publisher.publish([w.key for w in batch])  # type: ignore[misc]
            for w in batch:
                await asyncio.wait_for(w.wait(), 5)
            for w in batch:
                listener.unwatch(w)
    finally:
        await publisher.stop()
        await listener.stop()


def test_broker_setting_takes_postgres_or_nats_urls_and_refuses_anything_else() -> None:
    from pydantic import ValidationError

    from server.settings import Settings

    assert Settings(broker="postgres").nats_servers is None
    assert Settings().nats_servers is None  # the default: LISTEN/NOTIFY
    assert Settings(broker=" nats://a:4222, nats://b:4222 ").nats_servers == "nats://a:4222,nats://b:4222"
    for bad in ("redis://x:6379", "nats://", "a:4222", "nats://a:4222,http://b"):
        with pytest.raises(ValidationError, match="VETQL_BROKER"):
            Settings(broker=bad)



async def test_with_the_postgresql_broker_on_citus_a_request_notifies_its_events_at_its_commit(
    app_and_counter: tuple[Any, Any], world: World, database_url: str
) -> None:
    """Where the triggers are silent (Citus), the request NOTIFYs in its own transaction: at COMMIT, never
    for a rollback. Forced on here, on whatever server the suite runs on."""
    import orjson

    engine = app_and_counter[0].state.engine
    listener = await asyncpg.connect(database_url)
    heard: list[tuple[str, Any]] = []
    for channel in (VITALS, ALARMS):
        await listener.add_listener(channel, lambda _c, _p, ch, payload: heard.append((ch, orjson.loads(payload))))
    log, other = uuid.uuid4(), uuid.uuid4()
    notify_in_transaction(engine, True)
    try:
        rolled_back = RequestDb(engine, _staff_claims(world))
        await rolled_back.fetch("SELECT 1")
        rolled_back.notify(VITALS, world.a.tenant, other)
        await rolled_back.close()

        db = RequestDb(engine, _staff_claims(world))
        await db.fetch("SELECT 1")
        db.notify(VITALS, world.a.tenant, log)
        db.notify(ALARMS, world.a.tenant, log)
        db.notify(VITALS, world.a.tenant, log)  # once per transaction
        await db.commit()
        await db.close()
        await listener.execute(f"NOTIFY {ALARMS}, '\"end\"'")
        await _until(lambda: (ALARMS, "end") in heard)
    finally:
        notify_in_transaction(engine, False)
        await listener.close()
    assert heard == [
        (VITALS, {"t": world.a.tenant, "l": str(log)}),
        (ALARMS, {"t": world.a.tenant, "l": str(log)}),
        (ALARMS, "end"),
    ]
