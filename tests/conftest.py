"""Fixtures: a real PostgreSQL (embedded, or DATABASE_URL), a migrated test database, the app."""

from __future__ import annotations

import asyncio
import os
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from db import citus, embedded, migrate, urls
from db.engine import watch_statements
from server.app import create_app
from server.auth import sign
from server.settings import Settings
from tests.world import World, build_world

TEST_SECRET = "vetql-test-secret-not-for-production-0123456789"
# The live servers' WebSocket connection_init timeout (production: 5 s), short so a test can sit it out.
CONNECTION_INIT_WAIT_SECONDS = 1.0


CITUS_EXCEPTIONS = Path(__file__).with_name("citus_exceptions.txt")


def _on_citus(url: str) -> bool:
    async def ask() -> bool:
        conn = await asyncpg.connect(urls.with_database(url, "postgres"))
        try:
            return bool(await citus.nodes(conn))
        finally:
            await conn.close()

    return asyncio.run(ask())


def citus_exceptions() -> dict[str, str]:
    """Tests that do not pass on a Citus cluster yet, each with why (tests/citus_exceptions.txt)."""
    found: dict[str, str] = {}
    for line in CITUS_EXCEPTIONS.read_text().splitlines():
        test, _, why = line.partition("#")
        if test.strip():
            found[test.strip()] = why.strip()
    return found


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On a Citus cluster, the listed exceptions are deselected (reported, never counted as passed)."""
    configured = os.environ.get("DATABASE_URL")
    if not configured or os.environ.get("VETQL_TEST_CITUS_EXCEPTIONS") or not _on_citus(urls.plain(configured)):
        return  # VETQL_TEST_CITUS_EXCEPTIONS=1: run the listed ones too (working on them)
    listed = citus_exceptions()
    kept, dropped = [], []
    for item in items:
        names = (item.nodeid, item.nodeid.split("[")[0], item.nodeid.split("::")[0])
        listed_here = any(n in listed for n in names) or any(
            item.nodeid.startswith(entry[:-1]) for entry in listed if entry.endswith("*")
        )
        (dropped if listed_here else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(
                f"Citus cluster: {len(dropped)} tests listed in tests/citus_exceptions.txt deselected "
                f"({len(listed)} entries)"
            )


@pytest.fixture(scope="session")
def server_url() -> str:
    """A PostgreSQL server for the session: DATABASE_URL's, else the embedded one."""
    configured = os.environ.get("DATABASE_URL")
    if configured:
        return urls.plain(configured)
    return embedded.start(Path(os.environ.get("VETQL_DATA_DIR", ".vetql")), "postgres")


def fresh_database(server_url: str, name: str) -> str:
    """An empty database on the test server (dropped first if a previous run left it)."""
    return asyncio.run(citus.create_database(server_url, f"{name}_{os.getpid()}"))


@pytest.fixture(scope="session")
def database_url(server_url: str) -> str:
    url = fresh_database(server_url, "vetql_test")
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def world(database_url: str) -> World:
    async def build() -> World:
        conn = await asyncpg.connect(database_url)
        try:
            async with conn.transaction():
                return await build_world(conn)
        finally:
            await conn.close()

    return asyncio.run(build())


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    # development whatever DATABASE_URL says (production mode has tests of its own); membership answers
    # kept for the session, so statement counts do not depend on how slow the machine is (the cache's
    # expiry has tests of its own, with a clock they move)
    return Settings(
        jwt_secret=TEST_SECRET,
        data_dir=tmp_path_factory.mktemp("vetql-data"),
        env="development",
        membership_cache_seconds=3600,
    )


class StatementCounter:
    """Counts SQL statements the app sends, from the driver's side."""

    def __init__(self) -> None:
        self.count = 0
        self.statements: list[str] = []

    def __call__(self, statement: str) -> None:
        self.count += 1
        self.statements.append(statement)

    def reset(self) -> None:
        self.count = 0
        self.statements.clear()


@pytest.fixture(scope="session")
def app_and_counter(settings: Settings, database_url: str, world: World) -> Iterator[tuple[Any, StatementCounter]]:
    app = create_app(settings, database_url)
    counter = StatementCounter()
    watch_statements(app.state.engine, counter)
    yield app, counter


@pytest.fixture
def sql(app_and_counter: tuple[Any, StatementCounter]) -> StatementCounter:
    counter = app_and_counter[1]
    counter.reset()
    return counter


@pytest.fixture(scope="session")
async def client(app_and_counter: tuple[Any, StatementCounter]) -> AsyncIterator[httpx.AsyncClient]:
    app = app_and_counter[0]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://vetql.test") as http:
        yield http
    await app.state.engine.dispose()


