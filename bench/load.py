"""The load generator: a separate process that keeps C requests in flight for N seconds.

`run(spec)` (in the orchestrating process) starts `python -m bench.load`
pinned to the load generator's CPU, hands it the spec as JSON on stdin and
reads the result as JSON from stdout.

The client is plain asyncio streams over keep-alive HTTP/1.1 (on uvloop when
installed): a pre-built request, a header scan for Content-Length, one
readexactly for the body. It costs a fraction of what a full HTTP client
costs per request, so one core of it saturates a server on the other core;
the generator's own CPU time is measured and reported so that stays checked.
Every response is verified: HTTP 200, valid JSON, no `errors`, and the
expected number of items (pets, appointments; 1 for the single pet). A request counts when it completes inside the
timed window (wherever it started), so throughput, latencies and CPU per
request stay unbiased when latencies are long. Server and PostgreSQL CPU
time are read by the generator itself at the exact edges of that window.
"""

from __future__ import annotations

import asyncio
import math
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import orjson

from bench.query import count_at
from bench.server import REPO, backend_cpu, backend_cpu_delta, tree_cpu_seconds


@dataclass(frozen=True)
class LoadSpec:
    url: str  # http://host:port/path
    body: str  # the JSON request body
    headers: dict[str, str]
    concurrency: int
    duration: float  # seconds timed
    warmup: float  # seconds run before timing starts, not recorded
    expect_items: int  # items at items_path in every response (a list's length; 1 for an object)
    items_path: tuple[str, ...]
    server_pid: int
    postmaster_pids: tuple[int, ...]  # the database's servers here (a Citus cluster's nodes); () if elsewhere
    database: str
    cpus: tuple[int, ...] | None = None


@dataclass
class LoadResult:
    concurrency: int
    warmup_seconds: float  # as run: at least the spec's, until every connection had a response
    requests: int
    seconds: float
    failures: int
    failure_sample: str | None
    server_cpu_seconds: float
    db_cpu_seconds: float | None
    generator_cpu_seconds: float
    response_bytes: int
    latencies_ms: list[float] = field(repr=False)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    def percentile(self, q: float) -> float:
        """Nearest-rank percentile of the latencies, in ms."""
        if not self.latencies_ms:
            return math.nan
        ordered = sorted(self.latencies_ms)
        return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]

    def per_request_ms(self, seconds: float | None) -> float | None:
        if seconds is None or not self.requests:
            return None
        return seconds * 1000 / self.requests

    @property
    def generator_busy(self) -> float:
        """Share of one CPU the generator used during the window (near 1.0: it may be the bottleneck)."""
        return self.generator_cpu_seconds / self.seconds if self.seconds > 0 else 0.0


def run(spec: LoadSpec) -> LoadResult:
    """Drive one load run in a separate (pinned) process and return what it measured."""
    cpus = ",".join(str(c) for c in spec.cpus or ())
    argv = [sys.executable, "-m", "bench.pin", cpus, "--", sys.executable, "-m", "bench.load"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        argv, input=orjson.dumps(asdict(spec)), capture_output=True, cwd=REPO, env=env,
        timeout=spec.warmup + spec.duration + 300,
    )
    if done.returncode != 0:
        raise SystemExit(f"bench: load generator failed ({done.returncode}):\n{done.stderr.decode(errors='replace')}")
    raw = orjson.loads(done.stdout)
    return LoadResult(**raw)


# ---------------------------------------------------------------- in the generator process


class _Connection:
    """One keep-alive HTTP/1.1 connection that sends the same request again and again."""

    def __init__(self, host: str, port: int, request: bytes) -> None:
        self.host = host
        self.port = port
        self.request = request
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.close()
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port, limit=1 << 20)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def send(self) -> tuple[int, bytes]:
        if self.writer is None:
            await self.open()
        assert self.reader is not None and self.writer is not None
        self.writer.write(self.request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        lower = head.lower()
        at = lower.find(b"\r\ncontent-length:")
        if at >= 0:
            end = lower.index(b"\r\n", at + 2)
            body = await self.reader.readexactly(int(lower[at + 17 : end]))
        elif b"\r\ntransfer-encoding: chunked" in lower:
            body = await self._chunked()
        else:
            body = await self.reader.read()
            self.close()
            return status, body
        if b"\r\nconnection: close" in lower:
            self.close()
        return status, body

    async def _chunked(self) -> bytes:
        assert self.reader is not None
        parts: list[bytes] = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)


