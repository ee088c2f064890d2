"""`python -m bench [--quick] [--duration S] [--queries overview,pet,today,wide]`: the read benchmark in one command.

Queries (bench/query.py): the patient overview (first 50 pets), a single pet
with everything, today's appointments with pet, alerts and room (first 50), and
the wide overview (the overview's pets with every field of every type it touches).

1. Load the benchmark dataset into `vetql_bench` (once; see bench/dataset.py),
   and fix what the queries ask about: the pet, the clinic's day (bench/workload.py).
2. Check structure in-process: SQL statements per VetQL request for each query
   (the overview and the wide one also for first: 5), and that the raw-SQL floor returns the
   same data as VetQL, byte for byte once parsed.
3. For each target (a server started once as a subprocess, pinned to one CPU),
   for each query: check its answer against VetQL's (PostGraphile: value by
   value, with what differs and why), then drive it at each concurrency from
   a load generator process pinned to the other CPU, and measure throughput,
   latency, server and PostgreSQL CPU per request and the server's peak RSS.
4. Print a table per query and the ratios; write bench/results/latest.json.

A target is one entry of TARGETS: a name, a function that starts it and
returns its ServerProcess, the URL to POST to, a function giving its request
body for each query (PostGraphile's schema differs; the floor takes VetQL's),
and optionally a check of its answers against VetQL's, run before its timed runs.

PostGraphile v5 (bench/postgraphile_target.py, bench/postgraphile/server.mjs)
is installed from npm into bench/.work/ on the first run, with a Node 22
from npm; it verifies the same token and runs as vetql_app with the same
claims. The report ends with the ratios VetQL/PostGraphile and VetQL/floor
and which of the overview's and the wide overview's performance goals this run meets.
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
from typing import Any

import asyncpg
import orjson

from bench import load, report, structure, workload
from bench import postgraphile_target as pgl
from bench import query as queries
from bench.dataset import DATABASE, Dataset, prepare
from bench.query import PAGE, PATHS, QUERIES, TITLES, Params
from bench.server import WORK, PeakRss, Pinning, ServerProcess, local_postmasters
from server.auth import TokenVerifier, sign
from server.settings import Settings

BIN = Path(sys.executable).parent
VETQL_PORT = 8765
FLOOR_PORT = 8766
POSTGRAPHILE_PORT = pgl.PORT
CONCURRENCY = (1, 16)
SUBJECT = "VetQL"  # the target the ratios are about
PEER = "PostGraphile"  # the peer the read path is compared against
FLOOR = "floor"


@dataclass(frozen=True)
class Bench:
    """What every target's start function gets."""

    dataset: Dataset
    jwt_secret: str
    token: str
    pinning: Pinning
    env: dict[str, str]  # the servers' environment: DATABASE_URL, VETQL_JWT_SECRET, ...
    params: Params  # the pet and the day the queries ask about
    vetql: dict[str, structure.QueryCheck]  # VetQL's answer to each query, from the structure check
    postgraphile: pgl.Runtime | None = None  # installed before the runs when PostGraphile is a target


@dataclass(frozen=True)
class Target:
    name: str
    start: Callable[[Bench], ServerProcess]
    url: str
    body: Callable[[str, Params], bytes] = field(default=queries.body)  # (query, params) -> POST body
    # Checks the running target's answer to a query against VetQL's; returns lines for the report.
    verify: Callable[[Bench, Target, str], str] | None = None


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


def _explain_extras(url: str) -> Callable[[str, list[str]], str]:
    """Why PostGraphile returns rows VetQL leaves out, read from the database (alerts: expired ones)."""

    async def alerts(ids: list[str]) -> str:
        conn = await asyncpg.connect(url)
        try:
            row = await conn.fetchrow(
                "SELECT count(*) AS n, count(*) FILTER (WHERE is_active AND expires_at <= now()) AS expired,"
                " min(expires_at) AS first, max(expires_at) AS last FROM patient_alerts WHERE id = ANY($1::uuid[])",
                ids)
        finally:
            await conn.close()
        assert row is not None
        if row["n"] and row["expired"] == row["n"]:
            return (f"all {row['n']} are active (is_active) but expired (expires_at {row['first']:%Y-%m-%d} .. "
                    f"{row['last']:%Y-%m-%d}, before now): VetQL's activeOnly leaves expired alerts out, "
                    "PostGraphile's condition {isActive: true} is equality only and cannot")
        return f"{row['expired']} of {row['n']} are active but expired; the others are NOT explained"

    def explain(name: str, ids: list[str]) -> str:
        if name == "alerts":
            return asyncio.run(alerts(ids))
        return "not explained (a real difference)"

    return explain


