"""`python -m bench.scale [--quick] [--ingest] [--live]`: a Citus cluster against single-node PostgreSQL 15, same data.

Reads: the patient overview and today's appointments (req/s, p50, p99) through VetQL on a single-node
PostgreSQL 15 and on a Citus 13 cluster (a coordinator and two workers on this machine, the same
PostgreSQL 15), each measured by `python -m bench --targets VetQL,floor` (VetQL and its raw-SQL floor) with DATABASE_URL
set to that server;
one table with the ratios Citus / single node, and where the bench clinic's rows live on the cluster
(its shards, the router plan of a tenant query, and the transactions each worker ran during the bench).

With --ingest also recordVitals ingest on each server (`python -m bench.live --only-ingest`: batches of
100 from 4 clients, no subscribers), PostgreSQL CPU counted on every node. With --live also live
delivery on each server: `python -m bench.live` once with LISTEN/NOTIFY and once with the NATS broker
(1,000 subscribers by default), and the ratios NATS / LISTEN.

Servers: --single-url and --citus-url use running ones (superuser URLs); without them the bench starts
its own in bench/.work/scale/ (Debian's PostgreSQL 15 in /usr/lib/postgresql/15, the Citus cluster by
.ci/citus-cluster, both with the same settings) and stops them at the end. Starting them needs root
(they run as the postgres user). The result: bench/.work/scale/latest.json, with each side's own JSON beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

from bench.server import REPO, WORK
from db import citus, urls

OUT = WORK / "scale"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
CITUS_CLUSTER = REPO / ".ci" / "citus-cluster"
BENCH_JSON = REPO / "bench" / "results" / "latest.json"  # where `python -m bench` writes (bench/report.py)
DATABASE = "vetql_bench"  # bench/dataset.py DATABASE
SIDES = ("single", "citus")
TITLE = {"single": "single node", "citus": "Citus"}
# What .ci/citus-cluster sets on every node, less Citus's own settings: the single node gets the same.
SETTINGS = {
    "max_connections": "300",
    "max_worker_processes": "128",
    "max_prepared_transactions": "100",
    "wal_level": "logical",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}
SHOWN = ("server_version", "shared_buffers", "work_mem", "effective_cache_size", "max_connections", "fsync",
         "synchronous_commit", "full_page_writes", "wal_level", "jit")


# --- commands -------------------------------------------------------------------------------------------


@dataclass
class Log:
    """The commands this run ran, in order, as a reader would type them (environment first)."""

    commands: list[str] = field(default_factory=list)

    def note(self, argv: list[str], env: Mapping[str, str] | None = None) -> str:
        line = " ".join([*(f"{k}={shlex.quote(v)}" for k, v in (env or {}).items()), shlex.join(argv)])
        self.commands.append(line)
        print(f"$ {line}", flush=True)
        return line

    def run(self, argv: list[str], env: Mapping[str, str] | None = None, *, quiet: bool = False) -> str:
        """Run a command to completion and return its stdout; its stderr passes through."""
        self.note(argv, env)
        done = subprocess.run(argv, env={**os.environ, **(env or {})}, check=True, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL if quiet else None)
        return done.stdout

    def stream(self, argv: list[str], env: Mapping[str, str], prefix: str, log_path: Path) -> int:
        """Run a command, showing its output prefixed (and keeping it in `log_path`); its exit code."""
        self.note(argv, env)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("w") as log, subprocess.Popen(
                argv, cwd=REPO, env={**os.environ, **env}, text=True, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT) as proc:
            assert proc.stdout is not None
            for line in proc.stdout:
                log.write(line)
                print(f"  [{prefix}] {line}", end="", flush=True)
        return proc.returncode


def as_postgres(command: list[str]) -> list[str]:
    """`command` as the postgres user when we are root (initdb and pg_ctl refuse root), else as is."""
    if os.geteuid() != 0:
        return command
    return ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(command)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


# --- servers --------------------------------------------------------------------------------------------


def _fresh_directory(directory: Path, data_dirs: list[Path], log: Log) -> None:
    """An empty `directory` owned by postgres; a server a previous run left running in it is stopped first."""
    for data in data_dirs:
        if (data / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.CalledProcessError):
                log.run(as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]), quiet=True)
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")


def start_single(directory: Path, log: Log) -> tuple[str, Callable[[], None]]:
    """A plain PostgreSQL 15 in `directory`/data with the Citus nodes' settings; its URL and its stop."""
    data = directory / "data"
    _fresh_directory(directory, [data], log)
    port = free_port()
    log.run(as_postgres([str(PG_BIN / "initdb"), "-D", str(data), "--auth=trust", "-U", "postgres",
                         "--encoding=UTF8"]), quiet=True)
    conf = {"listen_addresses": "'127.0.0.1'", "port": str(port), "unix_socket_directories": f"'{directory}'",
            **{k: v if v.isdigit() or v in ("on", "off") else f"'{v}'" for k, v in SETTINGS.items()}}
    with (data / "postgresql.conf").open("a") as f:
        f.write("# bench/scale.py: what .ci/citus-cluster sets on every Citus node\n")
        f.writelines(f"{k} = {v}\n" for k, v in conf.items())
    log.run(as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(directory / "postgres.log"), "-w",
                         "start"]), quiet=True)

    def stop() -> None:
        log.run(as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]), quiet=True)

    return f"postgresql://postgres@127.0.0.1:{port}/postgres", stop


