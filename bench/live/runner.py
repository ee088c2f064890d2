"""One scenario end to end: fresh logs, a fresh server, subscriber processes, monitors, figures."""

from __future__ import annotations

import asyncio
import math
import multiprocessing as mp
import os
import queue
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from multiprocessing.context import SpawnProcess
from multiprocessing.queues import Queue
from pathlib import Path
from typing import Any

import psutil

from bench.live import analysis, profile
from bench.live.dataset import SECRET, Clinic, Logs, now_iso, open_logs
from bench.live.monitors import (
    IngestResult,
    IngestSpec,
    MonitorResult,
    MonitorSpec,
    Reading,
    run_ingest,
    run_monitors,
    warm_up,
)
from bench.live.server import (
    WORK,
    Kill,
    PgCpu,
    Pinning,
    Sampler,
    Server,
    busy_seconds,
    cpu_seconds,
    kill_listener,
    tree,
    wait_quiet,
)
from bench.live.subscribers import DRAIN_CAP, SubscriberResult, WorkerSpec, run_worker
from server.auth import sign
from server.settings import Settings

MIB = 1024 * 1024
START_LEAD = 3.0  # seconds between spawning the load process and its first request


@dataclass(frozen=True)
class Options:
    duration: float
    pinning: Pinning
    compression: bool
    profile: bool
    workers: int | None  # subscriber processes; None: one per 250 subscribers, 2 to 8
    source: Path
    wait_quiet: float = 0.0  # seconds to wait at most for an idle machine before each run
    ingest_under_load: float = 0.0  # seconds of batch ingest into the watched logs after the 1 Hz window
    ingest_tasks: int = 4
    ingest_batch: int = 100
    drain: float = 15.0
    # Monitors (and ingest) post to a second `vetql serve` on the load CPU, as a deployment with more than
    # one process would: the measured server then only delivers (each reading arrives by NOTIFY).
    writer_server: bool = False
    logs: int = 50  # open anesthesia logs the subscribers are spread over, one monitor each
    rate: float = 1.0  # readings per second per log
    broker: str = "postgres"  # the servers' VETQL_BROKER: "postgres" or a nats:// URL (`--broker nats`)
    broker_pid: int | None = None  # the nats-server's process, whose CPU is reported beside PostgreSQL's

    @property
    def server_env(self) -> dict[str, str]:
        return {"VETQL_BROKER": self.broker}


def token(clinic: Clinic) -> str:
    settings = Settings(jwt_secret=SECRET, data_dir=WORK)
    return sign(settings, sub=clinic.vet, tenant_id=clinic.tenant, role="vet", ttl=timedelta(hours=6))


class Mailbox:
    """The orchestrator's end of the processes' shared result queue."""

    def __init__(self, box: Queue[Any]) -> None:
        self.box = box
        self.connected: dict[int, tuple[int, int, list[str]]] = {}
        self.warm: dict[int, int] = {}
        self.results: dict[int, list[SubscriberResult]] = {}
        self.monitors: MonitorResult | None = None
        self.ingest: IngestResult | None = None

    def pump(self, done: Callable[[], bool], timeout: float, what: str, procs: list[SpawnProcess]) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() > deadline:
                raise TimeoutError(f"timed out waiting for {what}")
            dead = [p for p in procs if p.exitcode not in (None, 0)]
            if dead:
                raise RuntimeError(f"a load process died (exit {dead[0].exitcode}) while waiting for {what}")
            try:
                message = self.box.get(timeout=0.1)
            except queue.Empty:
                continue
            kind = message[0]
            if kind == "connected":
                self.connected[message[1]] = (message[2], message[3], message[4])
            elif kind == "warm":
                self.warm[message[1]] = message[2]
            elif kind == "result":
                self.results[message[1]] = message[2]
            elif kind == "monitors":
                self.monitors = message[1]
            elif kind == "ingest":
                self.ingest = message[1]


def _sleep_until(at: float) -> None:
    delay = at - time.time()
    if delay > 0:
        time.sleep(delay)


def _cpu(pids: list[int]) -> float:
    procs = []
    for pid in pids:
        try:
            procs.append(psutil.Process(pid))
        except psutil.NoSuchProcess:
            continue
    return cpu_seconds(procs)


def _quiet(options: Options) -> dict[str, float]:
    if options.wait_quiet <= 0:
        return {}
    waited, busy = wait_quiet(options.wait_quiet)
    print(f"    machine busy {busy:.2f} cores before the run (waited {waited:.0f} s for quiet)", flush=True)
    return {"waited_s": round(waited, 1), "busy_cores_before": round(busy, 3)}


