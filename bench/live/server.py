"""The server under test: one `vetql serve` process, pinned, sampled for CPU and RSS, its logs kept.

Also the CPU of PostgreSQL's backends serving the bench database, and the listener
connection (found and killed through pg_stat_activity).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO

import asyncpg
import psutil

from bench.live.dataset import DB_NAME, LISTENER_APP, REPO, SECRET
from bench.server import on_every_node

WORK = Path(__file__).resolve().parent / ".work"  # server logs and profiles of the last run


def cpus() -> list[int]:
    try:
        return sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return []


@dataclass(frozen=True)
class Pinning:
    server: frozenset[int] | None
    load: frozenset[int] | None

    @staticmethod
    def plan() -> Pinning:
        available = cpus()
        if len(available) < 2:
            return Pinning(None, None)
        return Pinning(frozenset({available[0]}), frozenset({available[1]}))

    def describe(self) -> str:
        if self.server is None or self.load is None:
            return "not pinned (fewer than 2 CPUs): server and load share CPUs"
        return (
            f"server pinned to CPU {min(self.server)}, subscribers/monitors to CPU {min(self.load)}, "
            "PostgreSQL unpinned"
        )


def pin(cpu_set: frozenset[int] | None) -> None:
    if cpu_set:
        with contextlib.suppress(AttributeError, OSError):
            os.sched_setaffinity(0, cpu_set)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def cpu_seconds(procs: list[psutil.Process]) -> float:
    total = 0.0
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            t = proc.cpu_times()
            total += t.user + t.system
    return total


def rss_bytes(procs: list[psutil.Process]) -> int:
    total = 0
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            total += proc.memory_info().rss
    return total


@dataclass
class LogLine:
    at: float
    text: str


@dataclass
class Server:
    """A `vetql serve --port P` process on the bench database."""

    database_url: str
    label: str
    pinning: Pinning
    source: Path = REPO  # the tree whose `vetql serve` is measured
    port: int = field(default_factory=free_port)
    env: dict[str, str] = field(default_factory=dict)  # e.g. VETQL_BROKER
    process: subprocess.Popen[bytes] | None = None
    stderr_lines: list[LogLine] = field(default_factory=list)
    _threads: list[threading.Thread] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> None:
        WORK.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "DATABASE_URL": self.database_url, "VETQL_JWT_SECRET": SECRET, **self.env}
        server_cpus = self.pinning.server
        preexec: Callable[[], None] | None = (lambda: pin(server_cpus)) if server_cpus else None
        self.process = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--port", str(self.port)],
            cwd=self.source,  # `python -m` puts it first on sys.path, ahead of the editable install
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            preexec_fn=preexec,  # only sched_setaffinity, before exec
        )
        assert self.process.stdout is not None and self.process.stderr is not None
        self._threads = [
            threading.Thread(target=self._drain, args=(self.process.stdout, "stdout", None), daemon=True),
            threading.Thread(
                target=self._drain, args=(self.process.stderr, "stderr", self.stderr_lines), daemon=True
            ),
        ]
        for t in self._threads:
            t.start()

    def _drain(self, stream: IO[bytes], name: str, keep: list[LogLine] | None) -> None:
        path = WORK / f"server-{self.label}.{name}.log"
        with path.open("w", encoding="utf-8") as out:
            for raw in iter(stream.readline, b""):
                now = time.time()
                line = raw.decode("utf-8", "replace").rstrip("\n")
                out.write(f"{now:.3f} {line}\n")
                if keep is not None:
                    keep.append(LogLine(now, line))

    def wait_ready(self, timeout: float = 60.0) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                tail = "\n".join(line.text for line in self.stderr_lines[-30:])
                raise RuntimeError(f"vetql serve exited with {self.process.returncode}:\n{tail}")
            try:
                with urllib.request.urlopen(f"{self.base}/readyz", timeout=2) as response:  # noqa: S310 - our server
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("vetql serve did not become ready")
            time.sleep(0.1)

    def stop(self) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        for t in self._threads:
            t.join(5)
        return self.process.returncode

    def problems(self) -> list[str]:
        """Lines of the server's stderr that look like trouble (tracebacks, errors, warnings)."""
        words = ("traceback", "error", "exception", "warning", "critical", "failed")
        return [line.text for line in self.stderr_lines if any(w in line.text.lower() for w in words)]


