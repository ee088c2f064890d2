"""Timeouts and back-pressure: a lock, a full pool or a database that is down gives a typed, retryable
answer at once (SERVICE_UNAVAILABLE / TIMEOUT, HTTP 503 with Retry-After), never a hang or a fault,
and VetQL recovers by itself when the database comes back.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg
import httpx
import pytest

from graph.types.node import to_global_id
from server.app import create_app
from server.settings import Settings
from tests.conftest import TEST_SECRET, free_port
from tests.world import World

Token = Callable[..., str]
ROOMS = "{ examRooms { name } }"
PETS = "{ pets(first: 2) { totalCount } }"
PLANS = "{ subscriptionPlans { code } }"
UPDATE_PET = "mutation($i: UpdatePetInput!) { updatePet(input: $i) { pet { id } userErrors { code } } }"


def _settings(tmp: Any, **overrides: Any) -> Settings:
    return Settings(jwt_secret=TEST_SECRET, data_dir=tmp, env="development", usage_rollup_seconds=0, **overrides)


@contextlib.asynccontextmanager
async def app_client(url: str, settings: Settings) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    app = create_app(settings, url)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://vetql.test") as http:
            yield app, http
    finally:
        await app.state.engine.dispose()


async def post(http: httpx.AsyncClient, query: str, token: str | None = None,
               variables: dict[str, Any] | None = None) -> tuple[httpx.Response, float]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    started = time.perf_counter()
    response = await http.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
    return response, time.perf_counter() - started


def assert_retryable(response: httpx.Response, code: str) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "1"
    body = response.json()
    assert body.get("data") is None or all(v is None for v in body["data"].values()), body
    assert [e["extensions"]["code"] for e in body["errors"]] == [code], body
    assert all(e["extensions"]["retryable"] is True for e in body["errors"])
    assert "INTERNAL" not in response.text


@contextlib.asynccontextmanager
async def holding(database_url: str, statement: str) -> AsyncIterator[None]:
    """A second connection holds a lock (as `psql` would) until the block ends."""
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            await conn.execute(statement)
            yield
    finally:
        await conn.close()


async def test_a_locked_table_times_out_typed_while_other_requests_are_served(
    database_url: str, world: World, token: Token, tmp_path: Any
) -> None:
    staff = token(world.a.vet, world.a.tenant, "vet")
    async with app_client(database_url, _settings(tmp_path, lock_timeout=0.2)) as (_, http):
        assert (await post(http, ROOMS, staff))[0].status_code == 200
        async with holding(database_url, "LOCK TABLE exam_rooms IN ACCESS EXCLUSIVE MODE"):
            stuck, served = await asyncio.gather(post(http, ROOMS, staff), post(http, PETS, staff))
            assert_retryable(stuck[0], "TIMEOUT")
            assert stuck[1] < 1.0, stuck[1]
            assert served[0].status_code == 200 and served[0].json()["data"]["pets"]["totalCount"] > 0
        assert (await post(http, ROOMS, staff))[0].status_code == 200  # the lock gone, served again


async def test_a_mutation_waiting_on_a_row_lock_times_out_and_writes_nothing(
    database_url: str, world: World, token: Token, tmp_path: Any
) -> None:
    staff = token(world.a.vet, world.a.tenant, "vet")
    pet = world.a.pets[5]
    variables = {"i": {"petId": str(to_global_id("Pet", pet)), "behavioralNotes": "written under a lock"}}
    async with app_client(database_url, _settings(tmp_path, lock_timeout=0.2)) as (_, http):
        lock = f"SELECT 1 FROM pets WHERE tenant_id = '{world.a.tenant}' AND id = '{pet}' FOR UPDATE"
        async with holding(database_url, lock):
            response, seconds = await post(http, UPDATE_PET, staff, variables)
        assert_retryable(response, "TIMEOUT")
        assert seconds < 1.0
    conn = await asyncpg.connect(database_url)
    try:
        notes = await conn.fetchval("SELECT behavioral_notes FROM pets WHERE id = $1", pet)
    finally:
        await conn.close()
    assert notes != "written under a lock"


async def test_the_statement_timeout_cancels_a_statement(
    database_url: str, world: World, token: Token, tmp_path: Any
) -> None:
    staff = token(world.a.vet, world.a.tenant, "vet")
    settings = _settings(tmp_path, lock_timeout=0, statement_timeout=0.3)
    async with app_client(database_url, settings) as (_, http):
        assert (await post(http, ROOMS, staff))[0].status_code == 200
        async with holding(database_url, "LOCK TABLE exam_rooms IN ACCESS EXCLUSIVE MODE"):
            response, seconds = await post(http, ROOMS, staff)
        assert_retryable(response, "TIMEOUT")
        assert seconds < 1.0


async def test_a_full_pool_answers_service_unavailable_at_once(
    database_url: str, world: World, token: Token, tmp_path: Any
) -> None:
    staff = token(world.a.vet, world.a.tenant, "vet")
    async with app_client(database_url, _settings(tmp_path, pool_size=2, pool_timeout=0.2)) as (app, http):
        assert (await post(http, PETS, staff))[0].status_code == 200  # membership remembered
        engine = app.state.engine
        async with engine.connect(), engine.connect():  # every connection (both) busy
            for query, who in ((PETS, staff), (PLANS, None)):
                response, seconds = await post(http, query, who)
                assert_retryable(response, "SERVICE_UNAVAILABLE")
                assert seconds < 1.0
            ready = await http.get("/readyz")
            assert ready.status_code == 503 and "pool" in ready.json()["reason"], ready.text
        assert (await post(http, PETS, staff))[0].status_code == 200


async def test_a_database_that_is_down_answers_service_unavailable(
    world: World, token: Token, tmp_path: Any
) -> None:
    nowhere = f"postgresql://postgres@127.0.0.1:{free_port()}/vetql"
    async with app_client(nowhere, _settings(tmp_path)) as (_, http):
        for query, who in ((PLANS, None), (PETS, token(world.a.vet, world.a.tenant, "vet"))):
            response, seconds = await post(http, query, who)
            assert_retryable(response, "SERVICE_UNAVAILABLE")
            assert seconds < 1.0
        ready = await http.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["reason"].startswith("cannot reach the database"), ready.text
        assert "127.0.0.1" not in ready.text


class Outage:
    """A TCP proxy in front of PostgreSQL: `stop()` drops it and every connection through it, as a
    database restart does; `start()` brings it back on the same port."""

    def __init__(self, database_url: str) -> None:
        parts = urlsplit(database_url)
        query = dict(parse_qsl(parts.query))
        host, port = query.get("host") or parts.hostname or "127.0.0.1", int(query.get("port") or parts.port or 5432)
        self.socket = f"{host}/.s.PGSQL.{port}" if host.startswith("/") else None  # libpq's Unix socket
        self.target = (host, port)
        self.port = free_port()
        self.server: asyncio.Server | None = None
        self.pipes: set[asyncio.StreamWriter] = set()
        self.answers_delayed = 0.0  # seconds the server's answers are held back (a slow network)

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in list(self.pipes):
            writer.transport.abort()
        await self.server.wait_closed()
        self.server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            if self.socket is not None:
                up_reader, up_writer = await asyncio.open_unix_connection(self.socket)
            else:
                up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self.pipes |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    if src is up_reader and self.answers_delayed:
                        await asyncio.sleep(self.answers_delayed)
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                dst.transport.abort()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self.pipes -= {writer, up_writer}


def _via(database_url: str, port: int) -> str:
    """The database's URL through the proxy listening on `port`."""
    parts = urlsplit(database_url)
    netloc = f"{parts.username}{':' + parts.password if parts.password else ''}@127.0.0.1:{port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k not in ("host", "port")])
    return urlunsplit(parts._replace(netloc=netloc, query=query))


