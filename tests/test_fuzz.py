"""Schema-driven fuzzing: every query and mutation, valid and invalid inputs, every role, against a
database of its own (mutations write). Zero HTTP 5xx and zero INTERNAL_SERVER_ERROR: a masked error
is a bug. The number of cases run is printed."""

from __future__ import annotations

import asyncio
import collections
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import graphql
import httpx
import hypothesis_graphql
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db import migrate
from graph.schema import schema
from server.app import create_app
from server.settings import Settings
from tests.conftest import TEST_SECRET, fresh_database
from tests.world import World, build_world

Token = Callable[..., str]
ROLES = ["anonymous", "owner", "vet", "admin", "platform"]

_SCALARS = {
    "DateTime": st.sampled_from(
        ["2020-01-01T00:00:00+00:00", "2030-01-01T00:00:00Z", "not a date", "9999-12-31T23:59:59Z"]
    ).map(lambda v: graphql.StringValueNode(value=v)),
    "Date": st.sampled_from(["2020-01-01", "2031-02-29", "x"]).map(lambda v: graphql.StringValueNode(value=v)),
    "Time": st.sampled_from(["08:30:00", "25:00", "x"]).map(lambda v: graphql.StringValueNode(value=v)),
    "JSON": st.sampled_from(
        [graphql.NullValueNode(), graphql.StringValueNode(value="x"), graphql.IntValueNode(value="1")]
    ),
    "Decimal": st.sampled_from(["1.5", "-1", "1e400", "NaN", "abc"]).map(lambda v: graphql.StringValueNode(value=v)),
    "UUID": st.uuids().map(lambda v: graphql.StringValueNode(value=str(v))),
}


@pytest.fixture(scope="module")
def fuzz_world(server_url: str) -> tuple[str, World]:
    url = fresh_database(server_url, "vetql_fuzz")
    migrate.upgrade(url)

    async def build() -> World:
        conn = await asyncpg.connect(url)
        try:
            async with conn.transaction():
                return await build_world(conn)
        finally:
            await conn.close()

    return url, asyncio.run(build())


@pytest.fixture(scope="module")
async def fuzz_client(fuzz_world: tuple[str, World], tmp_path_factory: pytest.TempPathFactory
                      ) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(jwt_secret=TEST_SECRET, data_dir=tmp_path_factory.mktemp("fuzz"), env="development",
                        usage_rollup_seconds=0)
    app = create_app(settings, fuzz_world[0])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://vetql.test") as http:
        yield http
    await app.state.engine.dispose()


@pytest.fixture(scope="module")
async def session_loop() -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()


def _bearer(world: World, token: Token, role: str) -> dict[str, str]:
    who = {"owner": (world.a.owners[0], world.a.tenant), "vet": (world.a.vet, world.a.tenant),
           "admin": (world.a.admin, world.a.tenant), "platform": (world.platform_user, None)}
    if role == "anonymous":
        return {}
    sub, tenant = who[role]
    return {"Authorization": f"Bearer {token(sub, tenant, role)}"}


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")
@pytest.mark.parametrize("mode", [hypothesis_graphql.Mode.POSITIVE, hypothesis_graphql.Mode.NEGATIVE],
                         ids=["valid", "invalid"])