def verify_postgraphile(bench: Bench, target: Target, name: str) -> str:
    answer = pgl.fetch(target.url, target.body(name, bench.params), bench.token)
    mine = bench.vetql[name]
    comparison = pgl.compare(name, mine.response, answer, _explain_extras(bench.dataset.url))
    if comparison.items != mine.items:
        raise pgl.Unavailable(f"PostGraphile returned {comparison.items} items for {name}, VetQL {mine.items}")
    unexplained = [k for k, why in comparison.explained.items() if "NOT explained" in why or "not explained" in why]
    if not comparison.same_rows or unexplained:
        print(comparison.describe(mine.response_bytes), flush=True)
        raise pgl.Unavailable(f"PostGraphile's answer to {name} differs from VetQL's (above)")
    return comparison.describe(mine.response_bytes)


def verify_floor(bench: Bench, target: Target, name: str) -> str:
    """The running floor server's answer against VetQL's (the in-process check compared the SQL already)."""
    answer = pgl.fetch(target.url, target.body(name, bench.params), bench.token)
    difference = structure.first_difference(orjson.loads(bench.vetql[name].response), orjson.loads(answer))
    if difference is not None:
        raise pgl.Unavailable(f"the floor's answer to {name} differs from VetQL's: {difference}")
    return f"floor, {name}: {len(answer):,} bytes, the same JSON as VetQL's"


TARGETS: list[Target] = [
    Target(SUBJECT, start_vetql, f"http://127.0.0.1:{VETQL_PORT}/graphql"),
    Target(PEER, start_postgraphile, f"http://127.0.0.1:{POSTGRAPHILE_PORT}/graphql",
           body=pgl.body, verify=verify_postgraphile),
    Target(FLOOR, start_floor, f"http://127.0.0.1:{FLOOR_PORT}/graphql", verify=verify_floor),
]


def _server_env(dataset: Dataset, jwt_secret: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("VETQL_JWKS_URL", "VETQL_JWT_PUBLIC_KEY", "VETQL_JWT_AUDIENCE", "VETQL_JWT_ISSUER")}
    env.update(DATABASE_URL=dataset.url, VETQL_JWT_SECRET=jwt_secret, VETQL_DATA_DIR=str(WORK / "data"))
    return env


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="5 s per run (default 12 s)")
    parser.add_argument("--duration", type=float, default=None, help="seconds timed per run")
    parser.add_argument("--warmup", type=float, default=None, help="seconds of load before timing (default 2, quick 1)")
    parser.add_argument("--queries", default=",".join(QUERIES),
                        help=f"comma-separated, any of {','.join(QUERIES)} (default: all)")
    parser.add_argument("--concurrency", type=lambda s: tuple(int(c) for c in s.split(",")), default=CONCURRENCY,
                        help="comma-separated, default 1,16")
    parser.add_argument("--targets", default=None, help="comma-separated target names (default: all)")
    parser.add_argument("--reload", action="store_true", help="reload the dataset even if it is current")
    parser.add_argument("--no-pin", action="store_true", help="do not pin server and load generator to CPUs")
    return parser


@dataclass(frozen=True)
class Plan:
    """What the command line asks for."""

    duration: float
    warmup: float
    queries: tuple[str, ...]
    concurrency: tuple[int, ...]
    wanted: set[str] | None  # target names (lower case), None for all
    reload: bool
    pin: bool

    @classmethod
    def of(cls, args: argparse.Namespace) -> Plan:
        chosen = tuple(q.strip().lower() for q in args.queries.split(",") if q.strip())
        unknown = [q for q in chosen if q not in QUERIES]
        if unknown or not chosen:
            raise SystemExit(f"bench: --queries takes any of {','.join(QUERIES)}, not {args.queries!r}")
        return cls(
            duration=args.duration if args.duration is not None else (5.0 if args.quick else 12.0),
            warmup=args.warmup if args.warmup is not None else (1.0 if args.quick else 2.0),
            queries=tuple(q for q in QUERIES if q in chosen),
            concurrency=tuple(args.concurrency),
            wanted={t.strip().lower() for t in args.targets.split(",")} if args.targets else None,
            reload=args.reload,
            pin=not args.no_pin,
        )

    def targets(self) -> list[Target]:
        return [t for t in TARGETS if self.wanted is None or t.name.lower() in self.wanted]


