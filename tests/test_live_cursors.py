"""Cursors, state on subscribe and the operating block, from outside, with real WebSocket clients.

Every reading carries its per-log sequence (commit order) and an opaque cursor; `vitalsRecorded(after:)`
resumes exactly after it, whatever the readings' `recordedAt`; `AnesthesiaLog.vitals` pages the same
sequence with the same cursors. `anesthesiaAlarms` starts with the alarms active now, then transitions;
`surgeryEvents` does the same for the clinic's open surgeries; a log's streams complete with the log.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

from tests.conftest import LiveServer
from tests.test_live_protocols import (
    TRANSPORT_WS,
    Client,
    drain_complete,
    error_codes,
    http_data,
    record,
    start_log,
    vet,
)
from tests.world import World

Token = Callable[..., str]
Connect = Callable[..., Awaitable[Client]]

WATCH = """
subscription($log: ID!, $after: String, $since: DateTime) {
  vitalsRecorded(anesthesiaLogId: $log, after: $after, since: $since) { sequence cursor notes recordedAt }
}
"""
ALARMS = """
subscription($log: ID, $after: String) {
  anesthesiaAlarms(anesthesiaLogId: $log, after: $after) {
    transition sequence cursor isCurrentState anesthesiaLogId alarm { id kind isActive }
  }
}
"""
SURGERY = """
subscription($after: String) {
  surgeryEvents(after: $after) {
    kind sequence cursor isCurrentState anesthesiaLogId phase alarm { kind isActive }
    anesthesiaLog { procedureName completedAt }
  }
}
"""
OPEN_VITALS = "subscription { openLogVitals { anesthesiaLogId reading { sequence notes } } }"
PAGE = """
query($log: ID!, $first: Int, $after: String) {
  node(id: $log) { ... on AnesthesiaLog {
    vitals(first: $first, after: $after) { edges { cursor node { sequence cursor notes } } pageInfo { endCursor } }
  } }
}
"""
HISTORY = """
query($log: ID!) { node(id: $log) { ... on AnesthesiaLog { alarmsCursor alarms { id kind isActive } } } }
"""
PHASE = """
mutation($input: RecordAnesthesiaPhaseInput!) { recordAnesthesiaPhase(input: $input) { userErrors { code } } }
"""
COMPLETE = """
mutation($input: CompleteAnesthesiaInput!) { completeAnesthesia(input: $input) { userErrors { code } } }
"""


@pytest.fixture
async def connect_ws(live_servers: list[LiveServer]) -> AsyncIterator[Connect]:
    sockets: list[ClientConnection] = []

    async def make(staff: str, server: int = 0) -> Client:
        ws = await connect(live_servers[server].ws_url, subprotocols=[TRANSPORT_WS], open_timeout=5)  # type: ignore[list-item]
        sockets.append(ws)
        client = Client(ws, TRANSPORT_WS)
        await client.ack(staff)
        return client

    yield make
    for ws in sockets:
        await ws.close()


def field(events: list[dict[str, Any]], name: str, key: str = "vitalsRecorded") -> list[Any]:
    return [e[key][name] for e in events]


def batch(tag: str, n: int, at: str | None = None) -> list[dict[str, Any]]:
    """n readings in one call; without `recordedAt` they share one instant (the server's now)."""
    return [{"heartRate": 80 + i, "notes": f"{tag}{i}", **({"recordedAt": at} if at else {})} for i in range(n)]


async def complete(server: LiveServer, staff: str, log_id: str) -> None:
    done = await http_data(server, COMPLETE, {"input": {"anesthesiaLogId": log_id, "outcome": "NORMAL"}}, staff)
    assert done["completeAnesthesia"]["userErrors"] == []


async def page(server: LiveServer, staff: str, log_id: str, first: int, after: str | None = None) -> dict[str, Any]:
    data = await http_data(server, PAGE, {"log": log_id, "first": first, "after": after}, staff)
    vitals: dict[str, Any] = data["node"]["vitals"]
    return vitals


async def test_readings_of_a_batch_share_an_instant_but_not_a_sequence(
    connect_ws: Connect, world: World, token: Token, live_servers: list[LiveServer]
) -> None:
    staff = vet(world, token)
    log_id = await start_log(live_servers[1], staff, world.a.pets[3])
    client = await connect_ws(staff)
    await client.subscribe("v", WATCH, {"log": log_id, "after": None})
    await asyncio.sleep(0.3)
    await record(live_servers[1], staff, log_id, batch("b", 5))
    events = await client.collect("v", 5)
    assert field(events, "sequence") == [1, 2, 3, 4, 5]
    assert len(set(field(events, "recordedAt"))) == 1  # one instant, five positions
    assert len(set(field(events, "cursor"))) == 5
    stored = await page(live_servers[0], staff, log_id, 10)
    assert [e["cursor"] for e in stored["edges"]] == field(events, "cursor")  # the connection's cursors, exactly
    assert [e["node"]["cursor"] for e in stored["edges"]] == field(events, "cursor")


async def test_resuming_after_a_cursor_misses_nothing_in_a_batch_that_shares_its_instant(
    connect_ws: Connect, world: World, token: Token, live_servers: list[LiveServer]
) -> None:
    """The screen of the issue: it had readings 1-2 of a 5-reading batch, then lost its connection."""
    staff = vet(world, token)
    log_id = await start_log(live_servers[1], staff, world.a.pets[3])
    first = await connect_ws(staff)
    await first.subscribe("v", WATCH, {"log": log_id})
    await asyncio.sleep(0.3)
    await record(live_servers[1], staff, log_id, batch("b", 5))
    had = await first.collect("v", 2)
    await first.ws.close()
    # while it is away: more readings, and a monitor uploading older readings it buffered (late upload)
    await record(live_servers[0], staff, log_id, batch("c", 2))
    an_hour_ago = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    await record(live_servers[0], staff, log_id, batch("late", 2, an_hour_ago))

    again = await connect_ws(staff, 1)
    await again.subscribe("v", WATCH, {"log": log_id, "after": had[-1]["vitalsRecorded"]["cursor"]})
    await asyncio.sleep(0.2)
    await record(live_servers[0], staff, log_id, batch("d", 1))
    events = await again.collect("v", 7)
    assert field(events, "notes") == ["b2", "b3", "b4", "c0", "c1", "late0", "late1", "d0"][:7]
    assert field(events, "sequence") == list(range(3, 10))
    assert field(await again.collect("v", 1), "notes") == ["d0"]
    await again.nothing_for(0.3)


async def test_since_keeps_the_readings_taken_at_that_instant(
    connect_ws: Connect, world: World, token: Token, live_servers: list[LiveServer]
) -> None:
    """`since` is "taken at or after": resubscribing with reading 2's `recordedAt` loses none of 3-5."""
    staff = vet(world, token)
    log_id = await start_log(live_servers[1], staff, world.a.pets[3])
    at = (datetime.now(UTC) - timedelta(minutes=5)).replace(microsecond=0).isoformat()
    await record(live_servers[1], staff, log_id, [*batch("early", 1, (datetime.now(UTC) - timedelta(minutes=9))
                                                         .isoformat()), *batch("b", 5, at)])
    client = await connect_ws(staff)
    await client.subscribe("v", WATCH, {"log": log_id, "since": at})
    assert field(await client.collect("v", 5), "notes") == ["b0", "b1", "b2", "b3", "b4"]
    await client.nothing_for(0.3)


async def test_the_vitals_connection_pages_commit_order_and_hands_over_to_the_stream(
    connect_ws: Connect, world: World, token: Token, live_servers: list[LiveServer]
) -> None:
    staff = vet(world, token)
    log_id = await start_log(live_servers[1], staff, world.a.pets[3])
    await record(live_servers[1], staff, log_id, batch("a", 3))
    await record(live_servers[1], staff, log_id, batch("old", 2, (datetime.now(UTC) - timedelta(hours=2)).isoformat()))
    one = await page(live_servers[0], staff, log_id, 2)
    two = await page(live_servers[0], staff, log_id, 2, one["pageInfo"]["endCursor"])
    seen = [e["node"]["notes"] for e in one["edges"] + two["edges"]]
    assert seen == ["a0", "a1", "a2", "old0"]  # commit order: the late upload after what came before it
    # a screen that loaded history this far subscribes from its end: the rest, then live, nothing twice
    client = await connect_ws(staff)
    await client.subscribe("v", WATCH, {"log": log_id, "after": two["pageInfo"]["endCursor"]})
    await asyncio.sleep(0.2)
    await record(live_servers[1], staff, log_id, batch("z", 1))
    assert field(await client.collect("v", 2), "notes") == ["old1", "z0"]
    await client.nothing_for(0.3)


async def test_bad_cursors_and_both_resume_arguments_are_refused(
    connect_ws: Connect, world: World, token: Token, live_servers: list[LiveServer]
) -> None:
    staff = vet(world, token)
    log_id = await start_log(live_servers[1], staff, world.a.pets[3])
    client = await connect_ws(staff)
    for op, variables in (
        ("forged", {"after": "bm90LWEtY3Vyc29y"}),
        ("ahead", {"after": "Wzk5OTld"}),  # [9999]: past this log's newest reading
        ("both", {"after": "WzBd", "since": datetime.now(UTC).isoformat()}),
    ):
        await client.subscribe(op, WATCH, {"log": log_id, **variables})
        message = await client.recv()
        assert message["id"] == op and error_codes(client, message) == ["BAD_USER_INPUT"], message
        await drain_complete(client, op, message)


async def test_alarm_stream_starts_with_the_alarms_active_now_then_transitions(
    connect_ws: Connect, world: World, token: Token, live_servers: list[LiveServer]
) -> None:
    staff = vet(world, token)
    log_id = await start_log(live_servers[1], staff, world.a.pets[2])
    await record(live_servers[1], staff, log_id, [{"spo2": 92.0, "bloodPressureMean": 55}])  # two alarms
    await record(live_servers[1], staff, log_id, [{"bloodPressureMean": 75}])  # one cleared again
    history = (await http_data(live_servers[0], HISTORY, {"log": log_id}, staff))["node"]
    kinds = sorted((a["kind"], a["isActive"]) for a in history["alarms"])
    assert kinds == [("HYPOTENSION", False), ("HYPOXEMIA", True)]

    joining = await connect_ws(staff)  # a screen that joins mid-episode
    await joining.subscribe("a", ALARMS, {"log": log_id})
    state = (await joining.next_data("a"))["anesthesiaAlarms"]
    assert (state["transition"], state["alarm"]["kind"], state["isCurrentState"]) == ("RAISED", "HYPOXEMIA", True)
    await joining.nothing_for(0.3)  # the cleared one is not state; no CLEARED of an alarm it never saw
    await record(live_servers[1], staff, log_id, [{"spo2": 98.0}])
    cleared = (await joining.next_data("a"))["anesthesiaAlarms"]
    assert (cleared["transition"], cleared["alarm"]["id"], cleared["isCurrentState"]) == (
        "CLEARED", state["alarm"]["id"], False
    )
    assert cleared["sequence"] == 4

    # the history query lines up with the stream: after its cursor come exactly the transitions since
    resumed = await connect_ws(staff, 1)
    await resumed.subscribe("a", ALARMS, {"log": log_id, "after": history["alarmsCursor"]})
    event = (await resumed.next_data("a"))["anesthesiaAlarms"]
    assert (event["transition"], event["sequence"], event["isCurrentState"]) == ("CLEARED", 4, False)
    # and a stream resumed after an event's cursor: no state, just what follows
    again = await connect_ws(staff)
    await again.subscribe("a", ALARMS, {"log": log_id, "after": state["cursor"]})
    rest = list(range(state["sequence"] + 1, 5))
    assert [e["anesthesiaAlarms"]["sequence"] for e in await again.collect("a", len(rest))] == rest
    await again.nothing_for(0.3)


async def test_a_logs_streams_complete_when_the_log_is_completed(
    connect_ws: Connect, world: World, token: Token, live_servers: list[LiveServer]
) -> None:
    staff = vet(world, token)
    log_id = await start_log(live_servers[1], staff, world.a.pets[2])
    client = await connect_ws(staff)
    await client.subscribe("v", WATCH, {"log": log_id})
    await client.subscribe("a", ALARMS, {"log": log_id})
    await asyncio.sleep(0.3)
    await record(live_servers[1], staff, log_id, [{"spo2": 91.0, "notes": "last"}])
    await complete(live_servers[1], staff, log_id)
    messages = [await client.recv() for _ in range(5)]
    by_op: dict[str, list[str]] = {"v": [], "a": []}
    for m in messages:
        by_op[m["id"]].append(m["type"])
    # everything before the completion, then `complete` (the open alarm was cleared by completing)
    assert by_op == {"v": ["next", "complete"], "a": ["next", "next", "complete"]}, messages
    # subscribing to a completed log: what is asked for, then complete at once
    late = await connect_ws(staff, 1)
    await late.subscribe("v", WATCH, {"log": log_id, "after": "WzBd"})
    assert field([await late.next_data("v")], "notes") == ["last"]
    assert (await late.recv())["type"] == "complete"


async def test_surgery_events_give_the_open_surgeries_then_what_happens(
    connect_ws: Connect, world: World, token: Token, live_servers: list[LiveServer]
) -> None:
    staff = vet(world, token)
    log_id = await start_log(live_servers[1], staff, world.a.pets[1])
    at = (datetime.now(UTC) - timedelta(seconds=30)).isoformat()
    phase = await http_data(
        live_servers[1], PHASE, {"input": {"anesthesiaLogId": log_id, "phase": "INDUCTION", "at": at}}, staff
    )
    assert phase["recordAnesthesiaPhase"]["userErrors"] == []
    await record(live_servers[1], staff, log_id, [{"spo2": 89.0}])

    board = await connect_ws(staff)
    await board.subscribe("s", SURGERY, {})
    state: list[dict[str, Any]] = []
    while True:  # the state comes first, in one go, then the stream is live
        try:
            event = (await board.next_data("s", 0.8))["surgeryEvents"]
        except TimeoutError:
            break
        assert event["isCurrentState"] is True, event
        state.append(event)
    ours = [(e["kind"], e["phase"], (e["alarm"] or {}).get("kind")) for e in state if e["anesthesiaLogId"] == log_id]
    assert ours == [("LOG_OPENED", None, None), ("PHASE_RECORDED", "INDUCTION", None),
                    ("ALARM_RAISED", None, "SEVERE_HYPOXEMIA")]
    assert all(e["anesthesiaLog"]["completedAt"] is None for e in state)  # open surgeries only
    assert [e["sequence"] for e in state] == sorted(e["sequence"] for e in state)

    other = await start_log(live_servers[0], staff, world.a.pets[0])
    await complete(live_servers[0], staff, log_id)
    live = [(await board.next_data("s"))["surgeryEvents"] for _ in range(3)]
    assert [(e["kind"], e["anesthesiaLogId"], e["isCurrentState"]) for e in live] == [
        ("LOG_OPENED", other, False), ("LOG_COMPLETED", log_id, False), ("ALARM_CLEARED", log_id, False)
    ]
    assert [e["sequence"] for e in live] == list(range(state[-1]["sequence"] + 1, state[-1]["sequence"] + 4))

    # resuming after the first live event's cursor: the two after it, nothing else, then live
    resumed = await connect_ws(staff, 1)
    await resumed.subscribe("s", SURGERY, {"after": live[0]["cursor"]})
    again = [(await resumed.next_data("s"))["surgeryEvents"]["sequence"] for _ in range(2)]
    assert again == [e["sequence"] for e in live[1:]]
    await complete(live_servers[1], staff, other)
    assert (await resumed.next_data("s"))["surgeryEvents"]["kind"] == "LOG_COMPLETED"
    await board.next_data("s")


async def test_every_open_logs_vitals_in_one_subscription(
    connect_ws: Connect, world: World, token: Token, live_servers: list[LiveServer]
) -> None:
    staff = vet(world, token)
    before = await start_log(live_servers[1], staff, world.a.pets[1])
    client = await connect_ws(staff)
    await client.subscribe("o", OPEN_VITALS, {})
    other_clinic = await connect_ws(vet(world, token, "b"))
    await other_clinic.subscribe("o", OPEN_VITALS, {})
    await asyncio.sleep(0.3)
    after = await start_log(live_servers[1], staff, world.a.pets[0])  # opened while subscribed
    await record(live_servers[0], staff, before, batch("x", 2))
    await record(live_servers[1], staff, after, batch("y", 1))
    await record(live_servers[0], staff, before, batch("z", 1))
    got: dict[str, list[str]] = {}
    for _ in range(4):
        event = (await client.next_data("o"))["openLogVitals"]
        got.setdefault(event["anesthesiaLogId"], []).append(event["reading"]["notes"])
    assert got == {before: ["x0", "x1", "z0"], after: ["y0"]}
    await client.nothing_for(0.3)
    await other_clinic.nothing_for(0.01)
