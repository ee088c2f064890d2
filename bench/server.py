"""Servers under test as subprocesses: start, wait for readiness, measure, stop.

Also where CPU pinning is decided and where the CPU time of a process tree
(the server's) and of PostgreSQL's backends for the bench database is read.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

import asyncpg
import psutil

from db import citus

T = TypeVar("T")
REPO = Path(__file__).resolve().parent.parent
WORK = REPO / "bench" / ".work"  # logs of the servers; gitignored


@dataclass(frozen=True)
class Pinning:
    """Which CPUs the server under test and the load generator may use (None: any)."""

    server: frozenset[int] | None
    load: frozenset[int] | None

    @staticmethod
    def plan(enabled: bool = True) -> Pinning:
        try:
            cpus = sorted(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            return Pinning(None, None)
        if not enabled or len(cpus) < 2:
            return Pinning(None, None)
        return Pinning(frozenset({cpus[-1]}), frozenset({cpus[0]}))

    def describe(self) -> str:
        if self.server is None or self.load is None:
            return "not pinned (fewer than 2 CPUs available, or --no-pin): server and load generator share CPUs"
        return (
            f"server pinned to CPU {_cpus(self.server)}, load generator to CPU {_cpus(self.load)}; "
            "PostgreSQL unpinned"
        )


def _cpus(cpus: frozenset[int] | None) -> str:
    return ",".join(str(c) for c in sorted(cpus or ()))


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex((host, port)) != 0


def tree(pid: int) -> list[psutil.Process]:
    """The process and all its descendants that still exist."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process tree so far."""
    total = 0.0
    for proc in tree(pid):
        try:
            t = proc.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def tree_rss_bytes(pid: int) -> int:
    total = 0
    for proc in tree(pid):
        with contextlib.suppress(psutil.NoSuchProcess):
            total += proc.memory_info().rss
    return total


def backend_cpu(postmasters: Sequence[int], database: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend connected to `database` (by process title) under any of
    `postmasters`: one server's, or a Citus cluster's nodes on this machine, whose workers' backends do the
    coordinator's work."""
    found: dict[int, float] = {}
    needle = f" {database} "
    for postmaster in postmasters:
        try:
            children = psutil.Process(postmaster).children()
        except psutil.NoSuchProcess:
            continue
        for proc in children:
            try:
                if needle in " ".join(proc.cmdline()) + " ":
                    t = proc.cpu_times()
                    found[proc.pid] = t.user + t.system
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass
    return found


def backend_cpu_delta(before: Mapping[int, float], after: Mapping[int, float]) -> float:
    """CPU the backends spent between two readings (backends that started in between count whole)."""
    return sum(max(0.0, t - before.get(pid, 0.0)) for pid, t in after.items())


async def on_every_node(url: str, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> list[T]:
    """`work` on a connection to `url`'s database on its server and, on a Citus coordinator, on each worker
    (the same user and database): the server's answer first."""
    conn = await asyncpg.connect(url)
    try:
        found = [await work(conn)]
        workers = [(host, port) for host, port, coordinator in await citus.nodes(conn) if not coordinator]
    finally:
        await conn.close()
    parts = urlsplit(url)
    for host, port in workers:
        node = await asyncpg.connect(host=host, port=port, user=parts.username or "postgres",
                                     database=parts.path.lstrip("/"))
        try:
            found.append(await work(node))
        finally:
            await node.close()
    return found


async def local_postmasters(url: str, database: str) -> tuple[int, ...]:
    """The postmasters on this machine of the server at `url` and, on a Citus coordinator, of its workers
    (empty when a node is elsewhere: its CPU cannot be read from here)."""

    async def postmaster(conn: asyncpg.Connection) -> int | None:
        return local_postmaster(await conn.fetchval("SELECT pg_backend_pid()"), database)

    found = await on_every_node(url, postmaster)
    if None in found:
        return ()  # a node elsewhere: CPU of part of the cluster would read as the whole
    return tuple(p for p in found if p is not None)


def local_postmaster(backend_pid: int, database: str) -> int | None:
    """The postmaster of a backend we are connected to, if that server runs on this machine."""
    try:
        backend = psutil.Process(backend_pid)
        if f" {database} " not in " ".join(backend.cmdline()) + " ":
            return None  # not our backend: the server is elsewhere
        return int(backend.ppid())
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None


class ServerProcess:
    """One server under test, run as `python -m bench.pin CPUS -- COMMAND`, logging to bench/.work/."""

    def __init__(
        self,
        name: str,
        command: list[str],
        *,
        port: int,
        env: Mapping[str, str],
        cpus: frozenset[int] | None,
        ready_path: str = "/readyz",
    ) -> None:
        self.name = name
        self.command = command
        self.port = port
        self.env = dict(env)
        self.cpus = cpus
        self.ready_path = ready_path
        self.log_path = WORK / f"{name.lower().replace(' ', '-')}.log"
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        if self._proc is None:
            raise RuntimeError(f"{self.name} is not running")
        return self._proc.pid

    def start(self, timeout: float = 180.0) -> ServerProcess:
        if not port_free(self.port):
            raise SystemExit(f"bench: port {self.port} is in use; stop whatever listens there ({self.name})")
        WORK.mkdir(parents=True, exist_ok=True)
        env = {**self.env, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), self.env.get("PYTHONPATH")]))}
        argv = [sys.executable, "-m", "bench.pin", _cpus(self.cpus), "--", *self.command]
        print(f"==> starting {self.name}: {' '.join(self.command)} (log: {self.log_path.relative_to(REPO)})",
              flush=True)
        with self.log_path.open("wb") as log:
            # cwd: bench/.work, so no developer `.env` leaks into the server's settings.
            self._proc = subprocess.Popen(argv, cwd=WORK, env=env, stdout=log, stderr=subprocess.STDOUT)
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        url = f"http://127.0.0.1:{self.port}{self.ready_path}"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self._proc is not None
            if self._proc.poll() is not None:
                raise SystemExit(f"bench: {self.name} exited with {self._proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        self.stop()
        raise SystemExit(f"bench: {self.name} not ready at {url} after {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            for child in tree(proc.pid)[1:]:
                child.kill()
            proc.kill()
            proc.wait()


class PeakRss:
    """Samples a process tree's resident memory in the background; `peak` is the largest sum seen."""

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        self._pid = pid
        self._interval = interval
        self._stop = threading.Event()
        self.peak = tree_rss_bytes(pid)
        self._thread = threading.Thread(target=self._run, name="peak-rss", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.peak = max(self.peak, tree_rss_bytes(self._pid))

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, tree_rss_bytes(self._pid))
