"""Live protocols against a real `vetql serve`: graphql-transport-ws and legacy graphql-ws, and HTTP streaming.

Real WebSocket clients (the `websockets` library) talk to `live_servers[0]`; readings are recorded
over HTTP through the other server process, so every delivery here also crosses processes.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from graph.types.node import to_global_id
from server.settings import Settings
from tests.conftest import CONNECTION_INIT_WAIT_SECONDS, LiveServer
from tests.world import World

Token = Callable[..., str]

TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"
PROTOCOLS = [TRANSPORT_WS, LEGACY_WS]

VITALS = """
subscription($log: ID!, $since: DateTime) {
  vitalsRecorded(anesthesiaLogId: $log, since: $since) { id heartRate spo2 recordedAt notes }
}
"""
RECORD = """
mutation($input: RecordVitalsInput!) {
  recordVitals(input: $input) { vitals { id heartRate } userErrors { field code message } }
}
"""
START = """
mutation($input: StartAnesthesiaInput!) {
  startAnesthesia(input: $input) { anesthesiaLog { id } userErrors { field code message } }
}
"""
QUIET = 0.8  # seconds to wait when checking that nothing arrives


def mark() -> str:
    """Now, for `since`: a subscription opened with it replays what was recorded after this instant, so a
    reading recorded right after subscribing arrives exactly once however long the server takes to subscribe."""
    return (datetime.now(UTC) - timedelta(milliseconds=1)).isoformat()


# -- HTTP helpers ----------------------------------------------------------------------------


async def http_data(server: LiveServer, query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.post(
            f"{server.url}/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body.get("errors") is None, body
    data: dict[str, Any] = body["data"]
    return data


async def start_log(server: LiveServer, staff: str, pet: uuid.UUID) -> str:
    data = await http_data(
        server, START, {"input": {"petId": str(to_global_id("Pet", pet)), "procedureName": "Prueba en vivo"}}, staff
    )
    assert data["startAnesthesia"]["userErrors"] == []
    log_id: str = data["startAnesthesia"]["anesthesiaLog"]["id"]
    return log_id


async def record(server: LiveServer, staff: str, log_id: str, vitals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    data = await http_data(server, RECORD, {"input": {"anesthesiaLogId": log_id, "vitals": vitals}}, staff)
    payload = data["recordVitals"]
    assert payload["userErrors"] == [], payload
    stored: list[dict[str, Any]] = payload["vitals"]
    return stored


# -- WebSocket helpers -----------------------------------------------------------------------


def is_current_state(message: dict[str, Any]) -> bool:
    """A data message whose event is marked as the state the stream started from."""
    data = (message.get("payload") or {}).get("data") or {}
    return any(isinstance(v, dict) and v.get("isCurrentState") is True for v in data.values())


class Client:
    """One WebSocket speaking one of the two subprotocols, with the message names of that protocol."""

    def __init__(self, ws: ClientConnection, protocol: str) -> None:
        self.ws = ws
        self.protocol = protocol
        legacy = protocol == LEGACY_WS
        self.SUBSCRIBE = "start" if legacy else "subscribe"
        self.NEXT = "data" if legacy else "next"
        self.STOP = "stop" if legacy else "complete"
        self.keepalives = 0
        self.skip_ids: set[str] = set()  # operations whose late messages are dropped (after a client stop)
        self.skip_current_state = False  # drop the state events a stream starts with (`isCurrentState`)

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(message))

    async def recv(self, within: float = 5.0) -> dict[str, Any]:
        """The next protocol message; the legacy protocol's keep-alives (`ka`) are counted and skipped."""
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), within)
            message: dict[str, Any] = json.loads(raw)
            if message.get("type") == "ka":
                self.keepalives += 1
                continue
            if message.get("id") in self.skip_ids:
                continue
            if self.skip_current_state and is_current_state(message):
                continue
            return message

    async def init(self, token: str | None, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        """connection_init with the token; returns the server's answer."""
        if payload is None:
            payload = {} if token is None else {"authorization": f"Bearer {token}"}
        await self.send({"type": "connection_init", "payload": payload})
        return await self.recv()

    async def ack(self, token: str | None) -> None:
        answer = await self.init(token)
        assert answer["type"] == "connection_ack", answer

    async def subscribe(self, op_id: str, query: str, variables: dict[str, Any]) -> None:
        await self.send({"id": op_id, "type": self.SUBSCRIBE, "payload": {"query": query, "variables": variables}})

    async def stop(self, op_id: str) -> None:
        await self.send({"id": op_id, "type": self.STOP})

    async def next_data(self, op_id: str, within: float = 5.0) -> dict[str, Any]:
        message = await self.recv(within)
        assert message.get("id") == op_id and message["type"] == self.NEXT, message
        assert message["payload"].get("errors") is None, message
        data: dict[str, Any] = message["payload"]["data"]
        return data

    async def collect(self, op_id: str, n: int, within: float = 10.0) -> list[dict[str, Any]]:
        """The next `n` data payloads of `op_id` (within `within` seconds in all)."""
        deadline = asyncio.get_running_loop().time() + within
        out: list[dict[str, Any]] = []
        while len(out) < n:
            left = deadline - asyncio.get_running_loop().time()
            assert left > 0, f"only {len(out)} of {n} events arrived: {out[-3:]}"
            try:
                out.append(await self.next_data(op_id, left))
            except TimeoutError:
                raise AssertionError(f"only {len(out)} of {n} events arrived: {out[-3:]}") from None
        return out

    async def nothing_for(self, seconds: float = QUIET) -> None:
        """No protocol message (other than keep-alives) arrives for a while."""
        try:
            message = await self.recv(seconds)
        except TimeoutError:
            return
        raise AssertionError(f"unexpected message: {message}")

    async def closed(self, within: float = 5.0) -> tuple[int, str]:
        """Wait for the server to close the socket; its close code and reason."""
        try:
            while True:
                message = await self.recv(within)
                assert message["type"] in ("connection_error", "error", "complete"), message
        except ConnectionClosed as exc:
            assert exc.rcvd is not None, "closed without a close frame"
            return exc.rcvd.code, exc.rcvd.reason


def vet(world: World, token: Token, clinic: str = "a") -> str:
    c = getattr(world, clinic)
    return token(c.vet, c.tenant, "vet")


# -- connection: ack, keep-alive, auth --------------------------------------------------------


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_connection_init_with_staff_token_is_acknowledged(
    open_client: Callable[..., Any], world: World, token: Token, protocol: str
) -> None:
    client = await open_client(protocol)
    await client.send({"type": "connection_init", "payload": {"authorization": f"Bearer {vet(world, token)}"}})
    raw = json.loads(await asyncio.wait_for(client.ws.recv(), 5))
    assert raw["type"] == "connection_ack", raw
    assert raw.get("payload") is None  # absent or null: both allowed by the protocols


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_connection_init_without_token_is_acknowledged_as_anonymous(
    open_client: Callable[..., Any], world: World, protocol: str, live_servers: list[LiveServer]
) -> None:
    """No token: only public data, so the connection is fine but a subscription is forbidden."""
    client = await open_client(protocol)
    await client.ack(None)
    await client.subscribe("1", VITALS, {"log": str(to_global_id("AnesthesiaLog", world.a.open_log))})
    message = await client.recv()
    codes = error_codes(client, message)
    assert codes == ["FORBIDDEN"], message


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_ping_pong_and_keepalive(
    open_client: Callable[..., Any], world: World, token: Token, protocol: str
) -> None:
    client = await open_client(protocol)
    await client.ack(vet(world, token))
    if protocol == TRANSPORT_WS:
        await client.send({"type": "ping", "payload": {"n": 1}})
        assert await client.recv(2) == {"type": "pong"}
        await client.send({"type": "ping"})
        assert await client.recv(2) == {"type": "pong"}
        # a pong from the client (answering nobody) is accepted silently
        await client.send({"type": "pong"})
        await client.nothing_for(0.3)
    else:
        # the legacy protocol has no ping: the server keeps the connection alive with `ka` right after the ack
        raw = json.loads(await asyncio.wait_for(client.ws.recv(), 2))
        assert raw == {"type": "ka"}
    # the connection still works
    if protocol == TRANSPORT_WS:
        await client.send({"type": "ping"})
        assert await client.recv(2) == {"type": "pong"}


BAD_TOKENS: list[tuple[str, Callable[[World, Token], dict[str, Any]]]] = [
    ("garbage", lambda w, t: {"authorization": "Bearer not.a.jwt"}),
    ("no Bearer prefix", lambda w, t: {"authorization": t(w.a.vet, w.a.tenant, "vet")}),
    ("expired", lambda w, t: {"authorization": "Bearer " + t(w.a.vet, w.a.tenant, "vet", ttl=timedelta(minutes=-5))}),
    (
        "wrongly signed",
        lambda w, t: {"authorization": "Bearer " + t(w.a.vet, w.a.tenant, "vet")[:-4] + "AAAA"},
    ),
]


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize(("case", "payload"), BAD_TOKENS, ids=[c[0] for c in BAD_TOKENS])
async def test_bad_token_in_connection_init_is_refused(
    open_client: Callable[..., Any],
    world: World,
    token: Token,
    protocol: str,
    case: str,
    payload: Callable[[World, Token], dict[str, Any]],
) -> None:
    client = await open_client(protocol)
    if protocol == TRANSPORT_WS:
        # Strawberry answers a ConnectionRejectionError with close 4403 and no message (CONTRACT: 4401/4403)
        await client.send({"type": "connection_init", "payload": payload(world, token)})
        code, reason = await client.closed()
        assert (code, reason) == (4403, "Forbidden")
    else:
        # the legacy protocol has no close codes for this: `connection_error` with the reason, then close 1011
        answer = await client.init(None, payload(world, token))
        assert answer["type"] == "connection_error", answer
        assert answer["payload"]["code"] == "UNAUTHENTICATED"
        assert answer["payload"]["message"]
        code, _ = await client.closed()
        assert code == 1011


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_token_of_unknown_clinic_is_refused(open_client: Callable[..., Any], token: Token, protocol: str) -> None:
    client = await open_client(protocol)
    ghost = token(uuid.uuid4(), "clinic-that-does-not-exist", "vet")
    if protocol == TRANSPORT_WS:
        await client.send({"type": "connection_init", "payload": {"authorization": f"Bearer {ghost}"}})
        assert await client.closed() == (4403, "Forbidden")
    else:
        answer = await client.init(ghost)
        assert answer["type"] == "connection_error" and answer["payload"]["code"] == "FORBIDDEN", answer
        assert (await client.closed())[0] == 1011


async def test_no_connection_init_within_timeout_closes_4408(open_client: Callable[..., Any]) -> None:
    client = await open_client(TRANSPORT_WS)
    started = asyncio.get_running_loop().time()
    code, reason = await client.closed(within=CONNECTION_INIT_WAIT_SECONDS + 5)
    waited = asyncio.get_running_loop().time() - started
    assert code == 4408, reason
    assert "timeout" in reason.lower()
    assert CONNECTION_INIT_WAIT_SECONDS * 0.8 <= waited <= CONNECTION_INIT_WAIT_SECONDS + 3
    assert Settings.model_fields["connection_init_wait_seconds"].default == 5.0  # what production waits


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_subscribe_before_ack_closes_4401(open_client: Callable[..., Any], world: World, protocol: str) -> None:
    client = await open_client(protocol)
    await client.subscribe("1", VITALS, {"log": str(to_global_id("AnesthesiaLog", world.a.open_log))})
    assert await client.closed() == (4401, "Unauthorized")


async def test_second_connection_init_closes_4429(open_client: Callable[..., Any], world: World, token: Token) -> None:
    client = await open_client(TRANSPORT_WS)
    await client.ack(vet(world, token))
    await client.send({"type": "connection_init", "payload": {"authorization": f"Bearer {vet(world, token)}"}})
    assert (await client.closed())[0] == 4429


async def test_duplicate_subscription_id_closes_4409(
    open_client: Callable[..., Any], world: World, token: Token, live_servers: list[LiveServer]
) -> None:
    staff = vet(world, token)
    log_id = await start_log(live_servers[1], staff, world.a.pets[2])
    client = await open_client(TRANSPORT_WS)
    await client.ack(staff)
    await client.subscribe("dup", VITALS, {"log": log_id})
    await client.subscribe("dup", VITALS, {"log": log_id})
    code, reason = await client.closed()
    assert code == 4409
    assert "dup" in reason


# -- subscribe, next, complete ------------------------------------------------------------------


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_subscribe_next_and_client_complete(
    open_client: Callable[..., Any], world: World, token: Token, protocol: str, live_servers: list[LiveServer]
) -> None:
    staff = vet(world, token)
    log_id = await start_log(live_servers[1], staff, world.a.pets[2])
    client = await open_client(protocol)
    await client.ack(staff)
    await client.subscribe("v1", VITALS, {"log": log_id, "since": mark()})
    stored = await record(live_servers[1], staff, log_id, [{"heartRate": 81, "spo2": 98.0}, {"heartRate": 82}])
    got = await client.collect("v1", 2)
    assert [d["vitalsRecorded"]["id"] for d in got] == [v["id"] for v in stored]
    assert [d["vitalsRecorded"]["heartRate"] for d in got] == [81, 82]
    assert got[0]["vitalsRecorded"]["spo2"] == 98.0

    # a second subscription on the same socket, then the client completes the first one
    await client.subscribe("v2", VITALS, {"log": log_id, "since": mark()})
    await client.stop("v1")
    if protocol == LEGACY_WS:
        # the legacy server confirms a client `stop` with `complete`
        assert await client.recv() == {"type": "complete", "id": "v1"}
    await record(live_servers[0], staff, log_id, [{"heartRate": 83}])
    [only] = await client.collect("v2", 1)
    assert only["vitalsRecorded"]["heartRate"] == 83
    await client.nothing_for()  # nothing more for v1 (nor v2)

    # the id of a completed subscription can be used again
    await client.stop("v2")
    if protocol == LEGACY_WS:
        assert await client.recv() == {"type": "complete", "id": "v2"}
    await client.subscribe("v1", VITALS, {"log": log_id, "since": mark()})
    await record(live_servers[1], staff, log_id, [{"heartRate": 84}])
    assert [d["vitalsRecorded"]["heartRate"] for d in await client.collect("v1", 1)] == [84]


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_subscription_error_ends_the_operation_only(
    open_client: Callable[..., Any], world: World, token: Token, protocol: str, live_servers: list[LiveServer]
) -> None:
    """A subscription that cannot start (no such log) gets an error; the socket and other operations live on."""
    staff = vet(world, token)
    log_id = await start_log(live_servers[1], staff, world.a.pets[2])
    client = await open_client(protocol)
    await client.ack(staff)
    await client.subscribe("bad", VITALS, {"log": str(to_global_id("AnesthesiaLog", uuid.uuid4()))})
    message = await client.recv()
    assert error_codes(client, message) == ["NOT_FOUND"], message
    await drain_complete(client, "bad", message)
    await client.subscribe("good", VITALS, {"log": log_id, "since": mark()})
    await record(live_servers[1], staff, log_id, [{"heartRate": 77}])
    assert [d["vitalsRecorded"]["heartRate"] for d in await client.collect("good", 1)] == [77]


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_invalid_document_is_an_error_not_a_stream(
    open_client: Callable[..., Any], world: World, token: Token, protocol: str
) -> None:
    client = await open_client(protocol)
    await client.ack(vet(world, token))
    await client.subscribe("x", "subscription { vitalsRecorded(anesthesiaLogId: 1) { nope } }", {})
    message = await client.recv()
    assert message["id"] == "x" and message["type"] == "error", message
    if protocol == TRANSPORT_WS:
        await client.send({"type": "ping"})
        assert await client.recv() == {"type": "pong"}


def error_codes(client: Client, message: dict[str, Any]) -> list[str]:
    """extensions.code of each GraphQL error a message carries (an `error`, or a `next` with errors)."""
    if message["type"] == "error":
        payload = message["payload"]
        errors = payload if isinstance(payload, list) else [payload]
    else:
        assert message["type"] == client.NEXT, message
        errors = message["payload"].get("errors") or []
        assert message["payload"].get("data") is None, message
    return [(e.get("extensions") or {}).get("code") for e in errors]


async def drain_complete(client: Client, op_id: str, first: dict[str, Any]) -> None:
    """After an operation's error, the server's `complete` for it (if the protocol sends one)."""
    if first["type"] == "error":
        return
    message = await client.recv()
    assert message == {"type": "complete", "id": op_id}, message


# -- HTTP streaming ------------------------------------------------------------------------------


MULTIPART_ACCEPT = 'multipart/mixed;subscriptionSpec="1.0", application/json'


async def multipart_parts(response: httpx.Response) -> AsyncIterator[dict[str, Any]]:
    """JSON bodies of the parts of a multipart/mixed subscription response (boundary `graphql`)."""
    buffer = ""
    async for chunk in response.aiter_text():
        buffer += chunk
        while True:
            head = buffer.find("\r\n\r\n")
            end = buffer.find("\r\n--graphql", head + 4) if head >= 0 else -1
            if head < 0 or end < 0:
                break
            body = buffer[head + 4 : end]
            buffer = buffer[end + len("\r\n--graphql") :]
            yield json.loads(body)


async def test_subscription_over_http_multipart(world: World, token: Token, live_servers: list[LiveServer]) -> None:
    staff = vet(world, token)
    log_id = await start_log(live_servers[1], staff, world.a.pets[2])
    async with (
        httpx.AsyncClient(timeout=10) as http,
        http.stream(
            "POST",
            f"{live_servers[0].url}/graphql",
            json={"query": VITALS, "variables": {"log": log_id, "since": mark()}},
            headers={"Authorization": f"Bearer {staff}", "Accept": MULTIPART_ACCEPT},
        ) as response,
    ):
        assert response.status_code == 200, (await response.aread()).decode()
        content_type = response.headers["content-type"]
        assert content_type.startswith("multipart/mixed"), (content_type, (await response.aread()).decode())
        parts = multipart_parts(response)
        recorded = False
        received: list[dict[str, Any]] = []
        async with asyncio.timeout(8):
            async for part in parts:
                if not part:  # heartbeat: the stream is open; record (once), `since` covers the race
                    if not recorded:
                        stored = await record(live_servers[1], staff, log_id, [{"heartRate": 66}, {"heartRate": 67}])
                        recorded = True
                    continue
                assert part["payload"].get("errors") is None, part
                received.append(part["payload"]["data"]["vitalsRecorded"])
                if len(received) == 2:
                    break
    assert [v["id"] for v in received] == [v["id"] for v in stored]
    assert [v["heartRate"] for v in received] == [66, 67]


async def test_subscription_over_http_refuses_other_clinic(
    world: World, token: Token, live_servers: list[LiveServer]
) -> None:
    staff = vet(world, token)
    log_id = await start_log(live_servers[1], staff, world.a.pets[2])
    async with (
        httpx.AsyncClient(timeout=10) as http,
        http.stream(
            "POST",
            f"{live_servers[0].url}/graphql",
            json={"query": VITALS, "variables": {"log": log_id}},
            headers={"Authorization": f"Bearer {vet(world, token, 'b')}", "Accept": MULTIPART_ACCEPT},
        ) as response,
    ):
        assert response.status_code == 200, (await response.aread()).decode()
        content_type = response.headers["content-type"]
        assert content_type.startswith("multipart/mixed"), (content_type, (await response.aread()).decode())
        errors = None
        async with asyncio.timeout(8):
            async for part in multipart_parts(response):
                if part:
                    assert part["payload"].get("data") is None, part
                    errors = part["payload"]["errors"]
                    break
    assert errors is not None and [e["extensions"]["code"] for e in errors] == ["NOT_FOUND"], errors


async def test_subscription_over_server_sent_events(world: World, token: Token, live_servers: list[LiveServer]) -> None:
    staff = vet(world, token)
    log_id = await start_log(live_servers[1], staff, world.a.pets[2])
    received: list[dict[str, Any]] = []
    async with (
        httpx.AsyncClient(timeout=10) as http,
        http.stream(
            "POST",
            f"{live_servers[0].url}/graphql",
            json={"query": VITALS, "variables": {"log": log_id, "since": mark()}},
            headers={"Authorization": f"Bearer {staff}", "Accept": "text/event-stream"},
        ) as response,
    ):
        assert response.status_code == 200, (await response.aread()).decode()
        content_type = response.headers["content-type"]
        assert content_type.startswith("text/event-stream"), (content_type, (await response.aread()).decode())
        # SSE sends nothing until the first event: record after the response has started, `since` covers the race
        stored = await record(live_servers[1], staff, log_id, [{"heartRate": 71}])
        async with asyncio.timeout(8):
            event = None
            async for line in response.aiter_lines():
                if line.startswith("event:"):
                    event = line.partition(":")[2].strip()
                elif line.startswith("data:") and event == "next":
                    body = json.loads(line.partition(":")[2])
                    assert body.get("errors") is None, body
                    received.append(body["data"]["vitalsRecorded"])
                    break
    assert [v["id"] for v in received] == [stored[0]["id"]]
