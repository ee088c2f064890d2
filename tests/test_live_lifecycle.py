"""Server lifecycle around subscriptions: several workers, and a clean shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.conftest import LiveServer, free_port
from tests.test_http import metric_sample
from tests.test_live_protocols import (
    MULTIPART_ACCEPT,
    TRANSPORT_WS,
    VITALS,
    Client,
    error_codes,
    mark,
    record,
    start_log,
    vet,
)
from tests.world import World

Token = Callable[..., str]


@pytest.fixture
async def own_server(database_url: str) -> AsyncIterator[Callable[[int], asyncio.Future[LiveServer]]]:
    """own_server(workers) -> a server process of this test's own (it may be stopped)."""
    started: list[LiveServer] = []

    async def start(workers: int) -> LiveServer:
        server = LiveServer(database_url, free_port(), workers=workers)
        started.append(server)
        await server.ready()
        return server

    yield start  # type: ignore[misc]
    for server in started:
        server.stop()


async def test_every_worker_of_one_server_delivers_to_its_subscribers(
    own_server, world: World, token: Token  # type: ignore[no-untyped-def]
) -> None:
    server = await own_server(2)
    staff = vet(world, token)
    log = await start_log(server, staff, world.a.pets[3])
    # Several connections: the kernel spreads them over both workers; each must get every reading.
    clients = []
    for i in range(6):
        ws = await connect(server.ws_url, subprotocols=[TRANSPORT_WS])  # type: ignore[list-item]
        client = Client(ws, TRANSPORT_WS)
        await client.ack(staff)
        await client.subscribe(str(i), VITALS, {"log": log, "since": mark()})
        clients.append(client)
    await asyncio.sleep(0.5)
    stored = await record(server, staff, log, [{"heartRate": 90 + i} for i in range(5)])
    assert len(stored) == 5
    for i, client in enumerate(clients):
        events = await client.collect(str(i), 5)
        assert [e["vitalsRecorded"]["heartRate"] for e in events] == [90, 91, 92, 93, 94]
        await client.ws.close()


async def test_sigterm_closes_subscriptions_with_the_restart_code(
    own_server, world: World, token: Token  # type: ignore[no-untyped-def]
) -> None:
    server = await own_server(1)
    staff = vet(world, token)
    log = await start_log(server, staff, world.a.pets[3])
    ws = await connect(server.ws_url, subprotocols=[TRANSPORT_WS])  # type: ignore[list-item]
    client = Client(ws, TRANSPORT_WS)
    await client.ack(staff)
    await client.subscribe("1", VITALS, {"log": log})
    await asyncio.sleep(0.3)
    server.process.terminate()
    try:
        while True:
            await asyncio.wait_for(ws.recv(), 15)
    except ConnectionClosed as closed:
        assert closed.rcvd is not None
        assert closed.rcvd.code == 1012  # service restart: reconnect (with `since`) to another server
    assert await asyncio.to_thread(server.process.wait, 15) is not None


async def test_a_subscription_ends_when_its_token_expires(
    live_servers: list[LiveServer], world: World, token: Token
) -> None:
    """Events flow until the token's `exp`, then an UNAUTHENTICATED error ends the subscription."""
    server = live_servers[0]
    staff = vet(world, token)
    log = await start_log(server, staff, world.a.pets[5])
    short = token(world.a.vet, world.a.tenant, "vet", ttl=timedelta(seconds=3))
    async with connect(server.ws_url, subprotocols=[TRANSPORT_WS]) as ws:  # type: ignore[list-item]
        client = Client(ws, TRANSPORT_WS)
        await client.ack(short)
        await client.subscribe("v", VITALS, {"log": log, "since": mark()})
        await asyncio.sleep(0.3)
        await record(server, staff, log, [{"heartRate": 70}])
        assert (await client.next_data("v"))["vitalsRecorded"]["heartRate"] == 70
        message = await client.recv(within=6)
        assert message["id"] == "v" and message["type"] in ("next", "error"), message
        errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
        assert [e["extensions"]["code"] for e in errors] == ["UNAUTHENTICATED"], message


async def _raw_stream(url: str, staff: str, accept: str, log: str, body: list[str], started: asyncio.Event) -> float:
    """Reads an HTTP subscription stream to its end; the loop time it ended at."""
    async with (
        httpx.AsyncClient(timeout=30) as http,
        http.stream(
            "POST", f"{url}/graphql", json={"query": VITALS, "variables": {"log": log}},
            headers={"Authorization": f"Bearer {staff}", "Accept": accept},
        ) as response,
    ):
        assert response.status_code == 200
        started.set()
        async for chunk in response.aiter_text():
            body.append(chunk)
    return asyncio.get_running_loop().time()