def start_citus(directory: Path, log: Log) -> tuple[str, Callable[[], None]]:
    """A coordinator and two workers by .ci/citus-cluster in `directory`; the coordinator's URL and the stop."""
    _fresh_directory(directory, [directory / n for n in ("coordinator", "worker1", "worker2")], log)
    url = log.run([str(CITUS_CLUSTER), str(directory)]).strip().splitlines()[-1]

    def stop() -> None:
        log.run([str(CITUS_CLUSTER), "--stop", str(directory)])

    return url, stop


async def _fetch(url: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(url)
    try:
        rows: list[asyncpg.Record] = await conn.fetch(sql, *args)
        return rows
    finally:
        await conn.close()


def describe_server(url: str) -> dict[str, str]:
    """The settings that matter for the comparison, and Citus's version and workers if it is a coordinator."""
    rows = asyncio.run(_fetch(url, "SELECT name, setting || coalesce(unit, '') AS v FROM pg_settings "
                                   "WHERE name = ANY($1)", list(SHOWN)))
    found = {r["name"]: r["v"] for r in rows}
    described = {name: found.get(name, "-") for name in SHOWN}
    citus = asyncio.run(_fetch(url, "SELECT extversion FROM pg_extension WHERE extname = 'citus'"))
    if citus:
        described["citus"] = citus[0]["extversion"]
        described["workers"] = str(len(workers(url)))
    return described


# --- the read benchmark ---------------------------------------------------------------------------------


def bench_argv(args: argparse.Namespace) -> list[str]:
    """`python -m bench` with this run's options: the same for both servers."""
    argv = [sys.executable, "-m", "bench", "--targets", args.targets, "--queries", args.queries,
            "--concurrency", args.concurrency]
    if args.quick:
        argv.append("--quick")
    if args.duration is not None:
        argv += ["--duration", f"{args.duration:g}"]
    if args.warmup is not None:
        argv += ["--warmup", f"{args.warmup:g}"]
    if args.no_pin:
        argv.append("--no-pin")
    return argv


def load_dataset(side: str, url: str, log: Log) -> float:
    """Load (or find loaded) the bench dataset on `url`'s server before the timed bench; seconds it took."""
    started = time.monotonic()
    code = log.stream([sys.executable, "-c", "from bench.dataset import prepare; prepare()"],
                      {"DATABASE_URL": url}, f"{side} load", OUT / f"{side}-load.log")
    if code != 0:
        raise SystemExit(f"bench.scale: loading the dataset on the {TITLE[side]} server failed (exit {code})")
    return time.monotonic() - started


def run_bench(side: str, url: str, args: argparse.Namespace, log: Log) -> tuple[dict[str, Any], int]:
    """`python -m bench` against `url`'s server; its JSON (copied to bench/.work/scale/SIDE.json), exit code."""
    started = time.time()
    code = log.stream(bench_argv(args), {"DATABASE_URL": url}, side, OUT / f"{side}.log")
    if not BENCH_JSON.exists() or BENCH_JSON.stat().st_mtime < started:
        raise SystemExit(f"bench.scale: python -m bench on the {TITLE[side]} server wrote no {BENCH_JSON} "
                         f"(exit {code}; see {OUT / (side + '.log')})")
    shutil.copyfile(BENCH_JSON, OUT / f"{side}.json")
    result: dict[str, Any] = json.loads(BENCH_JSON.read_text())
    return result, code


# --- where the clinic lives on the cluster --------------------------------------------------------------

PLACEMENT_SQL = """
SELECT t.id AS tenant, s.nodename AS host, s.nodeport AS port,
       count(DISTINCT s.shardid) AS shards, count(DISTINCT s.table_name) AS tables
FROM tenants t
CROSS JOIN pg_dist_partition p
JOIN citus_shards s ON s.shardid = get_shard_id_for_distribution_column(p.logicalrelid, t.id)
WHERE p.partmethod = 'h'
GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
"""
TABLES_SQL = ("SELECT count(*) FILTER (WHERE partmethod = 'h') AS distributed, "
              "count(*) FILTER (WHERE partmethod = 'n') AS reference FROM pg_dist_partition")
STATS_SQL = ("SELECT xact_commit + xact_rollback AS xacts, tup_returned + tup_fetched AS tuples "
             "FROM pg_stat_database WHERE datname = current_database()")


def workers(coordinator: str) -> list[tuple[str, int]]:
    """The cluster's active workers (db/citus.py `nodes`), by host and port."""

    async def found() -> list[tuple[str, int]]:
        conn = await asyncpg.connect(coordinator)
        try:
            return sorted((host, port) for host, port, is_coordinator in await citus.nodes(conn) if not is_coordinator)
        finally:
            await conn.close()

    return asyncio.run(found())


def worker_stats(coordinator: str) -> dict[str, tuple[int, int]]:
    """(transactions, tuples read) so far in the bench database on each worker, by host:port."""
    found: dict[str, tuple[int, int]] = {}
    for host, port in workers(coordinator):
        row = asyncio.run(_fetch(f"postgresql://postgres@{host}:{port}/{DATABASE}", STATS_SQL))[0]
        found[f"{host}:{port}"] = (int(row["xacts"]), int(row["tuples"]))
    return found


def placement(coordinator: str, tenant: str) -> dict[str, Any]:
    """Each clinic's shards by worker, the tables' kinds, and the plan of a query of the bench clinic's pets."""
    url = urls.with_database(coordinator, DATABASE)
    rows = asyncio.run(_fetch(url, PLACEMENT_SQL))
    tables = asyncio.run(_fetch(url, TABLES_SQL))[0]
    literal = asyncio.run(_fetch(url, "SELECT quote_literal($1::text) AS q", tenant))[0]["q"]
    plan = asyncio.run(_fetch(url, "EXPLAIN (COSTS OFF) SELECT id FROM pets WHERE tenant_id = "
                                   f"{literal} ORDER BY name LIMIT 50"))
    plan_lines = [r[0].strip() for r in plan if "Task Count" in r[0] or "Node:" in r[0]]
    return {
        "tenant": tenant,
        "clinics": [{"tenant": r["tenant"], "node": f"{r['host']}:{r['port']}", "shards": r["shards"],
                     "tables": r["tables"]} for r in rows],
        "distributed_tables": tables["distributed"],
        "reference_tables": tables["reference"],
        "plan_of_pets_query": plan_lines,
    }


def print_placement(found: dict[str, Any], before: dict[str, tuple[int, int]],
                    after: dict[str, tuple[int, int]]) -> None:
    print(f"Citus: {found['distributed_tables']} tables distributed by tenant_id (co-located), "
          f"{found['reference_tables']} reference tables (a copy on every node)")
    for c in found["clinics"]:
        mark = "  <- the bench clinic" if c["tenant"] == found["tenant"] else ""
        print(f"  clinic {c['tenant']}: {c['tables']} tables' rows in {c['shards']} shard(s) "
              f"on worker {c['node']}{mark}")
    print("  a query of the bench clinic's pets: " + "; ".join(found["plan_of_pets_query"]))
    print("  transactions / tuples read in the bench database on each worker during the Citus bench:")
    home = {c["node"] for c in found["clinics"] if c["tenant"] == found["tenant"]}
    for node, (xacts, tuples) in after.items():
        x0, t0 = before.get(node, (0, 0))
        mark = "  <- holds the bench clinic" if node in home else ""
        print(f"    {node}: +{xacts - x0:,} transactions, +{tuples - t0:,} tuples{mark}")


COUNTED = ("pets", "appointments", "patient_alerts", "patient_problems", "anesthesia_logs", "anesthesia_vitals")


def row_counts(server: str, tenant: str) -> dict[str, int]:
    """The bench clinic's rows in the tables the two queries read most: the same on both sides, or not the same data."""
    sql = " UNION ALL ".join(f"SELECT '{t}' AS t, count(*) AS n FROM {t} WHERE tenant_id = $1" for t in COUNTED)
    rows = asyncio.run(_fetch(urls.with_database(server, DATABASE), sql, tenant))
    return {r["t"]: int(r["n"]) for r in rows}


# --- the table ------------------------------------------------------------------------------------------


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or not b or math.isnan(a) or math.isnan(b):
        return None
    return round(a / b, 3)


def compare(results: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """A row per (query, target, concurrency) measured on both sides: each side's figures and Citus / single."""
    by = {side: {(r["query"], r["target"], r["concurrency"]): r for r in results[side]["runs"]} for side in SIDES}
    rows = []
    for key, single in by["single"].items():
        citus = by["citus"].get(key)
        if citus is None:
            continue
        query, target, c = key
        row: dict[str, Any] = {"query": query, "target": target, "concurrency": c}
        for figure in ("rps", "p50_ms", "p99_ms", "db_cpu_ms_per_request", "server_cpu_ms_per_request",
                       "failures"):
            row[f"{figure}_single"], row[f"{figure}_citus"] = single.get(figure), citus.get(figure)
        for figure in ("rps", "p50_ms", "p99_ms"):
            row[f"{figure}_ratio"] = _ratio(citus.get(figure), single.get(figure))
        rows.append(row)
    return rows


def _f(value: Any, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def render(header: list[str], lines: list[list[str]]) -> str:
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]

    def one(cells: list[str]) -> str:
        return "  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(cells, widths,
                                                                                              strict=True)))

    return "\n".join([one(header), "  ".join("-" * w for w in widths), *(one(line) for line in lines)])


