"""Direct delivery: WebSocket events written as shared bytes are exactly what Strawberry would have sent.

Over both WebSocket protocols a subscription's events skip Strawberry's per-subscriber pipeline
(server/live/outlet.py); over multipart HTTP they still go through it. The same subscription on all
three must deliver identical `data`, and the WebSocket messages must carry nothing but id, type and
payload.data, as Strawberry's own messages do.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx

from tests.conftest import LiveServer
from tests.test_http import metric_sample
from tests.test_live_protocols import (
    LEGACY_WS,
    MULTIPART_ACCEPT,
    TRANSPORT_WS,
    Client,
    mark,
    multipart_parts,
    record,
    start_log,
    vet,
)
from tests.world import World

Token = Callable[..., str]

# Aliases, a named fragment (its variables count too), a directive on a variable, enums, times, ids.
RICH = """
subscription Watch($log: ID!, $since: DateTime, $withNotes: Boolean!) {
  reading: vitalsRecorded(anesthesiaLogId: $log, since: $since) {
    __typename id recordedAt
    ...Numbers
    depth: anesthesiaDepth
    notes @include(if: $withNotes)
  }
}
fragment Numbers on VitalSign { heartRate spo2 temperature bloodPressureMean }
"""
READINGS = [
    {"heartRate": 88, "spo2": 97.5, "temperature": 37.9, "bloodPressureMean": 72, "anesthesiaDepth": "SURGICAL",
     "notes": "stable", "clientReadingId": "direct-1"},
    {"heartRate": 41, "spo2": 89.0, "anesthesiaDepth": "TOO_DEEP", "notes": "bradycardic"},
    {"temperature": 35.1, "clientReadingId": "direct-3"},
]


async def metric(server: LiveServer, name: str, **labels: str) -> float:
    async with httpx.AsyncClient(base_url=server.url, timeout=5) as http:
        return await metric_sample(http, name, labels)


async def sent(server: LiveServer, path: str) -> float:
    return await metric(server, "vetql_live_events_sent_total", path=path)


async def ws_events(client: Client, n: int) -> list[dict[str, Any]]:
    """The next n `data` payloads, checking each raw message has Strawberry's shape and nothing more."""
    out = []
    while len(out) < n:
        message = json.loads(await asyncio.wait_for(client.ws.recv(), 10))
        if message.get("type") == "ka":
            continue
        assert set(message) == {"id", "type", "payload"}, message
        assert message["id"] == "w" and message["type"] == client.NEXT, message
        assert set(message["payload"]) == {"data"}, message
        out.append(message["payload"]["data"])
    return out


async def multipart_events(server: LiveServer, staff: str, variables: dict[str, Any], n: int,
                           ready: asyncio.Event) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    async with (
        httpx.AsyncClient(timeout=15) as http,
        http.stream("POST", f"{server.url}/graphql", json={"query": RICH, "variables": variables},
                    headers={"Authorization": f"Bearer {staff}", "Accept": MULTIPART_ACCEPT}) as response,
    ):
        assert response.status_code == 200
        async for part in multipart_parts(response):
            ready.set()
            if not part:
                continue
            assert part["payload"].get("errors") is None, part
            out.append(part["payload"]["data"])
            if len(out) == n:
                break
    return out


async def test_websocket_events_equal_the_ordinary_path(
    world: World, token: Token, live_servers: list[LiveServer], open_client: Callable[..., Any]
) -> None:
    server = live_servers[0]
    staff = vet(world, token)
    log = await start_log(live_servers[1], staff, world.a.pets[3])
    variables = {"log": log, "since": mark(), "withNotes": True}
    shared_before, executed_before = await sent(server, "shared"), await sent(server, "executed")

    clients = []
    for protocol in (TRANSPORT_WS, LEGACY_WS):
        client = await open_client(protocol)
        await client.ack(staff)
        await client.subscribe("w", RICH, variables)
        clients.append(client)
    ready = asyncio.Event()
    over_http = asyncio.create_task(multipart_events(server, staff, variables, len(READINGS), ready))
    await asyncio.wait_for(ready.wait(), 10)
    await asyncio.sleep(0.3)
    stored = await record(live_servers[1], staff, log, READINGS)

    transport, legacy = [await ws_events(c, len(READINGS)) for c in clients]
    http_side = await asyncio.wait_for(over_http, 15)
    assert transport == legacy == http_side
    assert [e["reading"]["id"] for e in transport] == [v["id"] for v in stored]
    first = transport[0]["reading"]
    assert first["__typename"] == "VitalSign" and first["depth"] == "SURGICAL" and first["notes"] == "stable"
    assert first["spo2"] == 97.5 and first["bloodPressureMean"] == 72
    assert transport[2]["reading"]["heartRate"] is None and transport[2]["reading"]["temperature"] == 35.1

    # The WebSocket events took the shared path; the multipart ones went through Strawberry.
    assert await sent(server, "shared") - shared_before >= 2 * len(READINGS)
    assert await sent(server, "executed") - executed_before >= len(READINGS)


async def test_variables_that_change_the_selection_are_never_shared(
    world: World, token: Token, live_servers: list[LiveServer], open_client: Callable[..., Any]
) -> None:
    """Same document, a different `$withNotes`: each subscriber gets its own rendering."""
    staff = vet(world, token)
    log = await start_log(live_servers[1], staff, world.a.pets[4])
    since = mark()
    with_notes, without = await open_client(TRANSPORT_WS), await open_client(TRANSPORT_WS)
    for client, flag in ((with_notes, True), (without, False)):
        await client.ack(staff)
        await client.subscribe("w", RICH, {"log": log, "since": since, "withNotes": flag})
    await asyncio.sleep(0.3)
    await record(live_servers[1], staff, log, READINGS[:1])
    [a] = await ws_events(with_notes, 1)
    [b] = await ws_events(without, 1)
    assert a["reading"]["notes"] == "stable"
    assert "notes" not in b["reading"]
    assert {k: v for k, v in a["reading"].items() if k != "notes"} == b["reading"]


async def test_an_event_is_rendered_once_per_distinct_selection(
    world: World, token: Token, live_servers: list[LiveServer], open_client: Callable[..., Any]
) -> None:
    """Four watchers of one log, three with the same document and variables: two renderings per event."""
    staff = vet(world, token)
    log = await start_log(live_servers[1], staff, world.a.pets[5])
    since = mark()
    clients = []
    for flag in (True, True, True, False):
        client = await open_client(TRANSPORT_WS)
        await client.ack(staff)
        await client.subscribe("w", RICH, {"log": log, "since": since, "withNotes": flag})
        clients.append(client)
    await asyncio.sleep(0.3)
    before = await metric(live_servers[0], "vetql_live_renders_total")
    await record(live_servers[1], staff, log, READINGS)
    events = [await ws_events(c, len(READINGS)) for c in clients]
    assert events[0] == events[1] == events[2] != events[3]
    assert await metric(live_servers[0], "vetql_live_renders_total") - before == 2 * len(READINGS)


async def test_the_server_does_not_offer_per_message_deflate(
    live_servers: list[LiveServer], open_client: Callable[..., Any]
) -> None:
    """The client offers compression (websockets does by default); the server declines it."""
    client = await open_client(TRANSPORT_WS)
    assert "permessage-deflate" in (client.ws.request.headers.get("Sec-WebSocket-Extensions") or "")
    assert client.ws.response.headers.get("Sec-WebSocket-Extensions") is None
    assert client.ws.protocol.extensions == []