async def test_sigterm_ends_every_stream_promptly_with_its_reconnect_end_and_no_error_logged(
    own_server, world: World, token: Token  # type: ignore[no-untyped-def]
) -> None:
    server = await own_server(1)
    staff = vet(world, token)
    log = await start_log(server, staff, world.a.pets[3])
    ws = await connect(server.ws_url, subprotocols=[TRANSPORT_WS])  # type: ignore[list-item]
    client = Client(ws, TRANSPORT_WS)
    await client.ack(staff)
    await client.subscribe("1", VITALS, {"log": log})
    bodies: dict[str, list[str]] = {"sse": [], "multipart": []}
    started = {name: asyncio.Event() for name in bodies}
    streams = {
        name: asyncio.create_task(_raw_stream(server.url, staff, accept, log, bodies[name], started[name]))
        for name, accept in (("sse", "text/event-stream"), ("multipart", MULTIPART_ACCEPT))
    }
    for event in started.values():
        await asyncio.wait_for(event.wait(), 10)
    await asyncio.sleep(0.5)

    loop = asyncio.get_running_loop()
    sent = loop.time()
    server.process.terminate()
    try:
        while True:
            await asyncio.wait_for(ws.recv(), 15)
    except ConnectionClosed as closed:
        assert closed.rcvd is not None and closed.rcvd.code == 1012
    ended = {name: await asyncio.wait_for(task, 15) for name, task in streams.items()}
    assert all(at - sent < 3 for at in ended.values()), {k: v - sent for k, v in ended.items()}

    sse = "".join(bodies["sse"])  # graphql-sse: an error event, then `complete`: reconnect and resume
    assert "SERVICE_RESTART" in sse and sse.rstrip().endswith("event: complete\r\ndata:"), sse[-400:]
    multipart = "".join(bodies["multipart"])  # a last part with the error, then the closing boundary
    assert "SERVICE_RESTART" in multipart and multipart.rstrip().endswith("--graphql--"), multipart[-400:]
    assert await asyncio.to_thread(server.process.wait, 15) is not None
    server.log.seek(0)
    logged = server.log.read().decode()
    assert loop.time() - sent < 5, logged[-3000:]  # not the 10 s graceful-shutdown timeout
    assert "Exception in ASGI application" not in logged and "Traceback" not in logged, logged[-3000:]


@pytest.fixture
async def impatient_server(database_url: str) -> AsyncIterator[LiveServer]:
    """A server that ends a subscriber whose sends stay blocked for 1 s."""
    os.environ["VETQL_LIVE_SEND_TIMEOUT_SECONDS"] = "1"
    try:
        server = LiveServer(database_url, free_port())
    finally:
        del os.environ["VETQL_LIVE_SEND_TIMEOUT_SECONDS"]
    try:
        await server.ready()
        yield server
    finally:
        server.stop()


async def _slow_consumers(server: LiveServer) -> float:
    async with httpx.AsyncClient(base_url=server.url, timeout=5) as http:
        return await metric_sample(http, "vetql_live_slow_consumers_total", {})


def _tiny_receive_buffer() -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    return sock


@pytest.mark.parametrize("transport", ["websocket", "multipart"])
async def test_a_subscriber_that_stops_reading_is_ended_and_counted_when_the_bound_passes(
    impatient_server: LiveServer, world: World, token: Token, transport: str
) -> None:
    server = impatient_server
    staff = vet(world, token)
    log = await start_log(server, staff, world.a.pets[3])
    before = await _slow_consumers(server)
    stack = contextlib.AsyncExitStack()
    async with stack:
        if transport == "websocket":
            sock = _tiny_receive_buffer()
            sock.connect(("127.0.0.1", server.port))
            ws = await stack.enter_async_context(
                connect(server.ws_url, sock=sock, subprotocols=[TRANSPORT_WS], max_queue=1)  # type: ignore[list-item]
            )
            client = Client(ws, TRANSPORT_WS)
            await client.ack(staff)
            await client.subscribe("1", VITALS, {"log": log})
        else:
            http = await stack.enter_async_context(httpx.AsyncClient(
                timeout=30, transport=httpx.AsyncHTTPTransport(
                    socket_options=[(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)])
            ))
            response = await stack.enter_async_context(http.stream(
                "POST", f"{server.url}/graphql", json={"query": VITALS, "variables": {"log": log}},
                headers={"Authorization": f"Bearer {staff}", "Accept": MULTIPART_ACCEPT},
            ))
            assert response.status_code == 200
        await asyncio.sleep(0.3)
        # the client reads nothing from here on; readings keep coming until its sends block
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 20
        while await _slow_consumers(server) == before:
            assert loop.time() < deadline, "never counted as a slow consumer"
            await record(server, staff, log, [{"heartRate": 60, "notes": "x" * 1900} for _ in range(100)])
            await asyncio.sleep(0.05)
        assert await _slow_consumers(server) == before + 1  # counted once, while the client still reads nothing
        async with httpx.AsyncClient(base_url=server.url, timeout=5) as probe:  # and its feed let it go
            assert await metric_sample(probe, "vetql_live_subscribers", {}) == 0
        if transport == "websocket":  # when it reads again: what was in flight, then SLOW_CONSUMER
            codes: list[str] = []
            while not codes:
                message = await client.recv(10)
                if message["type"] != "next" or message["payload"].get("errors"):
                    codes = error_codes(client, message)
            assert codes == ["SLOW_CONSUMER"]
        # (multipart queues the same error part behind what was in flight; through a 4 KB window that
        # backlog takes long to read, so the test stops here)
