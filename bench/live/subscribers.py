"""Subscriber processes: many `vitalsRecorded` subscriptions each, over real graphql-transport-ws WebSockets.

Each worker process (pinned to the load CPU) holds its share of the connections in one
event loop and records, for every event, its wall-clock receive time and the reading's
counter and send time (carried in `notes` as "SEQ SEND_TIME"). It talks to the
orchestrator over two queues:

    out <- ("connected", worker, ok, failed, first_errors)
    out <- ("warm", worker, subscribers that received reading 0)
    ctrl -> ("finish", {log index: last seq}, seconds without progress before giving up)
    out <- ("result", worker, [SubscriberResult, ...])
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import time
from dataclasses import dataclass, field
from multiprocessing.queues import Queue
from typing import Any

import orjson
import uvloop
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from bench.live.server import pin

SUBSCRIPTION = (
    "subscription Watch($log: ID!, $since: DateTime) {"
    " vitalsRecorded(anesthesiaLogId: $log, since: $since) { recordedAt heartRate notes } }"
)
CONNECT_CONCURRENCY = 16
# A subscribe refused as retryable before any reading arrived (the server's pool busy with 1,000 subscribes
# at once: SERVICE_UNAVAILABLE) is sent again, as a client honouring Retry-After would; with no reading
# received yet, nothing can be delivered twice.
RESUBSCRIBE_ATTEMPTS = 10
RETRYABLE = frozenset({"SERVICE_UNAVAILABLE", "TIMEOUT"})
CONNECT_ATTEMPTS = 8  # about a minute of backoff at most
DRAIN_CAP = 600.0  # seconds at most to wait for the last readings after the monitors stop


@dataclass(frozen=True)
class WorkerSpec:
    worker: int
    ws_url: str
    token: str
    since: str
    # (subscriber index, log index, log global id)
    assignments: list[tuple[int, int, str]]
    cpus: frozenset[int] | None
    compression: bool


@dataclass
class SubscriberResult:
    index: int
    log: int
    # (seq, send time from notes, receive time), in arrival order
    events: list[tuple[int, float, float]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    connected: bool = False
    close_code: int | None = None
    close_reason: str = ""
    closed_early: bool = False  # the server ended the connection or subscription before we did
    resubscribed: int = 0  # subscribes sent again after a retryable refusal


class Subscriber:
    def __init__(self, index: int, log: int, gid: str) -> None:
        self.result = SubscriberResult(index=index, log=log)
        self.gid = gid
        self.last_seq = -1
        self.ws: ClientConnection | None = None
        self.done = False
        self.closing = False  # set when we end the connection ourselves
        self.subscribe = ""

    async def run(self, spec: WorkerSpec, gate: asyncio.Semaphore, ready: asyncio.Event) -> None:
        try:
            async with gate:
                ws = await self._open(spec)
            if ws is None:
                return
            ready.set()
            await self._read(ws)
        finally:
            ready.set()
            self.done = True

    async def _open(self, spec: WorkerSpec) -> ClientConnection | None:
        for attempt in range(CONNECT_ATTEMPTS):
            ws: ClientConnection | None = None
            try:
                ws = await connect(
                    spec.ws_url,
                    subprotocols=[Subprotocol("graphql-transport-ws")],
                    compression="deflate" if spec.compression else None,
                    open_timeout=30,
                    ping_interval=None,  # the server pings at the protocol level; we answer those
                    max_queue=None,
                )
                init = {"type": "connection_init", "payload": {"authorization": f"Bearer {spec.token}"}}
                await ws.send(orjson.dumps(init).decode())
                ack = orjson.loads(await asyncio.wait_for(ws.recv(), 30))
                if ack.get("type") != "connection_ack":
                    raise RuntimeError(f"expected connection_ack, got {ack!r}")
                subscribe = {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": SUBSCRIPTION, "variables": {"log": self.gid, "since": spec.since}},
                }
                self.subscribe = orjson.dumps(subscribe).decode()
                await ws.send(self.subscribe)
            except (OSError, TimeoutError, ConnectionClosed, RuntimeError) as exc:
                self.result.errors.append(f"connect attempt {attempt + 1}: {type(exc).__name__}: {exc}")
                if ws is not None:
                    with contextlib.suppress(ConnectionClosed, OSError, TimeoutError):
                        await asyncio.wait_for(ws.close(), 5)
                # refused while the server is busy (1013 at connection_init: its pool cannot ask about
                # membership in time) or not up yet: back off with jitter as the monitor page does
                await asyncio.sleep(min(10.0, 0.5 * 2**attempt) * (0.5 + random.random()))
                continue
            self.ws = ws
            self.result.connected = True
            return ws
        return None

    async def _read(self, ws: ClientConnection) -> None:
        events = self.result.events
        refused = False
        try:
            async for raw in ws:
                received = time.time()
                msg = orjson.loads(raw)
                kind = msg.get("type")
                if kind == "next":
                    payload = msg.get("payload") or {}
                    item = (payload.get("data") or {}).get("vitalsRecorded")
                    if item is not None:
                        seq_text, _, sent_text = (item.get("notes") or "").partition(" ")
                        try:
                            seq, sent = int(seq_text), float(sent_text)
                        except ValueError:
                            self.result.errors.append(f"reading without a bench counter: {item!r}"[:500])
                        else:
                            events.append((seq, sent, received))
                            self.last_seq = max(self.last_seq, seq)
                    if payload.get("errors") and item is None and self._retryable(payload["errors"]) and not events:
                        refused = True  # the subscription's own start failed; its `complete` follows
                    elif payload.get("errors"):
                        self.result.errors.append(f"next with errors: {payload['errors']!r}"[:500])
                elif kind == "ping":
                    await ws.send('{"type":"pong"}')
                elif (kind == "error" and self._retryable(msg.get("payload")) and not events) or (
                    kind == "complete" and refused
                ):
                    refused = False
                    self.result.resubscribed += 1
                    # backoff with jitter, as the monitor page does: not all 1,000 back in the same instant
                    await asyncio.sleep(0.2 * self.result.resubscribed * (0.5 + random.random()))
                    await ws.send(self.subscribe)
                elif kind == "error":
                    self.result.errors.append(f"error: {msg.get('payload')!r}"[:500])
                    self.result.closed_early = True
                elif kind == "complete":
                    self.result.closed_early = True
                    return
        except ConnectionClosed:
            pass
        finally:
            if not self.closing:
                self.result.closed_early = True
            if ws.close_code is not None:
                self.result.close_code = ws.close_code
                self.result.close_reason = ws.close_reason or ""

    def _retryable(self, errors: Any) -> bool:
        if self.result.resubscribed >= RESUBSCRIBE_ATTEMPTS or not isinstance(errors, list):
            return False
        codes = {(e.get("extensions") or {}).get("code") for e in errors if isinstance(e, dict)}
        return bool(codes) and codes <= RETRYABLE

    async def close(self) -> None:
        self.closing = True
        ws = self.ws
        if ws is None:
            return
        with contextlib.suppress(ConnectionClosed, OSError):
            await ws.send('{"id":"1","type":"complete"}')
        with contextlib.suppress(ConnectionClosed, OSError, TimeoutError):
            await asyncio.wait_for(ws.close(), 5)


async def _worker(spec: WorkerSpec, ctrl: Queue[Any], out: Queue[Any]) -> None:
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    subs = [Subscriber(index, log, gid) for index, log, gid in spec.assignments]
    readies = [asyncio.Event() for _ in subs]
    tasks = [asyncio.create_task(s.run(spec, gate, r)) for s, r in zip(subs, readies, strict=True)]
    await asyncio.gather(*(r.wait() for r in readies))
    ok = sum(1 for s in subs if s.result.connected)
    first_errors = [e for s in subs for e in s.result.errors][:5]
    out.put(("connected", spec.worker, ok, len(subs) - ok, first_errors))

    async def report_warm() -> None:
        last = -1
        while True:
            warm = sum(1 for s in subs if s.last_seq >= 0)
            if warm != last:
                out.put(("warm", spec.worker, warm))
                last = warm
            await asyncio.sleep(0.05)

    reporter = asyncio.create_task(report_warm())
    command = await asyncio.to_thread(ctrl.get)
    reporter.cancel()
    _, expected, drain = command
    # Wait for every subscriber to have its log's last reading, as long as events keep arriving:
    # give up after `drain` seconds without any progress (or DRAIN_CAP in all).
    cap = time.monotonic() + DRAIN_CAP
    progress, idle_since = -1, time.monotonic()
    while time.monotonic() < cap:
        if all(s.done or s.last_seq >= expected.get(s.result.log, 0) for s in subs):
            break
        now_progress = sum(len(s.result.events) for s in subs)
        if now_progress != progress:
            progress, idle_since = now_progress, time.monotonic()
        elif time.monotonic() - idle_since > float(drain):
            break
        await asyncio.sleep(0.05)
    await asyncio.gather(*(s.close() for s in subs))
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    out.put(("result", spec.worker, [s.result for s in subs]))


def run_worker(spec: WorkerSpec, ctrl: Queue[Any], out: Queue[Any]) -> None:
    """Process entry point."""
    pin(spec.cpus)
    # Below the monitors in priority: their response times are the reference latency is measured
    # from, so they must not wait behind subscribers for the load CPU (subscriber delays still count).
    os.nice(5)
    uvloop.run(_worker(spec, ctrl, out))  # the server runs on uvloop too: a load generator as lean as it