async def test_postgres_stopped_and_started_under_load(
    database_url: str, world: World, token: Token, tmp_path: Any
) -> None:
    outage = Outage(database_url)
    await outage.start()
    via_proxy = _via(database_url, outage.port)
    staff = token(world.a.vet, world.a.tenant, "vet")
    try:
        async with app_client(via_proxy, _settings(tmp_path, membership_cache_seconds=0)) as (_, http):

            async def load(n: int) -> list[httpx.Response]:
                """n requests at once, half anonymous (no membership check: the resolver meets the outage)."""
                calls = [post(http, PETS, staff) if i % 2 else post(http, PLANS) for i in range(n)]
                return [r for r, _ in await asyncio.gather(*calls)]

            assert {r.status_code for r in await load(8)} == {200}  # the pool now holds live connections
            await outage.stop()
            down = await load(8)
            for response in down:
                assert_retryable(response, "SERVICE_UNAVAILABLE")
            assert (await http.get("/readyz")).status_code == 503
            await outage.start()
            back = await load(8)
            assert {r.status_code for r in back} == {200}, [r.text for r in back if r.status_code != 200]
            assert (await http.get("/readyz")).status_code == 200
    finally:
        if outage.server is not None:
            await outage.stop()


@pytest.mark.parametrize("setting", ["statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout"])
async def test_request_transactions_carry_the_timeouts(
    database_url: str, world: World, token: Token, tmp_path: Any, setting: str
) -> None:
    """Set per transaction from the settings; the role has the migration's defaults for other logins."""
    from sqlalchemy import text

    from db.session import RequestDb

    settings = _settings(tmp_path, statement_timeout=7, lock_timeout=0.25, idle_in_transaction_timeout=9)
    async with app_client(database_url, settings) as (app, _):
        db = RequestDb(app.state.engine, {"role": "vet", "tenant_id": world.a.tenant, "sub": str(world.a.vet)})
        try:
            row = await db.fetch_one(text(f"SELECT current_setting('{setting}') AS v"))
        finally:
            await db.close()
    assert row is not None
    assert row["v"] == {"statement_timeout": "7s", "lock_timeout": "250ms",
                        "idle_in_transaction_session_timeout": "9s"}[setting]
    conn = await asyncpg.connect(database_url)
    try:
        config = await conn.fetchval(
            "SELECT setconfig FROM pg_db_role_setting WHERE setrole = 'vetql_app'::regrole AND setdatabase = 0"
        )
    finally:
        await conn.close()
    assert {"statement_timeout=10s", "lock_timeout=2s", "idle_in_transaction_session_timeout=15s"} <= set(config)