def read_table(rows: list[dict[str, Any]]) -> str:
    header = ["query", "c", "req/s single", "req/s Citus", "ratio", "p50 single", "p50 Citus", "ratio",
              "p99 single", "p99 Citus", "ratio", "failures s/C"]
    targets = {r["target"] for r in rows}
    lines = [[r["query"] + ("" if len(targets) == 1 else f" ({r['target']})"), str(r["concurrency"]),
              _f(r["rps_single"], ".1f"), _f(r["rps_citus"], ".1f"), _f(r["rps_ratio"], ".2f") + "x",
              _f(r["p50_ms_single"], ".2f"), _f(r["p50_ms_citus"], ".2f"), _f(r["p50_ms_ratio"], ".2f") + "x",
              _f(r["p99_ms_single"], ".2f"), _f(r["p99_ms_citus"], ".2f"), _f(r["p99_ms_ratio"], ".2f") + "x",
              f"{r['failures_single']}/{r['failures_citus']}"] for r in rows]
    return render(header, lines)


# --- live delivery --------------------------------------------------------------------------------------


BROKERS = ("postgres", "nats")
BROKER_TITLE = {"postgres": "LISTEN", "nats": "NATS"}


# The live runs' servers, on both sides: 1,000 subscribers arrive within a second, and with the default
# 0.5 s pool checkout the subscriptions a busy pool refuses (retryable) can outlast bench.live's warm-up on
# Citus, whose statements take longer. What is measured is steady delivery, not that storm.
LIVE_ENV = {"VETQL_POOL_TIMEOUT": "5"}