def _install_postgraphile(targets: list[Target], notes: dict[str, str]) -> tuple[pgl.Runtime | None, list[Target]]:
    """PostGraphile's runtime when it is a target, and the targets left to run (without it if it failed)."""
    if not any(t.name == PEER for t in targets):
        return None, targets
    try:
        runtime = pgl.install()
    except pgl.Unavailable as exc:
        notes[PEER] = f"NOT RUN: {exc}"
        print(f"==> {PEER} UNAVAILABLE, the runs go on without it: {exc}", flush=True)
        return None, [t for t in targets if t.name != PEER]
    notes[PEER] = runtime.describe()
    print(f"==> {runtime.describe()}", flush=True)
    return runtime, targets


def _print_structure(checked: dict[str, structure.QueryCheck]) -> None:
    for name, shape in checked.items():
        count = f"{shape.statements}"
        if shape.statements_5 is not None:
            verdict = "constant" if shape.constant else "NOT CONSTANT (N+1)"
            count = f"first: 5 -> {shape.statements_5}, first: {PAGE} -> {shape.statements} ({verdict})"
        print(f"    {name}: {shape.items} item(s), {shape.response_bytes:,} bytes; SQL statements per VetQL request: "
              f"{count}")
        for i, sql in enumerate(shape.statement_texts, 1):
            print(f"      {i}. {' '.join(sql.split())[:150]}")
        print(f"    {name}: the floor returns the same data as VetQL: "
              + ("yes" if shape.floor_matches else f"NO: {shape.floor_difference}"), flush=True)
    if "today" in checked:
        edges = queries.items_at(orjson.loads(checked["today"].response), PATHS["today"])
        rooms = sum(1 for e in edges if e["node"]["room"] is not None)
        alerts = sum(len(e["node"]["pet"]["alerts"]) for e in edges if e["node"]["pet"])
        print(f"    today: {len(edges)} appointments, {rooms} with a room (a completed visit has released its room), "
              f"{alerts} active alerts on their pets", flush=True)


@dataclass
class Measured:
    """What the timed runs found: a row per (target, query, concurrency) and each target's verified answers."""

    rows: list[report.Row] = field(default_factory=list)
    verified: dict[str, list[str]] = field(default_factory=dict)


def _measure_target(bench: Bench, plan: Plan, target: Target, server: ServerProcess, postmasters: tuple[int, ...],
                    notes: dict[str, str], measured: Measured) -> None:
    """Each query against one running target: its answer checked, then timed at each concurrency."""
    for name in plan.queries:
        if target.verify is not None:
            try:
                line = target.verify(bench, target, name)
            except pgl.Unavailable as exc:
                notes[f"{target.name} {name}"] = f"NOT RUN: {exc}"
                print(f"==> {target.name} answers {name} wrongly, not measured: {exc}", flush=True)
                continue
            measured.verified.setdefault(target.name, []).append(line)
            print("    " + line.replace("\n", "\n    "), flush=True)
        body = target.body(name, bench.params)
        for concurrency in plan.concurrency:
            spec = load.LoadSpec(
                url=target.url, body=body.decode(), headers={"Authorization": f"Bearer {bench.token}"},
                concurrency=concurrency, duration=plan.duration, warmup=plan.warmup,
                expect_items=bench.vetql[name].items, items_path=PATHS[name], server_pid=server.pid,
                postmaster_pids=postmasters, database=DATABASE,
                cpus=tuple(sorted(bench.pinning.load)) if bench.pinning.load else None,
            )
            with PeakRss(server.pid) as rss:
                result = load.run(spec)
            measured.rows.append(report.Row(target.name, result, rss.peak, query=name))
            print(f"    {target.name} {name} c={concurrency}: {result.rps:.1f} req/s, "
                  f"p50 {result.percentile(50):.2f} ms, {result.failures} failures"
                  + (f" ({result.failure_sample})" if result.failures else ""), flush=True)