async def test_a_request_cancelled_while_its_transaction_begins_hands_no_transaction_on(
    database_url: str, world: World
) -> None:
    """graphql-core cancels the siblings of a field that failed. One cancelled while its BEGIN is on the
    wire leaves a transaction the driver does not know of yet: that connection must not serve the next
    request, which would run inside it (and could commit what the cancelled one wrote)."""
    from db.engine import create_engine
    from db.session import RequestDb

    outage = Outage(database_url)
    await outage.start()
    engine = create_engine(_via(database_url, outage.port), pool_size=1)  # one connection, handed on if kept
    claims = {"role": "vet", "tenant_id": world.a.tenant, "sub": str(world.a.vet)}
    try:
        warm = RequestDb(engine, claims)
        await warm.fetch("SELECT 1")
        await warm.close()
        outage.answers_delayed = 0.3
        cancelled = RequestDb(engine, claims)
        pending = asyncio.create_task(cancelled.fetch("SELECT 1"))
        await asyncio.sleep(0.1)  # BEGIN has reached the server and run; its answer is held back
        pending.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await pending
        await cancelled.close()
        outage.answers_delayed = 0.0
        following = RequestDb(engine, claims)
        following.read_only_snapshot()
        row = await following.fetch_one("SELECT count(*) AS n FROM pets")  # inside a leaked one: 25001
        await following.close()
        assert row is not None and row["n"] == len(world.a.pets)
    finally:
        await engine.dispose()
        await outage.stop()
