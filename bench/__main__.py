"""`python -m bench [--quick] [--duration S]`: the overview benchmark, every figure from one command.

1. Load the benchmark dataset into `vetql_bench` (once; see bench/dataset.py).
2. Check structure in-process: SQL statements per request for first: 5 and
   first: 50, and that the raw-SQL floor returns the same data as VetQL.
3. For each target (a server started as a subprocess, pinned to one CPU),
   drive the overview at each concurrency from a load generator process
   pinned to the other CPU, and measure throughput, latency, server and
   PostgreSQL CPU per request and the server's peak RSS.
4. Print the table and the ratios; write bench/results/latest.json.

A target is one entry of TARGETS: a name, a function that starts it and
returns its ServerProcess, and the URL to POST the overview to (with its
own request body and path to the pet list when its schema differs, as
PostGraphile's does), and optionally a check of its first answer against
VetQL's, run before its timed runs.

PostGraphile v5 (bench/postgraphile_target.py, bench/postgraphile/server.mjs)
is installed from npm into bench/.work/ on the first run, with a Node 22
from npm; it verifies the same token and runs as vetql_app with the same
claims. The report ends with the ratios VetQL/PostGraphile and VetQL/floor
and which of issue 3's targets this run meets.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import asyncpg

from bench import load, report, structure
from bench import postgraphile_target as pgl
from bench.dataset import DATABASE, Dataset, prepare
from bench.query import PAGE, PETS_PATH, overview_body
from bench.server import WORK, PeakRss, Pinning, ServerProcess, local_postmaster
from vetql.auth import TokenVerifier, sign
from vetql.settings import Settings

BIN = Path(sys.executable).parent
VETQL_PORT = 8765
FLOOR_PORT = 8766
POSTGRAPHILE_PORT = pgl.PORT
CONCURRENCY = (1, 16)
SUBJECT = "VetQL"  # the target the ratios are about
PEER = "PostGraphile"  # issue 3's peer
FLOOR = "floor"


@dataclass(frozen=True)
class Bench:
    """What every target's start function gets."""

    dataset: Dataset
    jwt_secret: str
    token: str
    pinning: Pinning
    env: dict[str, str]  # the servers' environment: DATABASE_URL, VETQL_JWT_SECRET, ...
    vetql_overview: bytes  # VetQL's answer to the overview (first: PAGE), from the structure check
    postgraphile: pgl.Runtime | None = None  # installed before the runs when PostGraphile is a target


@dataclass(frozen=True)
class Target:
    name: str
    start: Callable[[Bench], ServerProcess]
    url: str
    body: bytes = field(default_factory=overview_body)
    pets_path: tuple[str, ...] = PETS_PATH
    # Checks the running target's first answer against VetQL's; returns a line for the report.
    verify: Callable[[Bench, Target], str] | None = None


def start_vetql(bench: Bench) -> ServerProcess:
    """The real server, as a user runs it: `vetql serve` (migrate, then uvicorn)."""
    command = [str(BIN / "vetql"), "serve", "--port", str(VETQL_PORT)]
    return ServerProcess("VetQL", command, port=VETQL_PORT, env=bench.env, cpus=bench.pinning.server).start()


def start_floor(bench: Bench) -> ServerProcess:
    """One SQL statement per request behind uvicorn + Starlette (bench/floor_server.py)."""
    command = [sys.executable, "-m", "bench.floor_server", "--port", str(FLOOR_PORT)]
    return ServerProcess("floor", command, port=FLOOR_PORT, env=bench.env, cpus=bench.pinning.server).start()


def start_postgraphile(bench: Bench) -> ServerProcess:
    """PostGraphile v5 on Node (bench/postgraphile/server.mjs), installed by `pgl.install()` before the runs."""
    if bench.postgraphile is None:
        raise pgl.Unavailable("PostGraphile was not installed")
    command = pgl.command(bench.postgraphile, POSTGRAPHILE_PORT)
    env = pgl.server_env(bench.env, bench.dataset.url)
    return ServerProcess(PEER, command, port=POSTGRAPHILE_PORT, env=env, cpus=bench.pinning.server).start()


def verify_postgraphile(bench: Bench, target: Target) -> str:
    answer = pgl.fetch(target.url, target.body, bench.token)
    comparison = pgl.compare(bench.vetql_overview, answer)
    if comparison.pets != PAGE:
        raise pgl.Unavailable(f"PostGraphile returned {comparison.pets} pets, not {PAGE}")
    return comparison.describe(len(bench.vetql_overview))


