"""Pure rules of visit notes and vaccines: plausible findings, dates in order, text lengths."""

from __future__ import annotations

from datetime import date

from domain.problems import Problem
from domain.visits.errors import VisitErrorCode as Code

MAX_TEXT = 10_000
MAX_PROBLEMS = 50


def words(field: str, value: str | None, *, most: int = MAX_TEXT) -> list[Problem[Code]]:
    if value is not None and (not value.strip() or len(value) > most):
        return [Problem(field, Code.OUT_OF_RANGE, f"1 to {most} characters.")]
    return []


def findings(
    weight_kg: float | None, temperature_c: float | None, heart_rate: int | None, respiratory_rate: int | None
) -> list[Problem[Code]]:
    """The objective part: values a living animal can show."""
    problems: list[Problem[Code]] = []
    for field, value, low, high in (
        ("weightKg", weight_kg, 0.001, 1999.99),
        ("temperatureC", temperature_c, 20, 45),
        ("heartRate", heart_rate, 1, 500),
        ("respiratoryRate", respiratory_rate, 1, 300),
    ):
        if value is not None and not low <= value <= high:
            problems.append(Problem(field, Code.OUT_OF_RANGE, f"Between {low} and {high}."))
    return problems


def vaccine_dates(given: date, next_dose: date | None, lot_expiry: date | None) -> list[Problem[Code]]:
    problems: list[Problem[Code]] = []
    if next_dose is not None and next_dose <= given:
        problems.append(
            Problem("nextDoseDate", Code.NEXT_DOSE_BEFORE_GIVEN, "The next dose is due after the date given.")
        )
    if lot_expiry is not None and lot_expiry < given:
        problems.append(Problem("lotExpiry", Code.LOT_EXPIRED, "The lot had expired on the date given."))
    return problems
