"""The printed table and bench/results/latest.json."""

from __future__ import annotations

import math
import platform
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from bench.load import LoadResult

RESULTS = Path(__file__).resolve().parent / "results"
MIB = 1024 * 1024


@dataclass
class Row:
    target: str
    result: LoadResult
    peak_rss_bytes: int
    query: str = "overview"

    def summary(self) -> dict[str, Any]:
        r = self.result
        return {
            "query": self.query,
            "target": self.target,
            "concurrency": r.concurrency,
            "warmup_seconds": round(r.warmup_seconds, 3),
            "requests": r.requests,
            "seconds": round(r.seconds, 3),
            "rps": round(r.rps, 2),
            "p50_ms": round(r.percentile(50), 3),
            "p90_ms": round(r.percentile(90), 3),
            "p99_ms": round(r.percentile(99), 3),
            "max_ms": round(max(r.latencies_ms, default=math.nan), 3),
            "server_cpu_ms_per_request": _round(r.per_request_ms(r.server_cpu_seconds)),
            "db_cpu_ms_per_request": _round(r.per_request_ms(r.db_cpu_seconds)),
            "generator_cpu_ms_per_request": _round(r.per_request_ms(r.generator_cpu_seconds)),
            "generator_cpu_share": round(r.generator_busy, 3),
            "peak_rss_mib": round(self.peak_rss_bytes / MIB, 1),
            "response_bytes": r.response_bytes,
            "failures": r.failures,
            "failure_sample": r.failure_sample,
        }


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else format(value, spec)


COLUMNS = ("target", "c", "requests", "req/s", "p50 ms", "p99 ms", "server CPU ms/req", "PG CPU ms/req", "peak RSS MiB",
           "gen CPU %", "failures")


def table(rows: list[Row]) -> str:
    lines = [[
        row.target,
        str(row.result.concurrency),
        str(row.result.requests),
        _fmt(row.result.rps, ".1f"),
        _fmt(row.result.percentile(50), ".2f"),
        _fmt(row.result.percentile(99), ".2f"),
        _fmt(row.result.per_request_ms(row.result.server_cpu_seconds), ".2f"),
        _fmt(row.result.per_request_ms(row.result.db_cpu_seconds), ".2f"),
        _fmt(row.peak_rss_bytes / MIB, ".1f"),
        _fmt(row.result.generator_busy * 100, ".0f"),
        str(row.result.failures),
    ] for row in rows]
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(COLUMNS)]

    def render(cells: list[str] | tuple[str, ...]) -> str:
        pairs = enumerate(zip(cells, widths, strict=True))
        return "  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in pairs)

    return "\n".join([render(COLUMNS), "  ".join("-" * w for w in widths), *(render(line) for line in lines)])


def ratios(rows: list[Row], subject: str) -> list[dict[str, Any]]:
    """`subject` against every other target for each query and concurrency: throughput, p50, p99, server CPU
    per request and peak RSS, each as subject/other (throughput above 1 and the rest below 1 favour the subject)."""
    by_key = {(r.query, r.target, r.result.concurrency): r for r in rows}
    found: list[dict[str, Any]] = []
    for (query, target, c), other_row in by_key.items():
        mine_row = by_key.get((query, subject, c))
        if target == subject or mine_row is None:
            continue
        mine, other = mine_row.result, other_row.result
        cpu_mine = mine.per_request_ms(mine.server_cpu_seconds)
        cpu_other = other.per_request_ms(other.server_cpu_seconds)
        rss_mine, rss_other = mine_row.peak_rss_bytes, other_row.peak_rss_bytes
        found.append({
            "query": query,
            "against": target,
            "concurrency": c,
            "throughput": _round(mine.rps / other.rps if other.rps else None),
            "p50": _round(mine.percentile(50) / other.percentile(50)),
            "p99": _round(mine.percentile(99) / other.percentile(99)),
            "server_cpu_per_request": _round(cpu_mine / cpu_other if cpu_mine is not None and cpu_other else None),
            "peak_rss": _round(rss_mine / rss_other if rss_other else None),
        })
    return found


def ratio_lines(found: list[dict[str, Any]], subject: str) -> str:
    return "\n".join(
        f"{subject}/{r['against']} at c={r['concurrency']}: throughput {_fmt(r['throughput'], '.3f')}x, "
        f"p50 {_fmt(r['p50'], '.2f')}x, p99 {_fmt(r['p99'], '.2f')}x, "
        f"server CPU/req {_fmt(r.get('server_cpu_per_request'), '.2f')}x, peak RSS {_fmt(r.get('peak_rss'), '.2f')}x"
        for r in sorted(found, key=lambda r: (str(r["against"]), int(r["concurrency"])))
    )