def _machine(busy: float, wall: float, ours: float) -> dict[str, float]:
    """Busy cores on the whole machine over the window, and what is not ours (other users' load)."""
    return {
        "busy_cores": round(busy / wall, 3),
        "other_cores": round(max(0.0, busy - ours) / wall, 3),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def _problems(server: Server, since: float) -> dict[str, Any]:
    lines = [line for line in server.stderr_lines if line.at >= since]
    words = ("traceback", "error", "exception", "warning", "critical", "failed")
    flagged = [line.text for line in lines if any(w in line.text.lower() for w in words)]
    return {"stderr_lines": len(lines), "flagged": len(flagged), "examples": flagged[:10]}


@dataclass(frozen=True)
class _Cpu:
    """CPU seconds used so far by each side (the writer 0 without a writer server) and by the whole machine."""

    server: float
    writer: float
    load: float
    machine: float
    broker: float = 0.0  # the nats-server (`--broker nats`)

    @classmethod
    def now(cls, server: Server, writer: Server, load_pids: list[int], broker_pid: int | None = None) -> _Cpu:
        return cls(
            server=cpu_seconds(tree(server.pid)),
            writer=cpu_seconds(tree(writer.pid)) if writer is not server else 0.0,
            load=_cpu(load_pids),
            machine=busy_seconds(),
            broker=_cpu([broker_pid]) if broker_pid is not None else 0.0,
        )


@dataclass(frozen=True)
class _Window:
    """What was measured over the monitors' window [t0, t1]."""

    t0: float
    t1: float
    wall: float
    before: _Cpu
    after: _Cpu
    pg_cpu: float
    rss_t0: int
    rss_t1: int
    killed: Kill | None
    spy: subprocess.Popen[bytes] | None
    spy_path: Path

    def used(self, side: str) -> float:
        """CPU seconds `side` (a field of _Cpu) used over the window."""
        used: float = getattr(self.after, side) - getattr(self.before, side)
        return used

    def cores(self, side: str) -> float:
        return round(self.used(side) / self.wall, 3)


@dataclass(frozen=True)
class _Connected:
    workers: int
    ctrls: list[Queue[Any]]
    subscribers: int  # connected ones
    seconds: float
    errors: list[str]


def _start_subscribers(ctx: Any, box: Queue[Any], mailbox: Mailbox, server: Server, tok: str, logs: Logs,
                       subscribers: int, options: Options, procs: list[SpawnProcess]) -> _Connected:
    """Subscriber processes, each holding an even share of subscribers spread evenly over the logs;
    returns when every process has reported its connections."""
    n_logs = len(logs.ids)
    n_workers = options.workers or max(2, min(8, math.ceil(subscribers / 250)))
    shares: list[list[tuple[int, int, str]]] = [[] for _ in range(n_workers)]
    for i in range(subscribers):
        shares[i % n_workers].append((i, i % n_logs, logs.global_ids[i % n_logs]))
    ctrls: list[Queue[Any]] = []
    for w, share in enumerate(shares):
        ctrl: Queue[Any] = ctx.Queue()
        spec = WorkerSpec(w, server.ws_url, tok, now_iso(logs.opened_at), share, options.pinning.load,
                          options.compression)
        proc = ctx.Process(target=run_worker, args=(spec, ctrl, box), name=f"bench-sub-{w}", daemon=True)
        proc.start()
        procs.append(proc)
        ctrls.append(ctrl)
    t_connect = time.time()
    mailbox.pump(lambda: len(mailbox.connected) == n_workers, 60 + subscribers / 20, "connections", procs)
    return _Connected(
        workers=n_workers,
        ctrls=ctrls,
        subscribers=sum(ok for ok, _, _ in mailbox.connected.values()),
        seconds=time.time() - t_connect,
        errors=[e for _, _, errs in mailbox.connected.values() for e in errs][:5],
    )


def _monitor_window(clinic: Clinic, server: Server, writer: Server, tok: str, logs: Logs, options: Options,
                    ctx: Any, box: Queue[Any], procs: list[SpawnProcess], sampler: Sampler, *, kill: bool,
                    label: str) -> _Window:
    """Monitors at 1 Hz per log over [t0, t1], with CPU and memory read at both ends; the listener
    killed halfway through when asked."""
    t0 = time.time() + START_LEAD
    t1 = t0 + options.duration
    # Above 10 Hz a monitor uploads every 0.1 s what it measured meanwhile, as fast monitors do.
    batch = max(1, round(options.rate / 10))
    mspec = MonitorSpec(writer.base, tok, list(logs.global_ids), t0, options.duration, 1, batch / options.rate,
                        options.pinning.load, batch)
    mon = ctx.Process(target=run_monitors, args=(mspec, box), name="bench-monitors", daemon=True)
    mon.start()
    procs.append(mon)
    load_pids = [p.pid for p in procs if p.pid is not None]
    pg = PgCpu(clinic.url)
    _sleep_until(t0)
    before = _Cpu.now(server, writer, load_pids, options.broker_pid)
    pg.begin()
    rss_t0 = sampler.now()
    spy_path = WORK / f"profile-{label}.txt"
    spy = profile.start(server.pid, options.duration - 1, spy_path) if options.profile else None
    killed = None
    if kill:
        _sleep_until(t0 + options.duration / 2)
        killed = kill_listener(clinic.url)
    _sleep_until(t1)
    after = _Cpu.now(server, writer, load_pids, options.broker_pid)
    pg_cpu = pg.end()
    rss_t1 = sampler.now()
    return _Window(t0=t0, t1=t1, wall=time.time() - t0, before=before, after=after, pg_cpu=pg_cpu,
                   rss_t0=rss_t0, rss_t1=rss_t1, killed=killed, spy=spy, spy_path=spy_path)


def _last_seq(readings: list[Reading], last: dict[int, int]) -> None:
    """Raise each log's highest recorded sequence number in `last` to the readings' (the ones that succeeded)."""
    for r in readings:
        if r.ok:
            last[r.log] = max(last.get(r.log, 0), r.seq)


def _expected(subs: list[SubscriberResult], readings: list[Reading]) -> int:
    """Events the subscribers should have had: each one's log's successful readings."""
    per_log: dict[int, int] = {}
    for r in readings:
        if r.ok:
            per_log[r.log] = per_log.get(r.log, 0) + 1
    return sum(per_log.get(s.log, 0) for s in subs)


@dataclass(frozen=True)
class _Gathered:
    """What one subscribers run measured, before it is turned into figures."""

    subscribers: int
    logs: Logs
    server: Server
    writer: Server  # the server itself without a writer server
    started: float
    exit_code: int | None
    sampler: Sampler
    rss_idle: int
    rss_connected: int
    connected: _Connected
    window: _Window
    monitors: MonitorResult
    readings: list[Reading]  # reading 0 of every log, then the monitors'
    ingest: dict[str, Any] | None
    ingest_readings: list[Reading]
    drained_s: float  # end of the monitors' window until every subscriber had everything
    subs: list[SubscriberResult]
    profile_top: dict[str, Any] | None


def subscribers_run(clinic: Clinic, subscribers: int, options: Options, *, kill: bool, label: str) -> dict[str, Any]:
    """N subscribers spread over the logs, a monitor per log at the rate for the duration; optionally a kill."""
    quiet = _quiet(options)
    run = _gather(clinic, subscribers, options, kill=kill, label=label)
    return _figures(run, options, quiet, kill=kill, label=label)


def _gather(clinic: Clinic, subscribers: int, options: Options, *, kill: bool, label: str) -> _Gathered:
    """Start the server(s) and the subscriber, monitor and ingest processes, measure, stop everything."""
    logs: Logs = open_logs(clinic, label)
    tok = token(clinic)
    server = Server(clinic.url, label, options.pinning, options.source, env=options.server_env)
    ctx = mp.get_context("spawn")
    box: Queue[Any] = ctx.Queue()
    mailbox = Mailbox(box)
    procs: list[SpawnProcess] = []
    started = time.time()
    server.start()
    writer = server
    if options.writer_server:
        writer = Server(clinic.url, f"{label}-writer", Pinning(options.pinning.load, options.pinning.load),
                        options.source, env=options.server_env)
        writer.start()
    try:
        server.wait_ready()
        writer.wait_ready()
        sampler = Sampler(server.pid).start()
        time.sleep(1.0)
        rss_idle = sampler.now()
        connected = _start_subscribers(ctx, box, mailbox, server, tok, logs, subscribers, options, procs)

        # Reading 0 on every log: when every subscriber has it, every subscription is live.
        warm = asyncio.run(warm_up(writer.base, tok, list(logs.global_ids)))
        mailbox.pump(lambda: sum(mailbox.warm.values()) >= connected.subscribers, 60,
                     "warm-up reading at every subscriber", procs)
        time.sleep(1.0)
        rss_connected = sampler.now()

        window = _monitor_window(clinic, server, writer, tok, logs, options, ctx, box, procs, sampler,
                                 kill=kill, label=label)
        mailbox.pump(lambda: mailbox.monitors is not None, 180, "the monitors", procs)
        assert mailbox.monitors is not None
        readings = [*warm, *mailbox.monitors.readings]
        last: dict[int, int] = {}
        _last_seq(readings, last)
        ingest: dict[str, Any] | None = None
        ingest_readings: list[Reading] = []
        if options.ingest_under_load > 0 and not kill:
            ingest, ingest_readings = _ingest_while_watched(
                server, writer, tok, logs, last, options, ctx, box, mailbox, procs
            )
            _last_seq(ingest_readings, last)
        for ctrl in connected.ctrls:
            ctrl.put(("finish", last, options.drain))
        mailbox.pump(lambda: len(mailbox.results) == connected.workers, DRAIN_CAP + 120, "subscriber results",
                     procs)
        drained_s = time.time() - window.t1
        for proc in procs:
            proc.join(10)
        sampler.stop()
        profile_top = None
        if window.spy is not None:
            window.spy.wait(30)
            profile_top = profile.top(window.spy_path)
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.kill()
        code = server.stop()
        if writer is not server:
            writer.stop()
    return _Gathered(
        subscribers=subscribers, logs=logs, server=server, writer=writer, started=started, exit_code=code,
        sampler=sampler, rss_idle=rss_idle, rss_connected=rss_connected, connected=connected, window=window,
        monitors=mailbox.monitors, readings=readings, ingest=ingest, ingest_readings=ingest_readings,
        drained_s=drained_s, subs=[s for w in sorted(mailbox.results) for s in mailbox.results[w]],
        profile_top=profile_top,
    )


def _figures(run: _Gathered, options: Options, quiet: dict[str, float], *, kill: bool, label: str) -> dict[str, Any]:
    """The run's JSON: deliveries and their latency, integrity, and the server's CPU and memory."""
    subs, w = run.subs, run.window
    from_response, from_send, timeline = analysis.latencies(subs, run.readings)
    delivered = len(from_response)  # events of the 1 Hz monitors' readings (not reading 0, not ingest)
    result: dict[str, Any] = {
        "scenario": "kill-listener" if kill else "steady",
        "label": label,
        "subscribers": run.subscribers,
        "logs": len(run.logs.ids),
        "rate_hz": options.rate,
        "duration_s": options.duration,
        "subscriber_processes": run.connected.workers,
        "compression": options.compression,
        "connected": run.connected.subscribers,
        "connect_s": round(run.connected.seconds, 2),
        "connect_errors": run.connected.errors,
        "readings_recorded": sum(1 for r in run.monitors.readings if r.ok),
        "events_expected": _expected(subs, run.monitors.readings),
        "events_delivered": delivered,
        "events_per_s": round(delivered / options.duration, 1),
        "latency_ms": {
            "reported": "receive wall time - wall time the recordVitals response was read (commit is before it)",
            "from_response": analysis.summary_ms(from_response),
            "from_send": analysis.summary_ms(from_send),
            "negative_from_response": sum(1 for x in from_response if x < 0),
        },
        "integrity": analysis.integrity(subs, [*run.readings, *run.ingest_readings]),
        "closed_early": sum(1 for s in subs if s.closed_early),
        "drain_s": round(run.drained_s, 1),
        "subscriber_errors": [e for s in subs for e in s.errors][:5],
        "server": _server_figures(run),
        "writer_server": (
            {"cpu_cores": w.cores("writer"), "stderr": _problems(run.writer, run.started)}
            if run.writer is not run.server
            else None
        ),
        "postgres_cpu_cores": round(w.pg_cpu / w.wall, 3),
        "broker": "postgres" if options.broker == "postgres" else "nats",
        "broker_cpu_cores": w.cores("broker"),
        "load_cpu_cores": w.cores("load"),
        "machine": {
            **quiet,
            **_machine(w.used("machine"), w.wall,
                       w.used("server") + w.used("writer") + w.used("load") + w.used("broker") + w.pg_cpu),
        },
        "monitors": {
            **analysis.mutation_summary(run.monitors.readings),
            "late_ticks": run.monitors.late_ticks,
            "skipped_ticks": run.monitors.skipped_ticks,
        },
    }
    if run.ingest is not None:
        lat, _, _ = analysis.latencies(subs, run.ingest_readings)
        run.ingest["latency_ms"] = analysis.summary_ms(lat)
        run.ingest["integrity"] = analysis.integrity(subs, run.ingest_readings)
        run.ingest["events_delivered"] = len(lat)
        run.ingest["events_expected"] = _expected(subs, run.ingest_readings)
        result["ingest_while_watched"] = run.ingest
    if w.killed is not None:
        result["kill"] = _kill_figures(run.server, timeline, run.readings, w.killed)
    if run.profile_top is not None:
        result["profile"] = {"file": str(w.spy_path), **run.profile_top}
    return result


def _server_figures(run: _Gathered) -> dict[str, Any]:
    """The measured server's CPU over the window and its memory idle, connected and through the window."""
    w, sampler, idle, connected = run.window, run.sampler, run.rss_idle, run.rss_connected
    per_subscriber = max(1, run.subscribers)
    return {
        "cpu_cores": w.cores("server"),
        "cpu_seconds": round(w.used("server"), 2),
        "rss_idle_mib": round(idle / MIB, 1),
        "rss_connected_mib": round(connected / MIB, 1),
        "rss_start_mib": round(w.rss_t0 / MIB, 1),
        "rss_end_mib": round(w.rss_t1 / MIB, 1),
        "rss_peak_mib": round(sampler.peak(w.t0, w.t1) / MIB, 1),
        "rss_per_subscriber_kib": round((w.rss_t1 - idle) / per_subscriber / 1024, 1),
        "rss_per_subscriber_connected_kb": round((connected - idle) / per_subscriber / 1000, 1),
        "rss_growth_during_run_mib": round((w.rss_t1 - w.rss_t0) / MIB, 1),
        # (seconds since t0, MiB) every ~5 s of the window: does memory level off?
        "rss_series_mib": [
            (round(at - w.t0, 1), round(rss / MIB, 1)) for at, rss in sampler.samples[::20] if w.t0 <= at <= w.t1
        ],
        "exit_code": run.exit_code,
        "stderr": _problems(run.server, run.started),
    }


def _kill_figures(
    server: Server, timeline: list[tuple[float, float, int]], readings: list[Reading], killed: Kill
) -> dict[str, Any]:
    """How the subscribers caught up after the listener was killed, and what the server logged about it."""
    said = [line for line in server.stderr_lines if line.at >= killed.at - 0.1 and "listen" in line.text.lower()]
    figures: dict[str, Any] = analysis.catch_up(timeline, readings, killed)
    figures["server_said"] = [line.text for line in said][:5]
    figures["server_said_after_ms"] = [round((line.at - killed.at) * 1000, 1) for line in said][:5]
    return figures


def _ingest_while_watched(
    server: Server,
    writer: Server,
    tok: str,
    logs: Logs,
    last: dict[int, int],
    options: Options,
    ctx: Any,
    box: Queue[Any],
    mailbox: Mailbox,
    procs: list[SpawnProcess],
) -> tuple[dict[str, Any], list[Reading]]:
    """Batch ingest into the watched logs, continuing each log's counter, so subscribers check it too."""
    next_seq = {log: last.get(log, 0) + 1 for log in range(len(logs.ids))}
    t0 = time.time() + START_LEAD
    spec = IngestSpec(writer.base, tok, list(logs.global_ids), options.ingest_tasks, options.ingest_batch,
                      options.ingest_under_load, t0, options.pinning.load, next_seq)
    proc = ctx.Process(target=run_ingest, args=(spec, box), name="bench-ingest", daemon=True)
    proc.start()
    procs.append(proc)
    _sleep_until(t0)
    cpu0 = cpu_seconds(tree(server.pid))
    writer0 = cpu_seconds(tree(writer.pid)) if writer is not server else 0.0
    mailbox.pump(lambda: mailbox.ingest is not None, options.ingest_under_load + 120, "the ingest clients", procs)
    cpu1 = cpu_seconds(tree(server.pid))
    writer1 = cpu_seconds(tree(writer.pid)) if writer is not server else 0.0
    wall = time.time() - t0
    assert mailbox.ingest is not None
    batches = mailbox.ingest.batches
    stored = sum(n for _, _, n, _ in batches)
    first = min(s for s, _, _, _ in batches)
    end = max(r for _, r, _, _ in batches)
    return {
        "tasks": options.ingest_tasks,
        "batch": options.ingest_batch,
        "duration_s": options.ingest_under_load,
        "batches": len(batches),
        "failed_batches": sum(1 for *_, e in batches if e),
        "errors": sorted({e for *_, e in batches if e})[:5],
        "readings_stored": stored,
        "readings_per_s": round(stored / (end - first), 1),
        "batch_latency_ms": analysis.summary_ms(r - s for s, r, n, _ in batches if n),
        "server_cpu_cores": round((cpu1 - cpu0) / wall, 3),
        "writer_cpu_cores": round((writer1 - writer0) / wall, 3) if writer is not server else None,
    }, mailbox.ingest.readings


def ingest_run(clinic: Clinic, options: Options, *, tasks: int, batch: int, duration: float) -> dict[str, Any]:
    """recordVitals throughput, batches of `batch`, `tasks` concurrent clients, no subscribers."""
    label = "ingest"
    quiet = _quiet(options)
    logs = open_logs(clinic, label)
    tok = token(clinic)
    server = Server(clinic.url, label, options.pinning, options.source, env=options.server_env)
    ctx = mp.get_context("spawn")
    box: Queue[Any] = ctx.Queue()
    mailbox = Mailbox(box)
    started = time.time()
    server.start()
    procs: list[SpawnProcess] = []
    try:
        server.wait_ready()
        sampler = Sampler(server.pid).start()
        t0 = time.time() + START_LEAD
        spec = IngestSpec(server.base, tok, list(logs.global_ids), tasks, batch, duration, t0, options.pinning.load)
        proc = ctx.Process(target=run_ingest, args=(spec, box), name="bench-ingest", daemon=True)
        proc.start()
        procs.append(proc)
        pg = PgCpu(clinic.url)
        _sleep_until(t0)
        cpu0 = cpu_seconds(tree(server.pid))
        load0 = _cpu([proc.pid] if proc.pid else [])
        busy0 = busy_seconds()
        pg.begin()
        spy = None
        spy_path = WORK / f"profile-{label}.txt"
        if options.profile:
            spy = profile.start(server.pid, duration - 1, spy_path)
        mailbox.pump(lambda: mailbox.ingest is not None, duration + 60, "the ingest clients", procs)
        cpu1 = cpu_seconds(tree(server.pid))
        load1 = _cpu([proc.pid] if proc.pid else [])
        busy1 = busy_seconds()
        pg_cpu = pg.end()
        wall = time.time() - t0
        rss = sampler.peak(t0, time.time())
        sampler.stop()
        proc.join(10)
        profile_top = None
        if spy is not None:
            spy.wait(30)
            profile_top = profile.top(spy_path)
    finally:
        for p in procs:
            if p.is_alive():
                p.kill()
        code = server.stop()
    assert mailbox.ingest is not None
    batches = mailbox.ingest.batches
    stored = sum(n for _, _, n, _ in batches)
    first = min(s for s, _, _, _ in batches)
    end = max(r for _, r, _, _ in batches)
    result: dict[str, Any] = {
        "scenario": "ingest",
        "tasks": tasks,
        "batch": batch,
        "duration_s": duration,
        "batches": len(batches),
        "failed_batches": sum(1 for *_, e in batches if e),
        "errors": sorted({e for *_, e in batches if e})[:5],
        "readings_stored": stored,
        "readings_in_db": asyncio.run(_count(clinic, logs)),
        "readings_per_s": round(stored / (end - first), 1),
        "batch_latency_ms": analysis.summary_ms(r - s for s, r, n, _ in batches if n),
        "server": {
            "cpu_cores": round((cpu1 - cpu0) / wall, 3),
            "rss_peak_mib": round(rss / MIB, 1),
            "exit_code": code,
            "stderr": _problems(server, started),
        },
        "postgres_cpu_cores": round(pg_cpu / wall, 3),
        "load_cpu_cores": round((load1 - load0) / wall, 3),
        "machine": {**quiet, **_machine(busy1 - busy0, wall, (cpu1 - cpu0) + (load1 - load0) + pg_cpu)},
    }
    if profile_top is not None:
        result["profile"] = {"file": str(spy_path), **profile_top}
    return result


async def _count(clinic: Clinic, logs: Logs) -> int:
    from bench.live.dataset import count_vitals

    return await count_vitals(clinic, logs)
