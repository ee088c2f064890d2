"""The printed tables (figures beside the live-vitals targets: delivery, ingest, CPU) and the JSON file."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"

Row = tuple[str, str, str, str]  # figure, value, target, verdict


def _ms(x: Any) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.1f} ms"


def _verdict(ok: bool | None) -> str:
    return "" if ok is None else ("met" if ok else "NOT MET")


def _check(value: float | None, limit: float, cmp: Callable[[float, float], bool]) -> str:
    return _verdict(None if value is None else cmp(value, limit))


def _le(a: float, b: float) -> bool:
    return a <= b


def _ge(a: float, b: float) -> bool:
    return a >= b


def _other(run: dict[str, Any]) -> Row:
    """CPU the rest of the machine used meanwhile: above ~0.2 cores the figures are disturbed."""
    m = run["machine"]
    other = m["other_cores"]
    return ("other processes' CPU (cores), load 1m", f"{other:.3f}, {m['load_average_1m']:.2f}", "~0 (idle machine)",
            "quiet" if other < 0.2 else "DISTURBED")


def run_rows(run: dict[str, Any]) -> list[Row]:
    """A subscribers run's figures beside its targets (the targets depend on the subscriber count)."""
    return [*_latency_rows(run), *_server_rows(run), *_integrity_rows(run), *_side_rows(run),
            *_ingest_while_watched_rows(run)]


def _latency_rows(run: dict[str, Any]) -> list[Row]:
    n = run["subscribers"]
    lat = run["latency_ms"]["from_response"]
    snd = run["latency_ms"]["from_send"]
    p50, p99, mx = lat.get("p50"), lat.get("p99"), lat.get("max")
    rows: list[Row] = []
    if n == 1000 and run["scenario"] == "steady":
        rows.append(("latency p50 (receive - response)", _ms(p50), "<= 4 ms (peer 3-5)", _check(p50, 4, _le)))
        rows.append(("latency p99", _ms(p99), "<= 25 ms (peer 16-38)", _check(p99, 25, _le)))
        rows.append(("latency max", _ms(mx), "(peer 73-130 ms)", ""))
    elif n >= 5000 and run["scenario"] == "steady":
        rows.append(("latency p50 (receive - response)", _ms(p50), "", ""))
        rows.append(("latency p99", _ms(p99), "<= 250 ms", _check(p99, 250, _le)))
        rows.append(("latency max", _ms(mx), "", ""))
    else:
        rows.append(("latency p50 (receive - response)", _ms(p50), "", ""))
        rows.append(("latency p99", _ms(p99), "", ""))
        rows.append(("latency max", _ms(mx), "", ""))
    rows.append((
        "  same from send (p50 / p99 / max)",
        f"{_ms(snd.get('p50'))} / {_ms(snd.get('p99'))} / {_ms(snd.get('max'))}",
        "(upper bound)",
        "",
    ))
    rows.append((
        "events delivered (expected)",
        f"{run['events_delivered']} ({run['events_expected']})",
        "",
        "",
    ))
    rows.append(("events/s delivered", f"{run['events_per_s']:.0f}", "", ""))
    return rows


def _server_rows(run: dict[str, Any]) -> list[Row]:
    """The measured server's CPU and memory."""
    n = run["subscribers"]
    srv = run["server"]
    rows: list[Row] = []
    cpu = srv["cpu_cores"]
    writer = run.get("writer_server")
    what = "server CPU (cores), delivery only" if writer else "server CPU (cores), delivery + recordVitals"
    if n == 1000 and run["scenario"] == "steady":
        rows.append((what, f"{cpu:.3f}", "<= 0.3 (peer ~0.3)", _check(cpu, 0.3, _le)))
    else:
        rows.append((what, f"{cpu:.3f}", "", ""))
    if writer:
        rows.append(("  writer server CPU (recordVitals, cores)", f"{writer['cpu_cores']:.3f}", "", ""))
    rss = srv["rss_end_mib"]
    if n == 1000 and run["scenario"] == "steady":
        rows.append(("server RSS at end", f"{rss:.1f} MiB", "<= 300 MiB (peer ~310)", _check(rss, 300, _le)))
    else:
        rows.append(("server RSS at end", f"{rss:.1f} MiB", "", ""))
    rows.append((
        "  RSS idle / connected / peak",
        f"{srv['rss_idle_mib']:.1f} / {srv['rss_connected_mib']:.1f} / {srv['rss_peak_mib']:.1f} MiB",
        "",
        "",
    ))
    per_sub_kb = srv["rss_per_subscriber_kib"] * 1.024
    if n >= 5000:
        target = "<= 100 KB" + ("" if run["duration_s"] >= 300 else f" (held {run['duration_s']:g}s, not 300)")
        rows.append(("RSS per subscriber (end - idle)", f"{per_sub_kb:.1f} KB", target, _check(per_sub_kb, 100, _le)))
    else:
        rows.append(("RSS per subscriber (end - idle)", f"{per_sub_kb:.1f} KB", "", ""))
    if "rss_per_subscriber_connected_kb" in srv:
        rows.append(("  per subscriber once connected", f"{srv['rss_per_subscriber_connected_kb']:.1f} KB", "", ""))
    rows.append(("  RSS growth during the run", f"{srv['rss_growth_during_run_mib']:+.1f} MiB", "", ""))
    return rows