def _bench_live(name: str, options: list[str], env: Mapping[str, str], scenario: str,
                log: Log) -> tuple[dict[str, Any] | None, int]:
    """`python -m bench.live OPTIONS` with `env`: the JSON of its `scenario` run (None if it wrote none: the
    failure is reported, the other figures kept), and its exit code."""
    output = OUT / f"{name}.json"
    output.unlink(missing_ok=True)
    argv = [sys.executable, "-m", "bench.live", *options, "--output", str(output)]
    code = log.stream(argv, env, name, OUT / f"{name}.log")
    if not output.exists():
        print(f"==> {shlex.join(argv[1:])} wrote no {output} (exit {code}; see bench/.work/scale/{name}.log)")
        return None, code or 1
    run: dict[str, Any] = next(r for r in json.loads(output.read_text())["runs"] if r["scenario"] == scenario)
    return run, code


def run_live(side: str, broker: str, url: str, args: argparse.Namespace,
             log: Log) -> tuple[dict[str, Any] | None, int]:
    """Live delivery with `broker` on `side`'s server: bench.live's steady run, and its exit code."""
    return _bench_live(f"live-{side}-{broker}", ["--broker", broker, "--subscribers", str(args.subscribers),
                                                 "--duration", f"{args.live_duration:g}", "--no-ingest"],
                       {"DATABASE_URL": url, **LIVE_ENV}, "steady", log)


