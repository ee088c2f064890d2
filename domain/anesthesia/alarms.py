"""Alarm rules and transitions: which alarm each reading calls for, and what changes.

Rules come in families (SpO2, blood pressure, heart rate, EtCO2, temperature,
depth). Within a family the most severe matching rule wins, so a log has at
most one open alarm per family; a new grade clears the old one and raises
the new. A reading that lacks a family's parameter leaves that family as it
was: a missing value is not a normal one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from db.session import Row

Reading = Row  # a stored reading, as the db layer returns it


@dataclass(frozen=True, slots=True)
class Alarm:
    kind: str
    family: str
    severity: str  # warning | critical
    message: str
    value: float | None
    threshold: float | None


@dataclass(frozen=True, slots=True)
class Transition:
    transition: str  # raised | cleared
    family: str
    alarm: Alarm | None  # the alarm raised; None for a clear


def _num(reading: Reading, name: str) -> float | None:
    value = reading.get(name)
    return None if value is None else float(value)


Judge = Callable[[Reading, Mapping[str, float]], tuple[bool, Alarm | None]]
# (judged, alarm): judged is False when the reading lacks the parameter.


def _spo2(r: Reading, t: Mapping[str, float]) -> tuple[bool, Alarm | None]:
    v = _num(r, "spo2")
    if v is None:
        return False, None
    if v < t["spo2_critical"]:
        return True, Alarm(
            "severe_hypoxemia", "spo2", "critical", f"SpO2 {v:g}% (< {t['spo2_critical']:g})", v, t["spo2_critical"]
        )
    if v < t["spo2_warning"]:
        return True, Alarm(
            "hypoxemia", "spo2", "warning", f"SpO2 {v:g}% (< {t['spo2_warning']:g})", v, t["spo2_warning"]
        )
    return True, None


def _pressure(r: Reading, t: Mapping[str, float]) -> tuple[bool, Alarm | None]:
    mean, sys = _num(r, "blood_pressure_mean"), _num(r, "blood_pressure_systolic")
    if mean is None and sys is None:
        return False, None
    for grade, severity, kind in (
        ("critical", "critical", "severe_hypotension"),
        ("warning", "warning", "hypotension"),
    ):
        if mean is not None and mean < t[f"map_{grade}"]:
            return True, Alarm(
                kind,
                "blood_pressure",
                severity,
                f"MAP {mean:g} mmHg (< {t[f'map_{grade}']:g})",
                mean,
                t[f"map_{grade}"],
            )
        if sys is not None and sys < t[f"sap_{grade}"]:
            return True, Alarm(
                kind,
                "blood_pressure",
                severity,
                f"systolic {sys:g} mmHg (< {t[f'sap_{grade}']:g})",
                sys,
                t[f"sap_{grade}"],
            )
    return True, None


def _heart_rate(r: Reading, t: Mapping[str, float]) -> tuple[bool, Alarm | None]:
    v = _num(r, "heart_rate")
    if v is None or "heart_rate_low" not in t:
        return False, None
    if v < t["heart_rate_low"]:
        return True, Alarm(
            "bradycardia",
            "heart_rate",
            "warning",
            f"heart rate {v:g}/min (< {t['heart_rate_low']:g})",
            v,
            t["heart_rate_low"],
        )
    if v > t["heart_rate_high"]:
        return True, Alarm(
            "tachycardia",
            "heart_rate",
            "warning",
            f"heart rate {v:g}/min (> {t['heart_rate_high']:g})",
            v,
            t["heart_rate_high"],
        )
    return True, None


def _etco2(r: Reading, t: Mapping[str, float]) -> tuple[bool, Alarm | None]:
    v = _num(r, "etco2")
    if v is None:
        return False, None
    if v > t["etco2_critical"]:
        return True, Alarm(
            "severe_hypercapnia",
            "etco2",
            "critical",
            f"EtCO2 {v:g} mmHg (> {t['etco2_critical']:g})",
            v,
            t["etco2_critical"],
        )
    if v > t["etco2_warning"]:
        return True, Alarm(
            "hypercapnia", "etco2", "warning", f"EtCO2 {v:g} mmHg (> {t['etco2_warning']:g})", v, t["etco2_warning"]
        )
    return True, None


def _temperature(r: Reading, t: Mapping[str, float]) -> tuple[bool, Alarm | None]:
    v = _num(r, "temperature")
    if v is None:
        return False, None
    for grade, severity in (("severe", "critical"), ("moderate", "warning"), ("mild", "warning")):
        limit = t[f"temp_{grade}"]
        if v < limit:
            return True, Alarm(
                f"{grade}_hypothermia", "temperature", severity, f"temperature {v:g} C (< {limit:g})", v, limit
            )
    return True, None


def _depth(r: Reading, t: Mapping[str, float]) -> tuple[bool, Alarm | None]:
    depth = r.get("anesthesia_depth")
    if depth is None:
        return False, None
    if depth == "too_deep":
        return True, Alarm("too_deep", "depth", "critical", "anesthesia too deep", None, None)
    return True, None


RULES: tuple[tuple[str, Judge], ...] = (
    ("spo2", _spo2),
    ("blood_pressure", _pressure),
    ("heart_rate", _heart_rate),
    ("etco2", _etco2),
    ("temperature", _temperature),
    ("depth", _depth),
)


def evaluate(
    readings: Sequence[Reading], thresholds: Mapping[str, float], open_kinds: dict[str, str]
) -> list[tuple[int, Transition]]:
    """Transitions caused by `readings` (in order), given the open alarm kind per family.

    Returns (index of the reading that caused it, transition); updates `open_kinds`.
    """
    out: list[tuple[int, Transition]] = []
    for i, reading in enumerate(readings):
        for family, judge in RULES:
            judged, alarm = judge(reading, thresholds)
            if not judged:
                continue
            current = open_kinds.get(family)
            wanted = alarm.kind if alarm else None
            if current == wanted:
                continue
            if current is not None:
                out.append((i, Transition("cleared", family, None)))
                del open_kinds[family]
            if alarm is not None:
                out.append((i, Transition("raised", family, alarm)))
                open_kinds[family] = alarm.kind
    return out
