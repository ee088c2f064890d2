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

    def summary(self) -> dict[str, Any]:
        r = self.result
        return {
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
    """`subject` against every other target at each concurrency: throughput and p50/p99 ratios."""
    by_key = {(r.target, r.result.concurrency): r.result for r in rows}
    found: list[dict[str, Any]] = []
    for (target, c), other in by_key.items():
        mine = by_key.get((subject, c))
        if target == subject or mine is None:
            continue
        found.append({
            "against": target,
            "concurrency": c,
            "throughput": _round(mine.rps / other.rps if other.rps else None),
            "p50": _round(mine.percentile(50) / other.percentile(50)),
            "p99": _round(mine.percentile(99) / other.percentile(99)),
        })
    return found


def ratio_lines(found: list[dict[str, Any]], subject: str) -> str:
    return "\n".join(
        f"{subject}/{r['against']} at c={r['concurrency']}: throughput {_fmt(r['throughput'], '.3f')}x, "
        f"p50 {_fmt(r['p50'], '.2f')}x, p99 {_fmt(r['p99'], '.2f')}x"
        for r in found
    )


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