def run_ingest(side: str, url: str, args: argparse.Namespace, log: Log) -> tuple[dict[str, Any] | None, int]:
    """recordVitals in batches of 100 from 4 clients on `side`'s server, no subscribers: bench.live's ingest run."""
    return _bench_live(f"ingest-{side}", ["--only-ingest", "--ingest-seconds", f"{args.ingest_seconds:g}"],
                       {"DATABASE_URL": url}, "ingest", log)


def ingest_figures(run: dict[str, Any]) -> dict[str, float | None]:
    rate, pg = run["readings_per_s"], run["postgres_cpu_cores"]
    return {
        "readings_per_s": rate, "batch_p50_ms": run["batch_latency_ms"].get("p50"),
        "batch_p99_ms": run["batch_latency_ms"].get("p99"), "server_cpu_cores": run["server"]["cpu_cores"],
        "postgres_cpu_cores": pg, "pg_us_per_reading": round(pg / rate * 1e6, 1) if rate else None,
        "failed_batches": run["failed_batches"], "stored": run["readings_stored"], "in_db": run["readings_in_db"],
        "other_cores": run["machine"]["other_cores"],
    }


INGEST_ROWS = (  # (title, key of ingest_figures, format)
    ("readings/s", "readings_per_s", ".0f"),
    ("batch latency p50 (ms)", "batch_p50_ms", ".1f"),
    ("batch latency p99 (ms)", "batch_p99_ms", ".1f"),
    ("server CPU (cores)", "server_cpu_cores", ".3f"),
    ("PostgreSQL CPU (cores, all nodes)", "postgres_cpu_cores", ".3f"),
    ("PostgreSQL CPU per reading (us)", "pg_us_per_reading", ".1f"),
    ("failed batches", "failed_batches", "d"),
    ("readings stored / in the database", "stored", "d"),
    ("other processes' CPU (cores)", "other_cores", ".3f"),
)


def ingest_table(figures: dict[str, dict[str, float | None]]) -> str:
    """Single node and Citus side by side ("-" for a side whose run gave no figures), and Citus / single."""
    sides = [figures.get(side, {}) for side in SIDES]
    lines = []
    for title, key, spec in INGEST_ROWS:
        single, citus = (f.get(key) for f in sides)
        if key == "stored":
            lines.append([title, *(f"{_f(f.get(key), 'd')} / {_f(f.get('in_db'), 'd')}" for f in sides), ""])
            continue
        ratio = _ratio(citus, single)
        lines.append([title, _f(single, spec), _f(citus, spec), "" if ratio is None else f"{ratio:.2f}x"])
    return render(["figure", "single node", "Citus", "Citus/single"], lines)


def live_figures(run: dict[str, Any]) -> dict[str, float | None]:
    lat = run["latency_ms"]["from_response"]
    integrity = run["integrity"]
    server, pg = run["server"]["cpu_cores"], run["postgres_cpu_cores"]
    broker = run.get("broker_cpu_cores") if run.get("broker") == "nats" else None
    return {
        "p50_ms": lat.get("p50"), "p99_ms": lat.get("p99"), "max_ms": lat.get("max"),
        "server_cpu_cores": server, "postgres_cpu_cores": pg, "broker_cpu_cores": broker,
        "total_cpu_cores": server + pg + (broker or 0.0),
        "events_delivered": run["events_delivered"], "events_expected": run["events_expected"],
        "lost": integrity["lost"], "duplicated": integrity["duplicated"], "out_of_order": integrity["out_of_order"],
        "closed_early": run["closed_early"], "monitor_failed": run["monitors"]["failed"],
        "stderr_flagged": run["server"]["stderr"]["flagged"], "other_cores": run["machine"]["other_cores"],
    }


