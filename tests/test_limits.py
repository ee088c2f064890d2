"""Limits: body size, document length before parsing, rate per token and per address (429 with
Retry-After), WebSocket connections per token and WebSocket message size."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from limits.aio.strategies import MovingWindowRateLimiter
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from db.claims import Claims
from server.app import create_app
from server.limits import RateLimits
from server.settings import Settings
from tests.conftest import GQL, TEST_SECRET, LiveServer, StatementCounter, free_port
from tests.test_live_protocols import TRANSPORT_WS, Client
from tests.world import World

Token = Callable[..., str]
MB = 1_048_576


def only_error(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert len(body["errors"]) == 1 and body.get("data") is None, body
    error: dict[str, Any] = body["errors"][0]
    return error


async def test_a_body_over_1_mb_is_refused_unread(client: httpx.AsyncClient, sql: StatementCounter) -> None:
    body = json.dumps({"query": "{ subscriptionPlans { code } }", "variables": {"pad": "x" * (2 * MB)}})
    response = await client.post("/graphql", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 413, response.text
    assert only_error(response)["extensions"]["code"] == "REQUEST_TOO_LARGE"
    assert sql.count == 0


async def test_a_chunked_body_over_1_mb_is_refused(client: httpx.AsyncClient, sql: StatementCounter) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ subscriptionPlans { code } }", "variables": {"pad": "'
        for _ in range(20):
            yield b"x" * 100_000
        yield b'"}}'

    response = await client.post("/graphql", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413, response.text
    assert only_error(response)["extensions"]["code"] == "REQUEST_TOO_LARGE"
    assert sql.count == 0


async def test_a_body_under_the_limit_is_served(gql: GQL) -> None:
    response = await gql.raw("{ __typename }", {"pad": "x" * 900_000})
    assert response.status_code == 200 and response.json() == {"data": {"__typename": "Query"}}


async def test_a_document_padded_with_comments_is_refused_before_parsing(
    gql: GQL, sql: StatementCounter, world: World, token: Token
) -> None:
    padded = "# padding\n" * 50_000 + "{ subscriptionPlans { code } }"  # 500 KB of comments, 4 tokens
    started = time.perf_counter()
    response = await gql.raw(padded, token=token(world.a.vet, world.a.tenant, "vet"))
    seconds = time.perf_counter() - started
    error = only_error(response)
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "longer than 100,000 characters" in error["message"]
    assert seconds < 0.5
    assert sql.count <= 2  # at most the token's membership check; the document never ran


@contextlib.asynccontextmanager
async def app_with(database_url: str, tmp: Any, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(jwt_secret=TEST_SECRET, data_dir=tmp, env="development", usage_rollup_seconds=0, **overrides)
    app = create_app(settings, database_url)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://vetql.test") as http:
            yield http
    finally:
        await app.state.engine.dispose()


def rate_limited(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert int(response.headers["retry-after"]) >= 1
    error = only_error(response)
    assert error["extensions"] == {"code": "RATE_LIMITED", "retryable": True}


async def test_rate_limit_per_token(database_url: str, world: World, token: Token, tmp_path: Any) -> None:
    vet, admin = token(world.a.vet, world.a.tenant, "vet"), token(world.a.admin, world.a.tenant, "admin")
    async with app_with(database_url, tmp_path, rate_limit_per_token="3/minute") as http:
        gql = GQL(http)
        for _ in range(3):
            assert (await gql.raw("{ viewer { role } }", token=vet)).status_code == 200
        rate_limited(await gql.raw("{ viewer { role } }", token=vet))
        # another member is counted apart, and so are anonymous requests
        assert (await gql.raw("{ viewer { role } }", token=admin)).status_code == 200
        assert (await gql.raw("{ __typename }")).status_code == 200


async def test_rate_limit_per_address(database_url: str, world: World, token: Token, tmp_path: Any) -> None:
    async with app_with(database_url, tmp_path, rate_limit_per_address="4/minute") as http:
        gql = GQL(http)
        results = [(await gql.raw("{ __typename }")).status_code for _ in range(4)]
        assert results == [200] * 4
        rate_limited(await gql.raw("{ __typename }"))
        # a token does not get around the address's limit, and nothing behind the limit ran
        rate_limited(await gql.raw("{ viewer { role } }", token=token(world.a.vet, world.a.tenant, "vet")))


def test_rate_and_connection_limits_are_on_by_default_in_production_only() -> None:
    production = Settings(env="production")
    assert (production.token_rate, production.address_rate, production.connections_per_token) == (
        "50/second", "200/second", 50)
    development = Settings(env="development")
    assert (development.token_rate, development.address_rate, development.connections_per_token) == ("", "", 0)
    assert Settings(env="production", rate_limit_per_token="").token_rate == ""  # turned off on purpose


@pytest.fixture(scope="module")
async def limited_server(database_url: str, world: World) -> AsyncIterator[LiveServer]:
    server = LiveServer(database_url, free_port(), env={
        "VETQL_MAX_CONNECTIONS_PER_TOKEN": "2", "VETQL_MAX_WS_MESSAGE_BYTES": "65536"})
    try:
        await server.ready()
        yield server
    finally:
        server.stop()


async def _open(server: LiveServer) -> Client:
    ws = await connect(server.ws_url, subprotocols=[TRANSPORT_WS], open_timeout=5)  # type: ignore[list-item]
    return Client(ws, TRANSPORT_WS)


async def test_connections_per_token(limited_server: LiveServer, world: World, token: Token) -> None:
    vet = token(world.a.vet, world.a.tenant, "vet")
    clients = [await _open(limited_server) for _ in range(4)]
    try:
        for client in clients[:2]:
            await client.ack(vet)
        await clients[2].send({"type": "connection_init", "payload": {"authorization": f"Bearer {vet}"}})
        assert await clients[2].closed() == (1008, "Too many connections for this token")
        await clients[3].ack(token(world.a.admin, world.a.tenant, "admin"))  # another member: own count
        await clients[0].ws.close()
        await asyncio.sleep(0.2)  # the server notices the close
        again = await _open(limited_server)
        clients.append(again)
        await again.ack(vet)  # a slot is free again
    finally:
        for client in clients:
            await client.ws.close()


async def test_a_websocket_message_over_the_limit_closes_the_connection(
    limited_server: LiveServer, world: World, token: Token
) -> None:
    client = await _open(limited_server)
    try:
        await client.ack(token(world.a.vet, world.a.tenant, "vet"))
        await client.send({"id": "1", "type": "subscribe", "payload": {"query": "{ __typename }",
                                                                       "variables": {"pad": "x" * 100_000}}})
        with pytest.raises(ConnectionClosed) as closed:
            await client.recv(within=5)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
    finally:
        await client.ws.close()


@pytest.fixture(scope="module")
async def rated_server(database_url: str, world: World) -> AsyncIterator[LiveServer]:
    server = LiveServer(database_url, free_port(), env={
        "VETQL_RATE_LIMIT_PER_TOKEN": "3/minute", "VETQL_RATE_LIMIT_PER_ADDRESS": "3/minute"})
    try:
        await server.ready()
        yield server
    finally:
        server.stop()


async def test_websocket_operations_and_handshakes_are_rate_limited(
    rated_server: LiveServer, world: World, token: Token
) -> None:
    from websockets.exceptions import InvalidStatus

    client = await _open(rated_server)  # handshake 1 of the address's 3
    try:
        await client.ack(token(world.a.vet, world.a.tenant, "vet"))
        for op in ("1", "2", "3"):
            await client.subscribe(op, "{ __typename }", {})
            assert (await client.next_data(op)) == {"__typename": "Query"}
            assert (await client.recv())["type"] == "complete"
        await client.subscribe("4", "{ __typename }", {})
        refused = await client.recv()
        assert refused["type"] == "error" and refused["payload"][0]["extensions"]["code"] == "RATE_LIMITED", refused
        more = [await _open(rated_server) for _ in range(2)]  # handshakes 2 and 3
        for extra in more:
            await extra.ws.close()
        with pytest.raises(InvalidStatus) as limited:
            await _open(rated_server)
        assert limited.value.response.status_code == 403
    finally:
        await client.ws.close()


async def test_a_rate_limit_storage_that_fails_lets_requests_through(monkeypatch: pytest.MonkeyPatch) -> None:
    limits = RateLimits("1/minute", None)

    async def down(*args: object) -> bool:
        raise ConnectionError("redis is down")

    monkeypatch.setattr(MovingWindowRateLimiter, "hit", down)
    claims = Claims(sub=uuid.uuid4(), role="vet", tenant_id="clinic-a", exp=2**40)
    assert await limits.token(claims) is None and await limits.token(claims) is None  # fails open, logged
