"""Validation of vital-sign readings: ranges a living animal can show, and time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from domain.anesthesia.errors import AnesthesiaErrorCode
from domain.problems import Problem

MAX_READINGS = 500
CLOCK_SKEW = timedelta(seconds=30)

# (low, high) inclusive, in the units the API documents.
RANGES: dict[str, tuple[float, float]] = {
    "heart_rate": (0, 400),
    "respiratory_rate": (0, 200),
    "spo2": (0, 100),
    "etco2": (0, 150),
    "blood_pressure_systolic": (0, 350),
    "blood_pressure_diastolic": (0, 300),
    "blood_pressure_mean": (0, 300),
    "temperature": (20, 45),
    "iv_fluids_rate": (0, 500),
}
MEASUREMENTS = (*RANGES, "anesthesia_depth")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def validate_readings(readings: Sequence[Mapping[str, Any]], now: datetime) -> list[Problem[AnesthesiaErrorCode]]:
    """Every problem of every reading, each naming the reading and field (`vitals.3.spo2`)."""
    if not readings:
        return [Problem("vitals", AnesthesiaErrorCode.EMPTY, "Send at least one reading.")]
    if len(readings) > MAX_READINGS:
        return [Problem("vitals", AnesthesiaErrorCode.TOO_MANY_READINGS, f"At most {MAX_READINGS} readings per call.")]
    problems = []
    seen_ids: set[str] = set()
    for i, reading in enumerate(readings):
        where = f"vitals.{i}"
        if all(reading.get(m) is None for m in MEASUREMENTS):
            problems.append(Problem(where, AnesthesiaErrorCode.EMPTY, "A reading needs at least one measurement."))
        for name, (low, high) in RANGES.items():
            value = reading.get(name)
            if value is not None and not low <= value <= high:
                problems.append(
                    Problem(
                        f"{where}.{_camel(name)}",
                        AnesthesiaErrorCode.OUT_OF_RANGE,
                        f"{_camel(name)} must be between {low:g} and {high:g}, got {value:g}.",
                    )
                )
        systolic, diastolic = reading.get("blood_pressure_systolic"), reading.get("blood_pressure_diastolic")
        if systolic is not None and diastolic is not None and diastolic > systolic:
            problems.append(
                Problem(
                    f"{where}.bloodPressureDiastolic",
                    AnesthesiaErrorCode.OUT_OF_RANGE,
                    "Diastolic pressure cannot exceed systolic.",
                )
            )
        recorded_at = reading.get("recorded_at")
        if recorded_at is not None and recorded_at > now + CLOCK_SKEW:
            problems.append(
                Problem(
                    f"{where}.recordedAt",
                    AnesthesiaErrorCode.FUTURE_READING,
                    "recordedAt is in the future; check the monitor's clock.",
                )
            )
        client_id = reading.get("client_reading_id")
        if client_id is not None:
            if not 1 <= len(client_id) <= 100:
                problems.append(
                    Problem(f"{where}.clientReadingId", AnesthesiaErrorCode.INVALID, "clientReadingId: 1 to 100 chars.")
                )
            elif client_id in seen_ids:
                problems.append(
                    Problem(
                        f"{where}.clientReadingId", AnesthesiaErrorCode.INVALID, "clientReadingId repeated in batch."
                    )
                )
            seen_ids.add(client_id)
        notes = reading.get("notes")
        if notes is not None and len(notes) > 2000:
            problems.append(Problem(f"{where}.notes", AnesthesiaErrorCode.INVALID, "notes: at most 2000 characters."))
    return problems