LIVE_ROWS = (  # (title, key of live_figures, format)
    ("latency p50 (ms)", "p50_ms", ".1f"),
    ("latency p99 (ms)", "p99_ms", ".1f"),
    ("latency max (ms)", "max_ms", ".1f"),
    ("server CPU (cores)", "server_cpu_cores", ".3f"),
    ("PostgreSQL CPU (cores)", "postgres_cpu_cores", ".3f"),
    ("nats-server CPU (cores)", "broker_cpu_cores", ".3f"),
    ("server + PG + broker CPU", "total_cpu_cores", ".3f"),
    ("events delivered", "events_delivered", "d"),
    ("events expected", "events_expected", "d"),
    ("lost", "lost", "d"),
    ("duplicated", "duplicated", "d"),
    ("out of order", "out_of_order", "d"),
    ("connections closed early", "closed_early", "d"),
    ("recordVitals failed", "monitor_failed", "d"),
    ("server stderr lines flagged", "stderr_flagged", "d"),
    ("other processes' CPU (cores)", "other_cores", ".3f"),
)
RATIO_ROWS = {"p50_ms", "p99_ms", "max_ms", "server_cpu_cores", "postgres_cpu_cores", "total_cpu_cores"}


def live_table(live: dict[str, dict[str, float | None]]) -> str:
    """A column per (server, broker) measured, keyed "side broker", and NATS / LISTEN on each server."""
    sides = [side for side in SIDES if any(f"{side} {b}" in live for b in BROKERS)]
    header = ["figure"]
    for side in sides:
        header += [f"{BROKER_TITLE[b]} {TITLE[side]}" for b in BROKERS if f"{side} {b}" in live]
        if all(f"{side} {b}" in live for b in BROKERS):
            header.append(f"NATS/LISTEN {TITLE[side]}")
    lines = []
    for title, key, spec in LIVE_ROWS:
        line = [title]
        for side in sides:
            line += [_f(live[f"{side} {b}"][key], spec) for b in BROKERS if f"{side} {b}" in live]
            if all(f"{side} {b}" in live for b in BROKERS):
                ratio = _ratio(live[f"{side} nats"][key], live[f"{side} postgres"][key]) if key in RATIO_ROWS else None
                line.append("" if ratio is None else f"{ratio:.2f}x")
        lines.append(line)
    return render(header, lines)


def problems(results: dict[str, dict[str, Any]], codes: dict[str, int],
             live: dict[str, dict[str, float | None]], ingest: dict[str, dict[str, float | None]]) -> list[str]:
    """What makes this run's figures doubtful: failed requests, a statement count growing with the page, lost or
    duplicated live events, the raw-SQL floor answering other data than VetQL, a bench that failed."""
    found: list[str] = []
    for side in SIDES:
        own: list[str] = []
        for r in results[side]["runs"]:
            if r["failures"]:
                own.append(f"{TITLE[side]} {r['query']} c={r['concurrency']}: {r['failures']} failed requests "
                           f"({r['failure_sample']})")
        for name, check in results[side]["structure"].items():
            if not check["constant"]:
                own.append(f"{TITLE[side]} {name}: statements per request grow with the page")
            if not check["floor_matches_vetql"]:
                own.append(f"{TITLE[side]} {name}: the floor's data differs from VetQL's: {check['floor_difference']}")
        if codes[side] and not own:
            own.append(f"python -m bench on the {TITLE[side]} server exited {codes[side]} "
                       f"(bench/.work/scale/{side}.log)")
        found += own
    for key in (k for k in codes if k.startswith(("live ", "ingest ")) and codes[k]):
        found.append(f"python -m bench.live ({key}) exited {codes[key]}"
                     + ("" if key.removeprefix("live ") in live or key.removeprefix("ingest ") in ingest
                        else ": no figures"))
    for key, figures in live.items():
        bad = {k: figures[k] for k in ("lost", "duplicated", "out_of_order", "closed_early", "monitor_failed")
               if figures[k]}
        if bad:
            found.append(f"live {key}: " + ", ".join(f"{k} {v}" for k, v in bad.items()))
    for side, figures in ingest.items():
        if figures["failed_batches"] or figures["stored"] != figures["in_db"]:
            found.append(f"ingest {TITLE[side]}: {figures['failed_batches']} failed batches, "
                         f"{figures['stored']} readings stored, {figures['in_db']} in the database")

    return found


