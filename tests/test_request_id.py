"""A request id on every response and on the log lines written while serving the request."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from server.app import create_app
from server.request_id import RequestIdFilter
from server.settings import Settings
from tests.conftest import TEST_SECRET, free_port
from tests.world import World

Token = Callable[..., str]


async def test_every_response_carries_a_request_id(client: httpx.AsyncClient) -> None:
    ids = set()
    for path in ("/graphql", "/healthz", "/nowhere"):
        response = await (client.post(path, json={"query": "{ __typename }"}) if path == "/graphql"
                          else client.get(path))
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"]), response.headers
        ids.add(response.headers["x-request-id"])
    assert len(ids) == 3


@pytest.mark.parametrize(("sent", "kept"), [("lb-1234.abc_DEF", True), ("bad id with spaces", False),
                                            ("x" * 65, False), ("<script>", False)])
async def test_a_plain_client_request_id_is_kept(client: httpx.AsyncClient, sent: str, kept: bool) -> None:
    response = await client.post("/graphql", json={"query": "{ __typename }"}, headers={"X-Request-Id": sent})
    assert (response.headers["x-request-id"] == sent) is kept


async def test_log_lines_carry_the_request_id(
    world: World, token: Token, tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.handler.addFilter(RequestIdFilter())
    settings = Settings(jwt_secret=TEST_SECRET, data_dir=tmp_path, env="development", usage_rollup_seconds=0)
    app = create_app(settings, f"postgresql://postgres@127.0.0.1:{free_port()}/vetql")  # down: logs a warning
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://vetql.test") as http:
            with caplog.at_level(logging.WARNING, logger="vetql"):
                response = await http.post(
                    "/graphql", json={"query": "{ viewer { role } }"},
                    headers={"Authorization": f"Bearer {token(world.a.vet, world.a.tenant, 'vet')}",
                             "X-Request-Id": "trace-me-42"})
    finally:
        await app.state.engine.dispose()
    assert response.status_code == 503 and response.headers["x-request-id"] == "trace-me-42"
    lines = [r for r in caplog.records if r.name.startswith("vetql")]
    assert lines and all(getattr(r, "request_id", None) == "trace-me-42" for r in lines), lines
