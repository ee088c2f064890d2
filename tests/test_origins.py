"""VETQL_ALLOWED_ORIGINS: CORS over HTTP and the WebSocket origin check, exact matches only."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from server.app import create_app
from server.settings import Settings
from tests.conftest import TEST_SECRET, LiveServer, free_port
from tests.world import World

Token = Callable[..., str]
DASH = "https://dash.example.com"
ORIGINS = f"{DASH}, HTTP://LocalHost:5173"
FOREIGN = ["https://evil.example.com", "https://dash.example.com.evil.com", "http://dash.example.com",
           "https://dash.example.com:8443", "null"]


@pytest.fixture(scope="module")
async def http(database_url: str, world: World, tmp_path_factory: pytest.TempPathFactory
               ) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(jwt_secret=TEST_SECRET, data_dir=tmp_path_factory.mktemp("cors"), env="development",
                        allowed_origins=ORIGINS)
    app = create_app(settings, database_url)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://vetql.test") as client:
        yield client
    await app.state.engine.dispose()


def preflight(origin: str) -> dict[str, str]:
    return {"Origin": origin, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type"}


def test_origins_are_normalized_and_wildcards_refused() -> None:
    assert Settings(allowed_origins=ORIGINS).origins == ("http://localhost:5173", DASH)
    for bad in ("*", "https://*.example.com"):
        with pytest.raises(ValueError, match="exact"):
            _ = Settings(allowed_origins=bad).origins


@pytest.mark.parametrize("origin", [DASH, "http://localhost:5173"])
async def test_preflight_and_request_from_an_allowed_origin(
    http: httpx.AsyncClient, world: World, token: Token, origin: str
) -> None:
    answer = await http.options("/graphql", headers=preflight(origin))
    assert answer.status_code == 200, answer.text
    assert answer.headers["access-control-allow-origin"] == origin
    assert "POST" in answer.headers["access-control-allow-methods"]
    assert "authorization" in answer.headers["access-control-allow-headers"].lower()
    response = await http.post("/graphql", json={"query": "{ viewer { role } }"},
                               headers={"Origin": origin,
                                        "Authorization": f"Bearer {token(world.a.vet, world.a.tenant, 'vet')}"})
    assert response.status_code == 200 and response.json() == {"data": {"viewer": {"role": "VET"}}}
    assert response.headers["access-control-allow-origin"] == origin


@pytest.mark.parametrize("origin", FOREIGN)
async def test_other_origins_get_no_cors(http: httpx.AsyncClient, origin: str) -> None:
    answer = await http.options("/graphql", headers=preflight(origin))
    assert answer.status_code == 400
    assert "access-control-allow-origin" not in answer.headers
    response = await http.post("/graphql", json={"query": "{ __typename }"}, headers={"Origin": origin})
    assert "access-control-allow-origin" not in response.headers


async def test_by_default_no_origin_is_allowed(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ __typename }"}, headers={"Origin": DASH})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers
    assert (await client.options("/graphql", headers=preflight(DASH))).status_code != 200


@pytest.fixture(scope="module")
async def server(database_url: str, world: World) -> AsyncIterator[LiveServer]:
    live = LiveServer(database_url, free_port(), env={"VETQL_ALLOWED_ORIGINS": ORIGINS})
    try:
        await live.ready()
        yield live
    finally:
        live.stop()


async def _handshake(server: LiveServer, origin: str | None) -> Any:
    ws = await connect(server.ws_url, subprotocols=["graphql-transport-ws"], open_timeout=5,  # type: ignore[list-item]
                       origin=origin)  # type: ignore[arg-type]
    await ws.close()
    return ws.subprotocol


async def test_websocket_from_an_allowed_origin_same_origin_or_no_browser(server: LiveServer) -> None:
    for origin in (DASH, "http://localhost:5173", f"http://127.0.0.1:{server.port}", None):
        assert await _handshake(server, origin) == "graphql-transport-ws", origin


@pytest.mark.parametrize("origin", FOREIGN[:4])
async def test_websocket_from_another_origin_is_refused(server: LiveServer, origin: str) -> None:
    with pytest.raises(InvalidStatus) as refused:
        await _handshake(server, origin)
    assert refused.value.response.status_code == 403
