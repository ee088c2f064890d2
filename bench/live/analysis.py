"""From raw receive times and monitor records to figures: latency, delivery, integrity, catch-up."""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from bench.live.monitors import Reading
from bench.live.server import Kill
from bench.live.subscribers import SubscriberResult


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values (q in 0..100)."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def summary_ms(values: Iterable[float]) -> dict[str, float]:
    """p50/p90/p99/p99.9/max/min of seconds, in milliseconds."""
    ordered = sorted(values)
    if not ordered:
        return {"count": 0}
    out: dict[str, float] = {"count": len(ordered)}
    for name, q in (("p50", 50), ("p90", 90), ("p99", 99), ("p99_9", 99.9)):
        out[name] = round(percentile(ordered, q) * 1000, 3)
    out["max"] = round(ordered[-1] * 1000, 3)
    out["min"] = round(ordered[0] * 1000, 3)
    out["mean"] = round(sum(ordered) / len(ordered) * 1000, 3)
    return out


def integrity(subs: Sequence[SubscriberResult], readings: Sequence[Reading]) -> dict[str, Any]:
    """Per subscriber: every stored reading of its log exactly once and in order."""
    expected: dict[int, set[int]] = defaultdict(set)
    for r in readings:
        if r.ok:
            expected[r.log].add(r.seq)
    lost = duplicated = out_of_order = extra = 0
    bad_subs = 0
    worst: list[dict[str, Any]] = []
    for sub in subs:
        seqs = [seq for seq, _, _ in sub.events]
        got = set(seqs)
        s_lost = len(expected[sub.log] - got)
        s_dup = len(seqs) - len(got)
        s_ooo = sum(1 for a, b in itertools.pairwise(seqs) if b < a)
        s_extra = len(got - expected[sub.log])
        lost += s_lost
        duplicated += s_dup
        out_of_order += s_ooo
        extra += s_extra
        if s_lost or s_dup or s_ooo:
            bad_subs += 1
            if len(worst) < 5:
                missing = sorted(expected[sub.log] - got)
                worst.append(
                    {"subscriber": sub.index, "log": sub.log, "lost": s_lost, "duplicated": s_dup,
                     "out_of_order": s_ooo, "missing_seqs": missing[:20], "errors": sub.errors[:3],
                     "close_code": sub.close_code, "closed_early": sub.closed_early}
                )
    return {
        "lost": lost,
        "duplicated": duplicated,
        "out_of_order": out_of_order,
        "unexpected": extra,  # received, though the monitor never got a success for it (a failed reading)
        "subscribers_with_problems": bad_subs,
        "examples": worst,
    }


def latencies(
    subs: Sequence[SubscriberResult], readings: Sequence[Reading], *, first_seq: int = 1
) -> tuple[list[float], list[float], list[tuple[float, float, int]]]:
    """(receive - mutation response, receive - mutation send, [(response time, latency, subscriber)])."""
    by_key = {(r.log, r.seq): r for r in readings if r.ok}
    from_response: list[float] = []
    from_send: list[float] = []
    timeline: list[tuple[float, float, int]] = []
    for sub in subs:
        for seq, _, received in sub.events:
            if seq < first_seq:
                continue
            r = by_key.get((sub.log, seq))
            if r is None:
                continue
            from_response.append(received - r.responded)
            from_send.append(received - r.sent)
            timeline.append((r.responded, received - r.responded, sub.index))
    return from_response, from_send, timeline


def catch_up(
    timeline: Sequence[tuple[float, float, int]], readings: Sequence[Reading], kill: Kill, after: float = 5.0
) -> dict[str, Any]:
    """How the kill showed: the gap, the readings committed in it, and their worst delay to any subscriber."""
    back = kill.reconnected_at if kill.reconnected_at is not None else kill.at
    window_start, window_end = kill.at - 1.0, back + after
    near = [lat for responded, lat, _ in timeline if window_start <= responded <= window_end]
    in_gap = [lat for responded, lat, _ in timeline if kill.at <= responded <= back]
    per_sub: dict[int, float] = {}
    for responded, lat, sub in timeline:
        if window_start <= responded <= window_end:
            per_sub[sub] = max(per_sub.get(sub, 0.0), lat)
    gap_readings = sum(1 for r in readings if r.ok and kill.at <= r.responded <= back)
    worst = sorted(per_sub.values())
    return {
        "killed_pids": kill.pids,
        "listener_gap_ms": None if kill.reconnected_at is None else round((back - kill.at) * 1000, 1),
        "readings_committed_in_gap": gap_readings,
        "max_delay_in_gap_readings_ms": round(max(in_gap) * 1000, 1) if in_gap else None,
        # every reading committed from 1 s before the kill to `after` s after the listener was back:
        "catch_up_s": round(max(near), 3) if near else None,
        "per_subscriber_worst_p50_ms": round(percentile(worst, 50) * 1000, 1) if worst else None,
        "window": f"readings committed from 1 s before the kill to {after:g} s after the new listener connected",
    }


def mutation_summary(readings: Sequence[Reading]) -> dict[str, Any]:
    ok = [r for r in readings if r.ok]
    return {
        "readings": len(readings),
        "failed": len(readings) - len(ok),
        "retried": sum(1 for r in readings if r.attempts > 1),
        "duplicates_reported": sum(r.duplicates for r in readings),
        "latency_ms": summary_ms(r.responded - r.sent for r in ok),
        "errors": sorted({r.error for r in readings if r.error})[:5],
    }