def _integrity_rows(run: dict[str, Any]) -> list[Row]:
    """Readings lost, duplicated or out of order; after a listener kill, how delivery caught up."""
    n = run["subscribers"]
    integ = run["integrity"]
    rows: list[Row] = []
    bad = integ["lost"] + integ["duplicated"] + integ["out_of_order"]
    rows.append((
        "lost / duplicated / out of order",
        f"{integ['lost']} / {integ['duplicated']} / {integ['out_of_order']}",
        "0 / 0 / 0",
        _verdict(bad == 0),
    ))
    if run["scenario"] == "kill-listener":
        k = run["kill"]
        peer = "(peer lost 2 of 6,000)" if n == 100 else "(peer lost 100 of 60,000)" if n == 1000 else ""
        rows.append(("  lost after the kill", str(integ["lost"]), f"0 {peer}", _verdict(integ["lost"] == 0)))
        gap = k["listener_gap_ms"]
        rows.append(("listener gap (kill -> new backend)", _ms(gap), "", ""))
        rows.append(("readings committed in the gap", str(k["readings_committed_in_gap"]), "", ""))
        cu = k["catch_up_s"]
        rows.append((
            "catch-up: max delay of readings around kill",
            "-" if cu is None else f"{cu:.3f} s",
            "<= 2 s",
            _check(cu, 2.0, _le),
        ))
    return rows


def _side_rows(run: dict[str, Any]) -> list[Row]:
    """Connections closed early, the other processes' CPU, the monitors, the drain and the server's stderr."""
    srv = run["server"]
    rows: list[Row] = []
    closed = run["closed_early"]
    rows.append(("subscriber connections closed early", str(closed), "0", _verdict(closed == 0)))
    rows.append(("PostgreSQL backends CPU (cores)", f"{run['postgres_cpu_cores']:.3f}", "", ""))
    if run.get("broker") == "nats":
        rows.append(("nats-server CPU (cores)", f"{run['broker_cpu_cores']:.3f}", "", ""))
    rows.append(("load generator CPU (cores)", f"{run['load_cpu_cores']:.3f}", "", ""))
    rows.append(_other(run))
    mon = run["monitors"]
    rows.append((
        "recordVitals (1 reading) p50 / p99",
        f"{_ms(mon['latency_ms'].get('p50'))} / {_ms(mon['latency_ms'].get('p99'))}",
        "",
        "",
    ))
    failed = mon["failed"]
    rows.append(("monitor readings failed / retried", f"{failed} / {mon['retried']}", "0", _verdict(failed == 0)))
    rows.append(("monitor ticks late (>100 ms) / skipped", f"{mon['late_ticks']} / {mon.get('skipped_ticks', 0)}",
                 "", ""))
    rows.append(("drain after the window (s)", f"{run['drain_s']:.1f}", "", ""))
    flagged = srv["stderr"]["flagged"]
    rows.append(("server stderr lines flagged", str(flagged), "0", _verdict(flagged == 0)))
    return rows


def _ingest_while_watched_rows(run: dict[str, Any]) -> list[Row]:
    n = run["subscribers"]
    rows: list[Row] = []
    w = run.get("ingest_while_watched")
    if w is not None:
        rate = w["readings_per_s"]
        target = ">= 2,000" if n == 1000 else ""
        rows.append((f"ingest while watched ({w['tasks']} clients x {w['batch']}, {w['duration_s']:g} s)",
                     f"{rate:.0f} readings/s", target, _check(rate, 2000, _ge) if n == 1000 else ""))
        wi = w["integrity"]
        rows.append(("  its events delivered (expected)", f"{w['events_delivered']} ({w['events_expected']})", "", ""))
        rows.append(("  its lost / duplicated / out of order",
                     f"{wi['lost']} / {wi['duplicated']} / {wi['out_of_order']}", "0 / 0 / 0",
                     _verdict(wi["lost"] + wi["duplicated"] + wi["out_of_order"] == 0)))
        wl = w["latency_ms"]
        rows.append(("  its latency p50 / p99 / max",
                     f"{_ms(wl.get('p50'))} / {_ms(wl.get('p99'))} / {_ms(wl.get('max'))}", "", ""))
        rows.append(("  batch latency p50 / p99; server CPU",
                     f"{_ms(w['batch_latency_ms'].get('p50'))} / {_ms(w['batch_latency_ms'].get('p99'))}; "
                     f"{w['server_cpu_cores']:.3f}"
                     + (f" (+ writer {w['writer_cpu_cores']:.3f})" if w.get("writer_cpu_cores") is not None else ""),
                     "", ""))
    return rows


