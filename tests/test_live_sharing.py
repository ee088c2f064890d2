"""Events rendered once per distinct selection are never shared across different selections."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from websockets.asyncio.client import connect

from tests.conftest import LiveServer
from tests.test_live_protocols import TRANSPORT_WS, Client, mark, record, start_log, vet
from tests.world import World

Token = Callable[..., str]

SELECTIONS = {
    "plain": ("subscription($log: ID!, $since: DateTime) { vitalsRecorded(anesthesiaLogId: $log, since: $since)"
              " { heartRate } }", {}),
    "plain-again": ("subscription($log: ID!, $since: DateTime) { vitalsRecorded(anesthesiaLogId: $log, since: $since)"
                    " { heartRate } }", {}),
    "aliased": ("subscription($log: ID!, $since: DateTime) { v: vitalsRecorded(anesthesiaLogId: $log, since: $since)"
                " { hr: heartRate spo2 __typename } }", {}),
    "with-spo2": ("subscription($log: ID!, $since: DateTime, $o: Boolean!) { vitalsRecorded(anesthesiaLogId: $log,"
                  " since: $since) { heartRate spo2 @include(if: $o) } }", {"o": True}),
    "without-spo2": ("subscription($log: ID!, $since: DateTime, $o: Boolean!) { vitalsRecorded(anesthesiaLogId: $log,"
                     " since: $since) { heartRate spo2 @include(if: $o) } }", {"o": False}),
}
EXPECTED = {
    "plain": {"vitalsRecorded": {"heartRate": 77}},
    "plain-again": {"vitalsRecorded": {"heartRate": 77}},
    "aliased": {"v": {"hr": 77, "spo2": 96.5, "__typename": "VitalSign"}},
    "with-spo2": {"vitalsRecorded": {"heartRate": 77, "spo2": 96.5}},
    "without-spo2": {"vitalsRecorded": {"heartRate": 77}},
}


async def test_each_subscriber_gets_its_own_selection_of_a_shared_event(
    live_servers: list[LiveServer], world: World, token: Token
) -> None:
    server = live_servers[0]
    staff = vet(world, token)
    log = await start_log(server, staff, world.a.pets[2])
    since = mark()
    clients: dict[str, Client] = {}
    for name, (query, extra) in SELECTIONS.items():
        ws = await connect(server.ws_url, subprotocols=[TRANSPORT_WS])  # type: ignore[list-item]
        client = Client(ws, TRANSPORT_WS)
        await client.ack(staff)
        await client.subscribe(name, query, {"log": log, "since": since, **extra})
        clients[name] = client
    await asyncio.sleep(0.3)
    await record(server, staff, log, [{"heartRate": 77, "spo2": 96.5}])
    for name, client in clients.items():
        assert await client.next_data(name) == EXPECTED[name], name
        await client.ws.close()