TARGETS: list[Target] = [
    Target(SUBJECT, start_vetql, f"http://127.0.0.1:{VETQL_PORT}/graphql"),
    Target(PEER, start_postgraphile, f"http://127.0.0.1:{POSTGRAPHILE_PORT}/graphql",
           body=pgl.overview_body(), pets_path=pgl.PETS_PATH, verify=verify_postgraphile),
    Target(FLOOR, start_floor, f"http://127.0.0.1:{FLOOR_PORT}/graphql"),
]


def _server_env(dataset: Dataset, jwt_secret: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("VETQL_JWKS_URL", "VETQL_JWT_PUBLIC_KEY", "VETQL_JWT_AUDIENCE", "VETQL_JWT_ISSUER")}
    env.update(DATABASE_URL=dataset.url, VETQL_JWT_SECRET=jwt_secret, VETQL_DATA_DIR=str(WORK / "data"))
    return env


async def _postmaster(url: str) -> int | None:
    conn = await asyncpg.connect(url)
    try:
        backend: int = await conn.fetchval("SELECT pg_backend_pid()")
        return local_postmaster(backend, DATABASE)
    finally:
        await conn.close()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="5 s per run (default 20 s)")
    parser.add_argument("--duration", type=float, default=None, help="seconds timed per run")
    parser.add_argument("--warmup", type=float, default=None, help="seconds of load before timing (default 3, quick 1)")
    parser.add_argument("--concurrency", type=lambda s: tuple(int(c) for c in s.split(",")), default=CONCURRENCY,
                        help="comma-separated, default 1,16")
    parser.add_argument("--targets", default=None, help="comma-separated target names (default: all)")
    parser.add_argument("--reload", action="store_true", help="reload the dataset even if it is current")
    parser.add_argument("--no-pin", action="store_true", help="do not pin server and load generator to CPUs")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    duration = args.duration if args.duration is not None else (5.0 if args.quick else 20.0)
    warmup = args.warmup if args.warmup is not None else (1.0 if args.quick else 3.0)
    wanted = {t.strip().lower() for t in args.targets.split(",")} if args.targets else None
    targets = [t for t in TARGETS if wanted is None or t.name.lower() in wanted]
    pinning = Pinning.plan(enabled=not args.no_pin)

    dataset = prepare(force=args.reload)
    jwt_secret = secrets.token_urlsafe(32)
    settings = Settings(_env_file=None, jwt_secret=jwt_secret, jwt_public_key=None, jwks_url=None,
                        jwt_audience=None, jwt_issuer=None)
    token = sign(settings, sub=dataset.admin_id, tenant_id=dataset.tenant_id, role="admin", ttl=timedelta(hours=4))
    claims = TokenVerifier(settings).verify(token)
    postmaster = asyncio.run(_postmaster(dataset.url))
    notes: dict[str, str] = {}  # per target: its runtime, its answer against VetQL's, or why it was not run

    runtime: pgl.Runtime | None = None
    if any(t.name == PEER for t in targets):
        try:
            runtime = pgl.install()
        except pgl.Unavailable as exc:
            notes[PEER] = f"NOT RUN: {exc}"
            targets = [t for t in targets if t.name != PEER]
            print(f"==> {PEER} UNAVAILABLE, the runs go on without it: {exc}", flush=True)
        else:
            notes[PEER] = runtime.describe()
            print(f"==> {runtime.describe()}", flush=True)

    print(f"==> checking structure (in-process): clinic {dataset.tenant_id}, {dataset.pets} pets, role admin",
          flush=True)
    shape = asyncio.run(structure.check(dataset.url, settings, token, claims))
    verdict = "constant" if shape.constant else "NOT CONSTANT (N+1)"
    print(f"    SQL statements per overview request: first: 5 -> {shape.statements_5}, "
          f"first: {PAGE} -> {shape.statements_50} ({verdict})")
    for i, sql in enumerate(shape.statement_texts_50, 1):
        print(f"      {i}. {' '.join(sql.split())[:150]}")
    print(f"    the floor returns the same data as VetQL (first: {PAGE}, {shape.response_bytes:,} bytes): "
          + ("yes" if shape.floor_matches else f"NO: {shape.floor_difference}"), flush=True)
    bench = Bench(dataset, jwt_secret, token, pinning, _server_env(dataset, jwt_secret), shape.response,
                  postgraphile=runtime)

    print(f"==> {pinning.describe()}")
    print(f"==> runs: {', '.join(t.name for t in targets)} x c={','.join(map(str, args.concurrency))}, "
          f"{warmup:g}+ s warm-up + {duration:g} s each", flush=True)
    load_before = os.getloadavg()
    rows: list[report.Row] = []
    for target in targets:
        try:
            server = target.start(bench)
        except pgl.Unavailable as exc:
            notes[target.name] = f"NOT RUN: {exc}"
            print(f"==> {target.name} UNAVAILABLE: {exc}", flush=True)
            continue
        try:
            if target.verify is not None:
                try:
                    checked = target.verify(bench, target)
                except pgl.Unavailable as exc:
                    notes[target.name] = f"NOT RUN: {exc}"
                    print(f"==> {target.name} answers wrongly, not measured: {exc}", flush=True)
                    continue
                notes[target.name] = "; ".join(filter(None, [notes.get(target.name), checked]))
                print(f"    {checked}", flush=True)
            for concurrency in args.concurrency:
                spec = load.LoadSpec(
                    url=target.url, body=target.body.decode(), headers={"Authorization": f"Bearer {token}"},
                    concurrency=concurrency, duration=duration, warmup=warmup, expect_pets=PAGE,
                    pets_path=target.pets_path, server_pid=server.pid, postmaster_pid=postmaster,
                    database=DATABASE, cpus=tuple(sorted(pinning.load)) if pinning.load else None,
                )
                with PeakRss(server.pid) as rss:
                    result = load.run(spec)
                rows.append(report.Row(target.name, result, rss.peak))
                print(f"    {target.name} c={concurrency}: {result.rps:.1f} req/s, p50 {result.percentile(50):.2f} ms,"
                      f" {result.failures} failures" + (f" ({result.failure_sample})" if result.failures else ""),
                      flush=True)
        finally:
            server.stop()

    print()
    print(f"Patient overview (first {PAGE} pets, {shape.response_bytes:,} bytes of JSON), "
          f"{duration:g} s per run after a warm-up of at least {warmup:g} s (and until every connection has had "
          f"a response); {pinning.describe()}")
    print(f"SQL statements per VetQL request: {shape.statements_5} for first: 5, {shape.statements_50} "
          f"for first: {PAGE} ({verdict}); floor data identical to VetQL's: {'yes' if shape.floor_matches else 'NO'}")
    for name, note in notes.items():
        print(f"{name}: {note}")
    load_after = os.getloadavg()
    print(f"Machine load average (1 min) before/after the runs: {load_before[0]:.2f} / {load_after[0]:.2f} "
          f"on {os.cpu_count()} CPUs (anything well above what the bench itself adds means shared, noisy figures)")
    print(report.table(rows))
    found = report.ratios(rows, SUBJECT)
    if found:
        print(report.ratio_lines(found, SUBJECT))
    checks = report.issue3_checks(found, tuple(args.concurrency), peer=PEER, floor=FLOOR,
                                  statements_5=shape.statements_5, statements_50=shape.statements_50)
    print(report.check_lines(checks))
    path = report.write_json({
        "command": " ".join(["python -m bench", *(argv if argv is not None else sys.argv[1:])]),
        "duration_seconds": duration,
        "warmup_seconds": warmup,
        "pinning": pinning.describe(),
        "dataset": {"database": DATABASE, "tenant_id": dataset.tenant_id, "pets": dataset.pets,
                    "reloaded": dataset.reloaded},
        "structure": {"statements_first_5": shape.statements_5, f"statements_first_{PAGE}": shape.statements_50,
                      "constant": shape.constant, "statements": shape.statement_texts_50,
                      "floor_matches_vetql": shape.floor_matches, "floor_difference": shape.floor_difference,
                      "response_bytes": shape.response_bytes},
        "ratios": found,
        "issue3_targets": [{"target": c.target, "met": c.met, "measured": c.measured} for c in checks],
        "targets": {t.name: notes.get(t.name) for t in TARGETS if wanted is None or t.name.lower() in wanted},
        "load_average_before_after": [round(load_before[0], 2), round(load_after[0], 2)],
    }, rows)
    print(f"==> wrote {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
    not_run = any(note.startswith("NOT RUN") for note in notes.values())
    failed = not shape.constant or not_run or any(r.result.failures for r in rows)
    return 1 if failed else 0


if __name__ == "__main__":
    started = time.monotonic()
    code = main()
    print(f"==> bench finished in {time.monotonic() - started:.0f} s", flush=True)
    sys.exit(code)