def ingest_rows(run: dict[str, Any]) -> list[Row]:
    rate = run["readings_per_s"]
    lat = run["batch_latency_ms"]
    return [
        ("recordVitals ingest (readings/s)", f"{rate:.0f}", ">= 10,000", _check(rate, 10_000, _ge)),
        ("  batches ok / failed", f"{run['batches'] - run['failed_batches']} / {run['failed_batches']}", "", ""),
        ("  readings stored (in db)", f"{run['readings_stored']} ({run['readings_in_db']})", "", ""),
        ("  batch latency p50 / p99", f"{_ms(lat.get('p50'))} / {_ms(lat.get('p99'))}", "", ""),
        ("  server CPU (cores)", f"{run['server']['cpu_cores']:.3f}", "", ""),
        ("  PostgreSQL backends CPU (cores)", f"{run['postgres_cpu_cores']:.3f}", "", ""),
        ("  load generator CPU (cores)", f"{run['load_cpu_cores']:.3f}", "", ""),
        _other(run),
        ("  server stderr lines flagged", str(run["server"]["stderr"]["flagged"]), "0",
         _verdict(run["server"]["stderr"]["flagged"] == 0)),
    ]


def table(title: str, rows: list[Row]) -> str:
    widths = [max(len(r[i]) for r in [("figure", "value", "target", ""), *rows]) for i in range(4)]
    lines = [title]
    header = ("figure", "value", "target", "")
    for r in [header, *rows]:
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    return "\n".join(lines)


def title(run: dict[str, Any]) -> str:
    if run["scenario"] == "ingest":
        return (f"== ingest: recordVitals batches of {run['batch']} from {run['tasks']} concurrent clients, "
                f"{run['duration_s']:g} s, no subscribers ==")
    per = run["subscribers"] / run["logs"]
    kind = "listener killed mid-run" if run["scenario"] == "kill-listener" else "steady"
    compression = "on" if run["compression"] else "off"
    return (f"== {kind}: {run['subscribers']} subscribers ({per:g} per log, {run['subscriber_processes']} processes), "
            f"{run['logs']} logs at {run.get('rate_hz', 1):g} Hz, {run['duration_s']:g} s, "
            f"compression {compression}, broker {run.get('broker', 'postgres')} ==")


def render(run: dict[str, Any]) -> str:
    rows = ingest_rows(run) if run["scenario"] == "ingest" else run_rows(run)
    out = table(title(run), rows)
    prof = run.get("profile")
    if prof:
        out += f"\n  py-spy, {prof['samples']} samples ({prof['file']}); top own time:"
        for name, share in prof["self"][:12]:
            out += f"\n    {share:5.1f}%  {name}"
        out += "\n  top inclusive:"
        for name, share in prof["inclusive"][:25]:
            out += f"\n    {share:5.1f}%  {name}"
    return out


def summary(runs: list[dict[str, Any]]) -> str:
    head = ("run", "subs", "p50 ms", "p99 ms", "max ms", "ev/s", "srv CPU", "RSS MiB", "KB/sub", "lost", "dup", "ooo")
    rows = [head]
    for r in runs:
        if r["scenario"] == "ingest":
            continue
        lat = r["latency_ms"]["from_response"]
        i = r["integrity"]
        rows.append((
            r["scenario"], str(r["subscribers"]), f"{lat.get('p50', math.nan):.1f}", f"{lat.get('p99', math.nan):.1f}",
            f"{lat.get('max', math.nan):.1f}", f"{r['events_per_s']:.0f}", f"{r['server']['cpu_cores']:.3f}",
            f"{r['server']['rss_end_mib']:.1f}", f"{r['server']['rss_per_subscriber_kib'] * 1.024:.1f}",
            str(i["lost"]), str(i["duplicated"]), str(i["out_of_order"]),
        ))
    widths = [max(len(row[c]) for row in rows) for c in range(len(head))]
    return "\n".join("  ".join(v.rjust(w) for v, w in zip(row, widths, strict=True)) for row in rows)


def marginal_rss(runs: list[dict[str, Any]]) -> dict[str, float] | None:
    """RSS per extra subscriber between the smallest and largest steady runs (connected, before monitoring)."""
    steady = sorted((r for r in runs if r["scenario"] == "steady"), key=lambda r: r["subscribers"])
    if len(steady) < 2 or steady[0]["subscribers"] == steady[-1]["subscribers"]:
        return None
    lo, hi = steady[0], steady[-1]
    extra = hi["subscribers"] - lo["subscribers"]
    connected = (hi["server"]["rss_connected_mib"] - lo["server"]["rss_connected_mib"]) * 1024 * 1024 / extra / 1000
    end = (hi["server"]["rss_end_mib"] - lo["server"]["rss_end_mib"]) * 1024 * 1024 / extra / 1000
    return {"from": lo["subscribers"], "to": hi["subscribers"], "connected_kb": round(connected, 1),
            "end_kb": round(end, 1)}


def write(data: dict[str, Any], path: Path | None = None) -> Path:
    path = path or RESULTS / "latest.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    return path