def summary_table(found: list[dict[str, Any]], queries: tuple[str, ...], concurrencies: tuple[int, ...],
                  subject: str, statements: dict[str, int]) -> str:
    """One line per query: subject's throughput and p99 as ratios to each other target, and its statements."""
    by = {(str(r.get("query", "overview")), str(r["against"]), int(r["concurrency"])): r for r in found}
    others = sorted({str(r["against"]) for r in found})
    keys = [(o, key, c) for o in others for key in ("req/s", "p99") for c in concurrencies]
    header = ["query", *(f"{key} {subject}/{o} c={c}" for o, key, c in keys), "SQL stmts/req"]

    def cell(q: str, o: str, key: str, c: int) -> str:
        value = by.get((q, o, c), {}).get("throughput" if key == "req/s" else "p99")
        return "-" if value is None else f"{value:.2f}x"

    lines = [[q, *(cell(q, o, key, c) for o, key, c in keys),
              str(statements.get(q, "-"))] for q in queries]
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]

    def render(cells: list[str]) -> str:
        pairs = enumerate(zip(cells, widths, strict=True))
        return "  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in pairs)

    return "\n".join([render(header), "  ".join("-" * w for w in widths), *(render(line) for line in lines)])


@dataclass(frozen=True)
class Check:
    """One of the overview's performance goals, as measured in this run (met None: not measured)."""

    target: str
    met: bool | None
    measured: str


def overview_goals(found: list[dict[str, Any]], concurrencies: tuple[int, ...], *, peer: str, floor: str,
                  statements_5: int, statements_50: int) -> list[Check]:
    """The overview's goals (throughput and p99 against the peer, throughput against the floor, peak RSS,
    a constant statement count of at most 3), from the ratios of this run and the statement counts."""
    by = {(str(r["against"]), int(r["concurrency"])): r for r in found if r.get("query", "overview") == "overview"}
    checks: list[Check] = []

    def ratio(against: str, c: int, key: str, want: str, bound: float, at_least: bool) -> None:
        value = by.get((against, c), {}).get(key)
        if value is None:
            checks.append(Check(f"{want} at c={c}", None, f"{against} not measured at c={c}"))
            return
        checks.append(Check(f"{want} at c={c}", value >= bound if at_least else value <= bound, f"{value:.3f}x"))

    for c in concurrencies:
        ratio(peer, c, "throughput", f"throughput >= 1.0x {peer}", 1.0, True)
        ratio(peer, c, "p99", f"p99 <= {peer}'s", 1.0, False)
        ratio(floor, c, "throughput", f"throughput >= 0.6x {floor}", 0.6, True)
        ratio(peer, c, "peak_rss", f"server peak RSS <= {peer}'s", 1.0, False)
    checks.append(Check(
        "SQL statements per request the same for 5 and 50 pets, and <= 3",
        statements_5 == statements_50 and statements_50 <= 3,
        f"{statements_5} for first: 5, {statements_50} for first: 50",
    ))
    return checks


def wide_goals(found: list[dict[str, Any]], concurrencies: tuple[int, ...], *, peer: str,
               statements_5: int, statements_50: int) -> list[Check]:
    """The wide overview's goals (issue 9): throughput >= 1.0x the peer's and p99 <= the peer's at each
    concurrency, and at most 3 statements per request, the same for 5 and 50 pets."""
    by = {(str(r["against"]), int(r["concurrency"])): r for r in found if r.get("query") == "wide"}
    checks: list[Check] = []
    for c in concurrencies:
        row = by.get((peer, c))
        if row is None:
            checks.append(Check(f"throughput >= 1.0x {peer} at c={c}", None, f"{peer} not measured at c={c}"))
            checks.append(Check(f"p99 <= {peer}'s at c={c}", None, f"{peer} not measured at c={c}"))
            continue
        for key, want, at_least in (("throughput", f"throughput >= 1.0x {peer}", True),
                                    ("p99", f"p99 <= {peer}'s", False)):
            value = row.get(key)
            met = None if value is None else (value >= 1.0 if at_least else value <= 1.0)
            checks.append(Check(f"{want} at c={c}", met, "-" if value is None else f"{value:.3f}x"))
    checks.append(Check(
        "SQL statements per request the same for 5 and 50 pets, and <= 3",
        statements_5 == statements_50 and statements_50 <= 3,
        f"{statements_5} for first: 5, {statements_50} for first: 50",
    ))
    return checks


def check_lines(checks: list[Check], title: str = "overview") -> str:
    met = sum(1 for c in checks if c.met)
    lines = [f"Performance goals ({title}): {met} of {len(checks)} met in this run"]
    for c in checks:
        mark = {True: "met    ", False: "NOT met", None: "n/a    "}[c.met]
        lines.append(f"  [{mark}] {c.target}: {c.measured}")
    return "\n".join(lines)


def write_json(payload: dict[str, Any], rows: list[Row]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "latest.json"
    document = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": __import__("os").cpu_count()},
        **payload,
        "runs": [row.summary() for row in rows],
    }
    path.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
    return path