def test_fuzzing_finds_no_5xx_and_no_internal_error(
    fuzz_client: httpx.AsyncClient, fuzz_world: tuple[str, World], token: Token,
    session_loop: asyncio.AbstractEventLoop, capsys: pytest.CaptureFixture[str], mode: hypothesis_graphql.Mode,
) -> None:
    world = fuzz_world[1]
    seen: collections.Counter[str] = collections.Counter()
    failures: list[tuple[str, str, int, str]] = []
    strategy = hypothesis_graphql.from_schema(schema.as_str(), custom_scalars=_SCALARS, mode=mode)  # type: ignore[arg-type]

    @settings(max_examples=250, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.filter_too_much])
    @given(document=strategy, role=st.sampled_from(ROLES))
    def case(document: Any, role: str) -> None:
        query = document if isinstance(document, str) else graphql.print_ast(document)
        response = session_loop.run_until_complete(
            fuzz_client.post("/graphql", json={"query": query}, headers=_bearer(world, token, role)))
        seen[f"HTTP {response.status_code}"] += 1
        body = response.json()
        errors = body.get("errors") or [] if isinstance(body, dict) else []
        seen.update(str(code) for code in {e.get("extensions", {}).get("code") for e in errors})
        if body.get("data"):
            seen["with data"] += 1
        internal = response.status_code >= 500 or "INTERNAL_SERVER_ERROR" in response.text
        if internal:
            failures.append((role, query, response.status_code, response.text[:300]))

    case()
    total = sum(n for key, n in seen.items() if key.startswith("HTTP "))
    with capsys.disabled():
        print(f"\nfuzz ({mode.name.lower()} inputs): {total} cases over {len(ROLES)} roles: "
              f"{dict(sorted(seen.items()))}; {len(failures)} with 5xx or INTERNAL_SERVER_ERROR", flush=True)
    assert total >= 100
    assert not failures, "\n\n".join(f"{r} -> {s}: {t}\n{q}" for r, q, s, t in failures[:5])


def _subscription_schema() -> graphql.GraphQLSchema:
    """The Subscription type as the root of a schema, so hypothesis-graphql (queries and mutations only)
    generates its selections; the documents are then sent as subscriptions."""
    full = schema._schema
    assert full.subscription_type is not None
    return graphql.GraphQLSchema(query=full.subscription_type, types=list(full.type_map.values()))


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")
def test_fuzzing_subscriptions_over_websocket_finds_no_internal_error(
    live_servers: list[Any], world: World, token: Token, session_loop: asyncio.AbstractEventLoop,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from websockets.asyncio.client import ClientConnection, connect

    from tests.test_live_protocols import TRANSPORT_WS, Client

    sockets: dict[str, Client] = {}
    seen: collections.Counter[str] = collections.Counter()
    failures: list[tuple[str, str, object]] = []

    async def client(role: str) -> Client:
        if role not in sockets:
            ws: ClientConnection = await connect(live_servers[0].ws_url, subprotocols=[TRANSPORT_WS])  # type: ignore[list-item]
            sockets[role] = Client(ws, TRANSPORT_WS)
            bearer = _bearer(world, token, role).get("Authorization", "")
            await sockets[role].init(None, {"authorization": bearer} if bearer else {})
        return sockets[role]

    async def one(document: str, role: str, op_id: str) -> None:
        c = await client(role)
        await c.subscribe(op_id, document, {})
        try:
            message = await c.recv(within=0.15)
        except TimeoutError:
            seen["open, no event yet"] += 1
            await c.stop(op_id)
            c.skip_ids.add(op_id)
            return
        seen[str(message.get("type"))] += 1
        payload = message.get("payload")
        if "INTERNAL_SERVER_ERROR" in str(payload):
            failures.append((role, document, payload))
        if message.get("type") == "next":
            await c.stop(op_id)
            c.skip_ids.add(op_id)

    counter = iter(range(1_000_000))

    @settings(max_examples=120, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(document=hypothesis_graphql.from_schema(_subscription_schema(), custom_scalars=_SCALARS),  # type: ignore[arg-type]
           role=st.sampled_from(ROLES))
    def case(document: Any, role: str) -> None:
        text = document if isinstance(document, str) else graphql.print_ast(document)
        text = "subscription " + text.lstrip().removeprefix("query")
        session_loop.run_until_complete(one(text, role, str(next(counter))))

    try:
        case()
    finally:
        for c in sockets.values():
            session_loop.run_until_complete(c.ws.close())
    total = sum(seen.values())
    with capsys.disabled():
        print(f"\nfuzz (subscriptions over WebSocket): {total} cases over {len(ROLES)} roles: "
              f"{dict(sorted(seen.items()))}; {len(failures)} with INTERNAL_SERVER_ERROR", flush=True)
    assert total >= 50
    assert not failures, failures[:3]