def _measure(bench: Bench, plan: Plan, targets: list[Target], postmasters: tuple[int, ...],
             notes: dict[str, str]) -> Measured:
    """Start each target once, measure it, stop it; a target that cannot start is noted and skipped."""
    measured = Measured()
    for target in targets:
        try:
            server = target.start(bench)
        except pgl.Unavailable as exc:
            notes[target.name] = f"NOT RUN: {exc}"
            print(f"==> {target.name} UNAVAILABLE: {exc}", flush=True)
            continue
        try:
            _measure_target(bench, plan, target, server, postmasters, notes, measured)
        finally:
            server.stop()
    return measured


def _print_report(bench: Bench, plan: Plan, measured: Measured, found: list[dict[str, Any]],
                  notes: dict[str, str], load_average: tuple[float, float]) -> dict[str, list[report.Check]]:
    """The tables, the ratios and the performance goals (overview, wide overview); returns the goals' checks."""
    dataset, params, checked = bench.dataset, bench.params, bench.vetql
    print()
    print(f"{plan.duration:g} s per run after a warm-up of at least {plan.warmup:g} s (and until every connection "
          f"has had a response); {bench.pinning.describe()}")
    print(f"Clinic {dataset.tenant_id} ({dataset.pets} pets), role admin; the single pet {params.pet_id}; "
          f"the day {params.day} ({params.day_note})")
    for name, note in notes.items():
        print(f"{name}: {note}")
    for name, lines in measured.verified.items():
        if name != FLOOR:
            print("\n".join(lines))
    print(f"Machine load average (1 min) before/after the runs: {load_average[0]:.2f} / {load_average[1]:.2f} "
          f"on {os.cpu_count()} CPUs (anything well above what the bench itself adds means shared, noisy figures)")
    for name in plan.queries:
        shape = checked[name]
        statements = (f"{shape.statements_5} for first: 5, {shape.statements} for first: {PAGE}"
                      if shape.statements_5 is not None else f"{shape.statements}")
        print()
        print(f"== {TITLES[name]}: {shape.items} item(s), {shape.response_bytes:,} bytes of JSON from VetQL; "
              f"SQL statements per VetQL request: {statements}; floor data identical to VetQL's: "
              f"{'yes' if shape.floor_matches else 'NO'}")
        mine = [r for r in measured.rows if r.query == name]
        if mine:
            print(report.table(mine))
        ratio_text = report.ratio_lines([r for r in found if r["query"] == name], SUBJECT)
        if ratio_text:
            print(ratio_text)
    print()
    print(f"Ratios {SUBJECT}/other per query (req/s above 1 and p99 below 1 favour {SUBJECT}):")
    print(report.summary_table(found, plan.queries, plan.concurrency, SUBJECT,
                               {n: c.statements for n, c in checked.items()}))
    goals = _goals(found, plan, checked)
    for title, checks in goals.items():
        print()
        print(report.check_lines(checks, TITLES_OF_GOALS[title]))
    return goals


TITLES_OF_GOALS = {"overview": "overview", "wide": "wide overview"}


def _goals(found: list[dict[str, Any]], plan: Plan,
           checked: dict[str, structure.QueryCheck]) -> dict[str, list[report.Check]]:
    """The performance goals of the overview and the wide overview, for those of them this run measured."""
    goals: dict[str, list[report.Check]] = {}
    if "overview" in checked:
        overview = checked["overview"]
        goals["overview"] = report.overview_goals(found, plan.concurrency, peer=PEER, floor=FLOOR,
                                                  statements_5=overview.statements_5 or 0,
                                                  statements_50=overview.statements)
    if "wide" in checked:
        wide = checked["wide"]
        goals["wide"] = report.wide_goals(found, plan.concurrency, peer=PEER, statements_5=wide.statements_5 or 0,
                                          statements_50=wide.statements)
    return goals