def _problem(status: int, body: bytes, spec: LoadSpec) -> str | None:
    """What is wrong with a response, or None when it is the expected answer."""
    if status != 200:
        return f"HTTP {status}: {body[:300]!r}"
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        return f"not JSON: {body[:300]!r}"
    if isinstance(document, dict) and document.get("errors"):
        return f"GraphQL errors: {orjson.dumps(document['errors'])[:300]!r}"
    try:
        found = count_at(document, spec.items_path)
    except ValueError as exc:
        return str(exc)
    if found != spec.expect_items:
        return f"expected {spec.expect_items} items at {'.'.join(spec.items_path)}, got {found}"
    return None


def _request_bytes(spec: LoadSpec, host: str, port: int, path: str) -> bytes:
    body = spec.body.encode()
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}", "Content-Type: application/json",
             "Accept: application/json", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in spec.headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _drive(spec: LoadSpec) -> LoadResult:
    from urllib.parse import urlsplit

    parts = urlsplit(spec.url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    request = _request_bytes(spec, host, port, parts.path or "/")
    connections = [_Connection(host, port, request) for _ in range(spec.concurrency)]
    await asyncio.gather(*(c.open() for c in connections))

    clock = time.perf_counter
    began = clock()
    window = {"start": math.inf, "end": math.inf}  # set once warm: see `timer`
    warm = [False] * len(connections)  # each connection has completed a request
    all_warm = asyncio.Event()
    latencies: list[float] = []
    state: dict[str, Any] = {"failures": 0, "sample": None, "bytes": 0}
    snapshot: dict[str, Any] = {}

    def fail(problem: str) -> None:
        state["failures"] += 1
        state["sample"] = state["sample"] or problem

    def answered(index: int) -> None:
        if not warm[index]:
            warm[index] = True
            if all(warm):
                all_warm.set()

    async def worker(index: int, conn: _Connection) -> None:
        while clock() < window["end"]:
            started = clock()
            try:
                status, body = await conn.send()
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
                conn.close()
                fail(f"{type(exc).__name__}: {exc}")
                answered(index)
                await asyncio.sleep(0.05)
                continue
            finished = clock()
            problem = _problem(status, body, spec)
            if problem is not None:
                fail(problem)
            elif window["start"] <= finished < window["end"]:
                latencies.append((finished - started) * 1000)
                state["bytes"] = len(body)
            answered(index)

    def read_cpu() -> tuple[float, dict[int, float], float]:
        return (tree_cpu_seconds(spec.server_pid), backend_cpu(spec.postmaster_pids, spec.database),
                time.process_time())

    async def timer() -> None:
        # The window opens after the warm-up, and not before every connection has had a response:
        # a slow server at high concurrency would otherwise start timing mid-way through its first round.
        await asyncio.sleep(spec.warmup)
        await all_warm.wait()
        now = clock()
        window["start"], window["end"] = now, now + spec.duration
        snapshot["start"] = (now, read_cpu())
        await asyncio.sleep(max(0.0, window["end"] - clock()))
        snapshot["end"] = (clock(), read_cpu())

    await asyncio.gather(timer(), *(worker(i, c) for i, c in enumerate(connections)))
    for conn in connections:
        conn.close()
    return _result(spec, began, snapshot, state, latencies)


def _result(spec: LoadSpec, began: float, snapshot: dict[str, Any], state: dict[str, Any],
            latencies: list[float]) -> LoadResult:
    """The timed window's figures from the CPU read at both ends of it."""
    started_at, (server_before, db_before, own_before) = snapshot["start"]
    ended_at, (server_after, db_after, own_after) = snapshot["end"]
    db_seconds = backend_cpu_delta(db_before, db_after) if spec.postmaster_pids else None
    return LoadResult(
        warmup_seconds=started_at - began,
        concurrency=spec.concurrency,
        requests=len(latencies),
        seconds=ended_at - started_at,
        failures=state["failures"],
        failure_sample=state["sample"],
        server_cpu_seconds=server_after - server_before,
        db_cpu_seconds=db_seconds,
        generator_cpu_seconds=own_after - own_before,
        response_bytes=state["bytes"],
        latencies_ms=latencies,
    )


def main() -> int:
    raw = orjson.loads(sys.stdin.buffer.read())
    raw["items_path"] = tuple(raw["items_path"])
    raw["cpus"] = tuple(raw["cpus"]) if raw.get("cpus") else None
    spec = LoadSpec(**raw)
    try:
        import uvloop
    except ImportError:
        result = asyncio.run(_drive(spec))
    else:
        result = uvloop.run(_drive(spec))
    sys.stdout.buffer.write(orjson.dumps(asdict(result)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