# --- main -----------------------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--single-url", help="a running single-node PostgreSQL (superuser URL); default: start one")
    p.add_argument("--citus-url", help="a running Citus coordinator (superuser URL); default: start a cluster")
    p.add_argument("--queries", default="overview,today", help="passed to python -m bench (default overview,today)")
    p.add_argument("--targets", default="VetQL,floor",
                   help="passed to python -m bench (default VetQL,floor: the raw-SQL floor is the baseline on each "
                   "side; PostGraphile is untried on Citus)")
    p.add_argument("--duration", type=float, default=None, help="seconds per timed run (bench's default 12, quick 5)")
    p.add_argument("--warmup", type=float, default=None, help="seconds of warm-up per run (bench's default 2)")
    p.add_argument("--concurrency", default="1,16", help="comma-separated (default 1,16)")
    p.add_argument("--quick", action="store_true", help="python -m bench --quick (5 s runs)")
    p.add_argument("--no-pin", action="store_true", help="python -m bench --no-pin")
    p.add_argument("--live", action="store_true",
                   help="also live delivery on both servers, LISTEN/NOTIFY against NATS (python -m bench.live)")
    p.add_argument("--live-sides", default="single,citus", help="with --live: the servers (default single,citus)")
    p.add_argument("--ingest", action="store_true",
                   help="also recordVitals ingest on both servers (python -m bench.live --only-ingest)")
    p.add_argument("--ingest-seconds", type=float, default=10.0, help="seconds of each ingest run (default 10)")
    p.add_argument("--subscribers", type=int, default=1000, help="live subscribers (default 1000)")
    p.add_argument("--live-duration", type=float, default=30.0, help="seconds of each live run (default 30)")
    return p


@contextlib.contextmanager
def servers(args: argparse.Namespace, log: Log) -> Iterator[dict[str, str]]:
    """The two servers' URLs: the given ones, or ones started here and stopped on the way out."""
    stops: list[Callable[[], None]] = []
    found: dict[str, str] = {}
    try:
        for side, given, start in (("single", args.single_url, start_single), ("citus", args.citus_url, start_citus)):
            if given:
                found[side] = urls.plain(given)
                continue
            if os.geteuid() != 0:
                raise SystemExit(f"bench.scale: starting the {TITLE[side]} server needs root; "
                                 f"or pass --{side}-url")
            print(f"==> starting the {TITLE[side]} server in {OUT / side}", flush=True)
            found[side], stop = start(OUT / side, log)
            stops.append(stop)
        yield found
    finally:
        for stop in reversed(stops):
            with contextlib.suppress(subprocess.CalledProcessError):
                stop()