@pytest.fixture(scope="session")
def token(settings: Settings):  # type: ignore[no-untyped-def]
    """token(sub, tenant, role) -> a signed bearer token."""

    def make(sub: uuid.UUID, tenant: str | None, role: str, ttl: timedelta = timedelta(hours=1)) -> str:
        return sign(settings, sub=sub, tenant_id=tenant, role=role, ttl=ttl)

    return make


class GQL:
    """Posts GraphQL to the app the way a client would."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def raw(self, query: str, variables: dict[str, Any] | None = None, token: str | None = None,
                  headers: dict[str, str] | None = None) -> httpx.Response:
        h = dict(headers or {})
        if token is not None:
            h["Authorization"] = f"Bearer {token}"
        return await self.http.post("/graphql", json={"query": query, "variables": variables or {}}, headers=h)

    async def __call__(self, query: str, variables: dict[str, Any] | None = None,
                       token: str | None = None) -> dict[str, Any]:
        """The response body; asserts HTTP 200."""
        response = await self.raw(query, variables, token)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(self, query: str, variables: dict[str, Any] | None = None,
                   token: str | None = None) -> dict[str, Any]:
        """`data` of a response that must have no errors."""
        body = await self(query, variables, token)
        assert body.get("errors") is None, body["errors"]
        data: dict[str, Any] = body["data"]
        return data


@pytest.fixture
def gql(client: httpx.AsyncClient) -> GQL:
    return GQL(client)


# The same app with the compiled fast path off: every field through the ordinary
# resolvers and loaders. The differential test compares the two.
@pytest.fixture(scope="session")
def plain_app_and_counter(
    settings: Settings, database_url: str, world: World
) -> Iterator[tuple[Any, StatementCounter]]:
    app = create_app(settings, database_url, compiled=False)
    counter = StatementCounter()
    watch_statements(app.state.engine, counter)
    yield app, counter


@pytest.fixture
def plain_sql(plain_app_and_counter: tuple[Any, StatementCounter]) -> StatementCounter:
    counter = plain_app_and_counter[1]
    counter.reset()
    return counter


@pytest.fixture(scope="session")
async def plain_client(plain_app_and_counter: tuple[Any, StatementCounter]) -> AsyncIterator[httpx.AsyncClient]:
    app = plain_app_and_counter[0]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://vetql.test") as http:
        yield http
    await app.state.engine.dispose()


@pytest.fixture
def plain_gql(plain_client: httpx.AsyncClient) -> GQL:
    return GQL(plain_client)


class LiveServer:
    """A real `vetql serve` process on this test database, for WebSocket and multi-process tests."""

    def __init__(self, database_url: str, port: int, workers: int = 1, env: dict[str, str] | None = None) -> None:
        import sys

        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.ws_url = f"ws://127.0.0.1:{port}/graphql"
        import tempfile

        # no background usage roll-up: tests that count roll-ups must not race one
        env = {
            **os.environ,
            "VETQL_CONNECTION_INIT_WAIT_SECONDS": str(CONNECTION_INIT_WAIT_SECONDS),
            "DATABASE_URL": database_url,
            "VETQL_JWT_SECRET": TEST_SECRET,
            "VETQL_USAGE_ROLLUP_SECONDS": "0",
            "VETQL_ENV": "development",
            **(env or {}),
        }
        # a file, not a pipe: a pipe nobody reads would block a server that logs a lot
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--port", str(port), "--workers", str(workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )

    async def ready(self) -> None:
        deadline = asyncio.get_running_loop().time() + 30
        async with httpx.AsyncClient() as http:
            while True:
                if self.process.poll() is not None:
                    self.log.seek(0)
                    raise RuntimeError(f"server exited: {self.log.read().decode()[-2000:]}")
                try:
                    if (await http.get(f"{self.url}/readyz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if asyncio.get_running_loop().time() > deadline:
                    raise TimeoutError("server did not become ready")
                await asyncio.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)  # reaped: a Popen left running warns when collected, failing whichever test runs
        self.log.close()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
async def live_servers(database_url: str, world: World) -> AsyncIterator[list[LiveServer]]:
    """Two server processes on the same database (fan-out across processes)."""
    servers = [LiveServer(database_url, free_port()) for _ in range(2)]
    try:
        for server in servers:
            await server.ready()
        yield servers
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
async def open_client(live_servers: list[LiveServer]) -> AsyncIterator[Any]:
    """open_client(protocol, server=0) -> a connected WebSocket test Client; all closed at teardown."""
    from websockets.asyncio.client import ClientConnection, connect

    from tests.test_live_protocols import Client  # the client lives with the protocol tests that define it

    sockets: list[ClientConnection] = []

    async def make(protocol: str, server: int = 0) -> Client:
        ws = await connect(live_servers[server].ws_url, subprotocols=[protocol], open_timeout=5)  # type: ignore[list-item]
        sockets.append(ws)
        assert ws.subprotocol == protocol
        return Client(ws, protocol)

    yield make
    for ws in sockets:
        await ws.close()
