"""Server lifecycle around subscriptions: several workers, and a clean shutdown."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.conftest import LiveServer, free_port
from tests.test_live_protocols import TRANSPORT_WS, VITALS, Client, mark, record, start_log, vet
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