def _write_results(argv: list[str] | None, bench: Bench, plan: Plan, measured: Measured,
                   found: list[dict[str, Any]], goals: dict[str, list[report.Check]], notes: dict[str, str],
                   load_average: tuple[float, float]) -> None:
    dataset, params = bench.dataset, bench.params
    path = report.write_json({
        "command": " ".join(["python -m bench", *(argv if argv is not None else sys.argv[1:])]),
        "duration_seconds": plan.duration,
        "warmup_seconds": plan.warmup,
        "pinning": bench.pinning.describe(),
        "dataset": {"database": DATABASE, "tenant_id": dataset.tenant_id, "pets": dataset.pets,
                    "reloaded": dataset.reloaded},
        "queries": list(plan.queries),
        "params": {"pet_id": params.pet_id, "day": params.day, "day_from": params.day_from.isoformat(),
                   "day_before": params.day_before.isoformat(), "day_note": params.day_note},
        "structure": {name: {"statements": c.statements, "statements_first_5": c.statements_5,
                             "constant": c.constant, "statement_texts": c.statement_texts, "items": c.items,
                             "floor_matches_vetql": c.floor_matches, "floor_difference": c.floor_difference,
                             "response_bytes": c.response_bytes} for name, c in bench.vetql.items()},
        "verified": measured.verified,
        "ratios": found,
        **{f"{name}_goals": [{"target": c.target, "met": c.met, "measured": c.measured} for c in checks]
           for name, checks in goals.items()},
        "targets": {t.name: notes.get(t.name) for t in plan.targets()},
        "notes": notes,
        "load_average_before_after": [round(load_average[0], 2), round(load_average[1], 2)],
    }, measured.rows)
    print(f"==> wrote {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")


def main(argv: list[str] | None = None) -> int:
    plan = Plan.of(_parser().parse_args(argv))
    pinning = Pinning.plan(enabled=plan.pin)
    dataset = prepare(force=plan.reload)
    jwt_secret = secrets.token_urlsafe(32)
    settings = Settings(_env_file=None, jwt_secret=jwt_secret, jwt_public_key=None, jwks_url=None,
                        jwt_audience=None, jwt_issuer=None)
    token = sign(settings, sub=dataset.admin_id, tenant_id=dataset.tenant_id, role="admin", ttl=timedelta(hours=4))
    claims = TokenVerifier(settings).verify(token)
    postmasters = asyncio.run(local_postmasters(dataset.url, DATABASE))
    notes: dict[str, str] = {}  # per target: its runtime, its answer against VetQL's, or why it was not run
    runtime, targets = _install_postgraphile(plan.targets(), notes)

    params = workload.pick(dataset.url, dataset.tenant_id)
    print(f"==> queries: {', '.join(plan.queries)}; the single pet: {params.pet_id} "
          f"({queries.global_id('Pet', params.pet_id)}); the day: {params.day} ({params.day_note})", flush=True)
    print(f"==> checking structure (in-process): clinic {dataset.tenant_id}, {dataset.pets} pets, role admin",
          flush=True)
    checked = asyncio.run(structure.check(dataset.url, settings, token, claims, params, plan.queries))
    _print_structure(checked)
    bench = Bench(dataset, jwt_secret, token, pinning, _server_env(dataset, jwt_secret), params, checked,
                  postgraphile=runtime)

    print(f"==> {pinning.describe()}")
    print(f"==> runs: {', '.join(t.name for t in targets)} x {', '.join(plan.queries)} x "
          f"c={','.join(map(str, plan.concurrency))}, {plan.warmup:g}+ s warm-up + {plan.duration:g} s each",
          flush=True)
    before = os.getloadavg()[0]
    measured = _measure(bench, plan, targets, postmasters, notes)
    load_average = (before, os.getloadavg()[0])

    found = report.ratios(measured.rows, SUBJECT)
    goals = _print_report(bench, plan, measured, found, notes, load_average)
    _write_results(argv, bench, plan, measured, found, goals, notes, load_average)
    not_run = any(note.startswith("NOT RUN") for note in notes.values())
    failed = (not all(c.constant for c in checked.values()) or not all(c.floor_matches for c in checked.values())
              or not_run or any(r.result.failures for r in measured.rows))
    return 1 if failed else 0


if __name__ == "__main__":
    started = time.monotonic()
    code = main()
    print(f"==> bench finished in {time.monotonic() - started:.0f} s", flush=True)
    sys.exit(code)
