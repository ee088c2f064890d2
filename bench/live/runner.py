"""One scenario end to end: fresh logs, a fresh server, subscriber processes, monitors, figures."""

from __future__ import annotations

import asyncio
import math
import multiprocessing as mp
import os
import queue
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


def subscribers_run(clinic: Clinic, subscribers: int, options: Options, *, kill: bool, label: str) -> dict[str, Any]:
    """N subscribers spread over 50 logs, monitors at 1 Hz per log for the duration; optionally a mid-run kill."""
    quiet = _quiet(options)
    logs: Logs = open_logs(clinic, label)
    tok = token(clinic)
    server = Server(clinic.url, label, options.pinning, options.source)
    ctx = mp.get_context("spawn")
    box: Queue[Any] = ctx.Queue()
    mailbox = Mailbox(box)
    procs: list[SpawnProcess] = []
    started = time.time()
    server.start()
    writer = server
    if options.writer_server:
        writer = Server(clinic.url, f"{label}-writer", Pinning(options.pinning.load, options.pinning.load),
                        options.source)
        writer.start()
    try:
        server.wait_ready()
        writer.wait_ready()
        sampler = Sampler(server.pid).start()
        time.sleep(1.0)
        rss_idle = sampler.now()

        # Subscriber processes, each holding an even share of subscribers, spread evenly over the logs.
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
        connect_s = time.time() - t_connect
        connected = sum(ok for ok, _, _ in mailbox.connected.values())
        connect_errors = [e for _, _, errs in mailbox.connected.values() for e in errs][:5]

        # Reading 0 on every log: when every subscriber has it, every subscription is live.
        warm = asyncio.run(warm_up(writer.base, tok, list(logs.global_ids)))
        mailbox.pump(lambda: sum(mailbox.warm.values()) >= connected, 60, "warm-up reading at every subscriber", procs)
        time.sleep(1.0)
        rss_connected = sampler.now()

        # Monitors at 1 Hz per log; the measured window is [t0, t1].
        t0 = time.time() + START_LEAD
        t1 = t0 + options.duration
        mspec = MonitorSpec(writer.base, tok, list(logs.global_ids), t0, options.duration, 1, 1.0,
                            options.pinning.load)
        mon = ctx.Process(target=run_monitors, args=(mspec, box), name="bench-monitors", daemon=True)
        mon.start()
        procs.append(mon)
        load_pids = [p.pid for p in procs if p.pid is not None]
        pg = PgCpu(clinic.url)
        _sleep_until(t0)
        cpu0 = cpu_seconds(tree(server.pid))
        writer0 = cpu_seconds(tree(writer.pid)) if writer is not server else 0.0
        load0 = _cpu(load_pids)
        busy0 = busy_seconds()
        pg.begin()
        rss_t0 = sampler.now()
        spy = None
        spy_path = WORK / f"profile-{label}.txt"
        if options.profile:
            spy = profile.start(server.pid, options.duration - 1, spy_path)
        killed = None
        if kill:
            _sleep_until(t0 + options.duration / 2)
            killed = kill_listener(clinic.url)
        _sleep_until(t1)
        cpu1 = cpu_seconds(tree(server.pid))
        writer1 = cpu_seconds(tree(writer.pid)) if writer is not server else 0.0
        load1 = _cpu(load_pids)
        busy1 = busy_seconds()
        pg_cpu = pg.end()
        rss_t1 = sampler.now()
        wall = time.time() - t0

        mailbox.pump(lambda: mailbox.monitors is not None, 180, "the monitors", procs)
        assert mailbox.monitors is not None
        readings = [*warm, *mailbox.monitors.readings]
        last: dict[int, int] = {}
        for r in readings:
            if r.ok:
                last[r.log] = max(last.get(r.log, 0), r.seq)
        ingest: dict[str, Any] | None = None
        ingest_readings: list[Reading] = []
        drain = options.drain
        if options.ingest_under_load > 0 and not kill:
            ingest, ingest_readings = _ingest_while_watched(
                server, writer, tok, logs, last, options, ctx, box, mailbox, procs
            )
            for r in ingest_readings:
                if r.ok:
                    last[r.log] = max(last.get(r.log, 0), r.seq)
        for ctrl in ctrls:
            ctrl.put(("finish", last, drain))
        mailbox.pump(lambda: len(mailbox.results) == n_workers, DRAIN_CAP + 120, "subscriber results", procs)
        drained_s = time.time() - t1
        for proc in procs:
            proc.join(10)
        sampler.stop()
        profile_top = None
        if spy is not None:
            spy.wait(30)
            profile_top = profile.top(spy_path)
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.kill()
        code = server.stop()
        if writer is not server:
            writer.stop()

    subs = [s for w in sorted(mailbox.results) for s in mailbox.results[w]]
    from_response, from_send, timeline = analysis.latencies(subs, readings)
    delivered = len(from_response)  # events of the 1 Hz monitors' readings (not reading 0, not ingest)
    per_log: dict[int, int] = {}
    for r in mailbox.monitors.readings:
        if r.ok:
            per_log[r.log] = per_log.get(r.log, 0) + 1
    expected = sum(per_log.get(s.log, 0) for s in subs)
    result: dict[str, Any] = {
        "scenario": "kill-listener" if kill else "steady",
        "label": label,
        "subscribers": subscribers,
        "logs": len(logs.ids),
        "duration_s": options.duration,
        "subscriber_processes": n_workers,
        "compression": options.compression,
        "connected": connected,
        "connect_s": round(connect_s, 2),
        "connect_errors": connect_errors,
        "readings_recorded": sum(1 for r in mailbox.monitors.readings if r.ok),
        "events_expected": expected,
        "events_delivered": delivered,
        "events_per_s": round(delivered / options.duration, 1),
        "latency_ms": {
            "reported": "receive wall time - wall time the recordVitals response was read (commit is before it)",
            "from_response": analysis.summary_ms(from_response),
            "from_send": analysis.summary_ms(from_send),
            "negative_from_response": sum(1 for x in from_response if x < 0),
        },
        "integrity": analysis.integrity(subs, [*readings, *ingest_readings]),
        "closed_early": sum(1 for s in subs if s.closed_early),
        "drain_s": round(drained_s, 1),  # end of the monitors' window until every subscriber had everything
        "subscriber_errors": [e for s in subs for e in s.errors][:5],
        "server": {
            "cpu_cores": round((cpu1 - cpu0) / wall, 3),
            "cpu_seconds": round(cpu1 - cpu0, 2),
            "rss_idle_mib": round(rss_idle / MIB, 1),
            "rss_connected_mib": round(rss_connected / MIB, 1),
            "rss_start_mib": round(rss_t0 / MIB, 1),
            "rss_end_mib": round(rss_t1 / MIB, 1),
            "rss_peak_mib": round(sampler.peak(t0, t1) / MIB, 1),
            "rss_per_subscriber_kib": round((rss_t1 - rss_idle) / max(1, subscribers) / 1024, 1),
            "rss_per_subscriber_connected_kb": round((rss_connected - rss_idle) / max(1, subscribers) / 1000, 1),
            "rss_growth_during_run_mib": round((rss_t1 - rss_t0) / MIB, 1),
            # (seconds since t0, MiB) every ~5 s of the window: does memory level off?
            "rss_series_mib": [
                (round(at - t0, 1), round(rss / MIB, 1)) for at, rss in sampler.samples[::20] if t0 <= at <= t1
            ],
            "exit_code": code,
            "stderr": _problems(server, started),
        },
        "writer_server": (
            {"cpu_cores": round((writer1 - writer0) / wall, 3), "stderr": _problems(writer, started)}
            if writer is not server
            else None
        ),
        "postgres_cpu_cores": round(pg_cpu / wall, 3),
        "load_cpu_cores": round((load1 - load0) / wall, 3),
        "machine": {
            **quiet,
            **_machine(busy1 - busy0, wall, (cpu1 - cpu0) + (writer1 - writer0) + (load1 - load0) + pg_cpu),
        },
        "monitors": {
            **analysis.mutation_summary(mailbox.monitors.readings),
            "late_ticks": mailbox.monitors.late_ticks,
            "skipped_ticks": mailbox.monitors.skipped_ticks,
        },
    }
    if ingest is not None:
        lat, _, _ = analysis.latencies(subs, ingest_readings)
        ingest["latency_ms"] = analysis.summary_ms(lat)
        ingest["integrity"] = analysis.integrity(subs, ingest_readings)
        ingest["events_delivered"] = len(lat)
        per_log_i: dict[int, int] = {}
        for r in ingest_readings:
            if r.ok:
                per_log_i[r.log] = per_log_i.get(r.log, 0) + 1
        ingest["events_expected"] = sum(per_log_i.get(s.log, 0) for s in subs)
        result["ingest_while_watched"] = ingest
    if killed is not None:
        result["kill"] = analysis.catch_up(timeline, readings, killed)
        result["kill"]["server_said"] = [
            line.text for line in server.stderr_lines if line.at >= killed.at - 0.1 and "listen" in line.text.lower()
        ][:5]
        result["kill"]["server_said_after_ms"] = [
            round((line.at - killed.at) * 1000, 1)
            for line in server.stderr_lines
            if line.at >= killed.at - 0.1 and "listen" in line.text.lower()
        ][:5]
    if profile_top is not None:
        result["profile"] = {"file": str(spy_path), **profile_top}
    return result


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
    server = Server(clinic.url, label, options.pinning, options.source)
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