def main(argv: list[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else argv
    args = _parser().parse_args(given)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the servers started here are stopped
    OUT.mkdir(parents=True, exist_ok=True)
    log = Log()
    started = time.monotonic()
    codes: dict[str, int] = {}
    with servers(args, log) as found:
        described = {side: describe_server(found[side]) for side in SIDES}
        if "citus" not in described["citus"]:
            raise SystemExit(f"bench.scale: {found['citus']} has no Citus extension: not a coordinator")
        if "citus" in described["single"]:
            raise SystemExit(f"bench.scale: {found['single']} has Citus: not a single node")
        print(render(["setting", *(TITLE[s] for s in SIDES)],
                     [[k, described["single"].get(k, "-"), described["citus"].get(k, "-")]
                      for k in (*SHOWN, "citus", "workers")]), flush=True)
        results: dict[str, dict[str, Any]] = {}
        load_seconds: dict[str, float] = {}
        stats: dict[str, dict[str, tuple[int, int]]] = {}
        for side in SIDES:
            print(f"==> {TITLE[side]}: {found[side]}", flush=True)
            load_seconds[side] = load_dataset(side, found[side], log)
            if side == "citus":
                stats["before"] = worker_stats(found[side])
            results[side], codes[side] = run_bench(side, found[side], args, log)
            if side == "citus":
                time.sleep(1.5)  # the workers' backends report their statistics as they end
                stats["after"] = worker_stats(found[side])
        tenant = results["citus"]["dataset"]["tenant_id"]
        counts = {side: row_counts(found[side], tenant) for side in SIDES}
        where = placement(found["citus"], tenant)
        ingest: dict[str, dict[str, float | None]] = {}
        if args.ingest:
            for side in SIDES:
                print(f"==> recordVitals ingest on the {TITLE[side]} server", flush=True)
                run, codes[f"ingest {side}"] = run_ingest(side, found[side], args, log)
                if run is not None:
                    ingest[side] = ingest_figures(run)
        live: dict[str, dict[str, float | None]] = {}
        if args.live:
            for side in [s.strip() for s in args.live_sides.split(",") if s.strip()]:
                for broker in BROKERS:
                    print(f"==> live delivery on the {TITLE[side]} server, broker {broker}", flush=True)
                    run, codes[f"live {side} {broker}"] = run_live(side, broker, found[side], args, log)
                    if run is not None:
                        live[f"{side} {broker}"] = live_figures(run)

    rows = compare(results)
    print()
    print(f"== Reads: Citus (coordinator + {described['citus'].get('workers')} workers, Citus "
          f"{described['citus'].get('citus')}) / single node, PostgreSQL {described['single']['server_version']}, "
          f"the same dataset; clinic {tenant}, role admin ==")
    print(f"per side: python {shlex.join(bench_argv(args)[1:])}; {results['single'].get('pinning')}")
    print("(PG CPU per request, in the per-side JSON, counts every node's backends of the bench database)")
    print(read_table(rows))
    print("ratio = Citus / single node: req/s below 1 and latency above 1 favour the single node")
    same = "the same" if counts["single"] == counts["citus"] else "NOT the same"
    print(f"the clinic's rows, {same} on both sides: " + ", ".join(
        f"{t} {counts['single'][t]:,}" + ("" if counts["single"][t] == counts["citus"][t]
                                         else f" (Citus {counts['citus'][t]:,})") for t in COUNTED)
          + "; the generator dates the data from when it was loaded, so timestamps differ by the time between loads")
    for side in SIDES:
        p = results[side]["params"]
        print(f"  {TITLE[side]}: the day {p['day']} ({p['day_note']}); dataset load (or check) "
              f"{load_seconds[side]:.0f} s")
    print()
    print_placement(where, stats["before"], stats["after"])
    if ingest:
        print()
        print(f"== recordVitals ingest: batches of 100 from 4 clients, {args.ingest_seconds:g} s, no subscribers; "
              "Citus / single node ==")
        print(ingest_table(ingest))
        print("PostgreSQL CPU counts every node's backends of the bench database (on Citus the coordinator's and "
              "the workers')")
    if live:
        print()
        print(f"== Live delivery: {args.subscribers} subscribers at 1 Hz, {args.live_duration:g} s, "
              "the NATS broker against LISTEN/NOTIFY ==")
        print(live_table(live))
        print("ratio = NATS / LISTEN: below 1 favours NATS; latency = receive - recordVitals response; "
              "what the flagged server lines say: bench/.work/scale/live-*.json (runs[0].server.stderr)")
    print()
    print("Commands run:")
    for line in log.commands:
        print(f"  {line}")
    found_problems = problems(results, codes, live, ingest)
    for line in found_problems:
        print(f"PROBLEM: {line}")
    path = OUT / "latest.json"
    path.write_text(json.dumps({
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": shlex.join(["python", "-m", "bench.scale", *(argv if argv is not None else sys.argv[1:])]),
        "servers": {side: {"url": found[side], **described[side]} for side in SIDES},
        "bench_command": "python " + shlex.join(bench_argv(args)[1:]),
        "reads": rows,
        "citus_placement": where,
        "citus_worker_activity": {node: {"transactions": after[0] - stats["before"].get(node, (0, 0))[0],
                                         "tuples": after[1] - stats["before"].get(node, (0, 0))[1]}
                                  for node, after in stats["after"].items()},
        "dataset_load_seconds": {k: round(v, 1) for k, v in load_seconds.items()},
        "clinic_row_counts": counts,
        "params": {side: results[side]["params"] for side in SIDES},
        "ingest": ingest or None,
        "live": live or None,
        "live_ratios_nats_over_listen": {
            side: {k: _ratio(live[f"{side} nats"][k], live[f"{side} postgres"][k]) for k in RATIO_ROWS}
            for side in SIDES if all(f"{side} {b}" in live for b in BROKERS)} or None,
        "exit_codes": codes,
        "problems": found_problems,
        "commands": log.commands,
        "per_side_json": {side: str(OUT / f"{side}.json") for side in SIDES},
        "seconds": round(time.monotonic() - started),
    }, indent=2, default=str) + "\n")
    print(f"==> wrote {path.relative_to(REPO)} in {time.monotonic() - started:.0f} s")
    return 1 if found_problems else 0


if __name__ == "__main__":
    sys.exit(main())