class NatsServer:
    """`--broker nats`: Debian's nats-server on a loopback port for the whole invocation, unpinned like PostgreSQL."""

    def __init__(self) -> None:
        import shutil

        self.binary = shutil.which("nats-server") or "/usr/sbin/nats-server"
        if not os.access(self.binary, os.X_OK):
            raise SystemExit("--broker nats needs nats-server (Debian: apt-get install nats-server)")
        self.port = free_port()
        self.url = f"nats://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> NatsServer:
        WORK.mkdir(parents=True, exist_ok=True)
        with (WORK / "nats-server.log").open("wb") as log:
            self.process = subprocess.Popen([self.binary, "-a", "127.0.0.1", "-p", str(self.port)],
                                            stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.monotonic() + 10
        while True:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nats-server did not start (see {WORK / 'nats-server.log'})")
            time.sleep(0.05)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


class Sampler:
    """Samples the RSS of a process tree every `interval` seconds in a thread."""

    def __init__(self, pid: int, interval: float = 0.25) -> None:
        self.pid = pid
        self.interval = interval
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> Sampler:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.time(), rss_bytes(tree(self.pid))))
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def now(self) -> int:
        return rss_bytes(tree(self.pid))

    def peak(self, start: float, end: float) -> int:
        inside = [rss for at, rss in self.samples if start <= at <= end]
        return max(inside) if inside else self.now()


# --- PostgreSQL side -------------------------------------------------------


_BACKENDS = ("SELECT pid FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'"
             " AND pid <> pg_backend_pid()")


async def backend_pids(url: str) -> list[int]:
    """The bench database's backends: the server's and, on a Citus cluster on this machine, its workers'
    (which do the coordinator's work)."""

    async def backends(conn: asyncpg.Connection) -> list[int]:
        return [int(r["pid"]) for r in await conn.fetch(_BACKENDS, DB_NAME)]

    return [pid for node in await on_every_node(url, backends) for pid in node]


class PgCpu:
    """CPU seconds of the PostgreSQL backends serving the bench database over a window."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._start: dict[int, float] = {}

    @staticmethod
    def _times(pids: list[int]) -> dict[int, float]:
        out = {}
        for pid in pids:
            with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                t = psutil.Process(pid).cpu_times()
                out[pid] = t.user + t.system
        return out

    def begin(self) -> None:
        self._start = self._times(asyncio.run(backend_pids(self.url)))

    def end(self) -> float:
        """CPU seconds since `begin` (backends that exited meanwhile are not counted)."""
        now = self._times(asyncio.run(backend_pids(self.url)))
        return sum(t - self._start.get(pid, 0.0) for pid, t in now.items())


async def _kill_listener(url: str) -> list[int]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT pid, pg_terminate_backend(pid) AS killed FROM pg_stat_activity"
            " WHERE application_name = $1 AND datname = $2",
            LISTENER_APP,
            DB_NAME,
        )
        return [int(r["pid"]) for r in rows if r["killed"]]
    finally:
        await conn.close()


async def _listener_since(url: str, killed: list[int], wait_s: float) -> datetime | None:
    """backend_start of the listener connection that replaced the killed one(s), polling every 10 ms."""
    conn = await asyncpg.connect(url)
    try:
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            started: datetime | None = await conn.fetchval(
                "SELECT min(backend_start) FROM pg_stat_activity"
                " WHERE application_name = $1 AND datname = $2 AND NOT (pid = ANY($3::int[]))",
                LISTENER_APP,
                DB_NAME,
                killed,
            )
            if started is not None:
                return started
            await asyncio.sleep(0.01)
        return None
    finally:
        await conn.close()


@dataclass
class Kill:
    at: float  # wall time just before pg_terminate_backend
    pids: list[int]
    reconnected_at: float | None  # backend_start of the new listener connection


def kill_listener(url: str, timeout: float = 15.0) -> Kill:
    """Terminate this database's listener connection(s); wait for the server to listen again."""
    at = time.time()
    pids = asyncio.run(_kill_listener(url))
    started = asyncio.run(_listener_since(url, pids, timeout))
    return Kill(at=at, pids=pids, reconnected_at=None if started is None else started.timestamp())


# --- the rest of the machine -------------------------------------------------


def busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (all CPUs, all processes) since boot."""
    t = psutil.cpu_times()
    return float(sum(getattr(t, name, 0.0) for name in ("user", "nice", "system", "irq", "softirq", "steal")))


def wait_quiet(max_wait: float, threshold: float = 0.25, window: float = 3.0) -> tuple[float, float]:
    """Wait (up to `max_wait` s) for a `window` in which the machine is busy less than `threshold` cores.

    Returns (seconds waited, cores busy in the last window).
    """
    start = time.monotonic()
    busy = math.inf
    while True:
        b0, t0 = busy_seconds(), time.monotonic()
        time.sleep(window)
        busy = (busy_seconds() - b0) / (time.monotonic() - t0)
        if busy < threshold or time.monotonic() - start + window > max_wait:
            return time.monotonic() - start, busy
