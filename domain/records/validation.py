"""Rules of patient-record input: lengths, dates, time zones, locales, clinic settings."""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Sequence
from datetime import date, datetime, time
from functools import lru_cache

from domain.problems import Problem
from domain.records.errors import RecordsErrorCode as Code

MAX_TITLE = 200
MAX_NAME = 200
MAX_TEXT = 4000
MAX_SHORT = 200
MAX_DEVICE_FIELD = 200
MAX_TOKEN = 4096
MAX_SEARCH = 100
MAX_CODES = 100
MAX_SPANS = 28  # opening spans in a week (four a day)

# BCP 47 shape: language, optional script, optional region (es, es-PY, zh-Hant-TW, es-419).
_LOCALE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{5,24}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^https://[^\s]+$")

# (low, high) inclusive, for the clinic's appointment settings.
APPOINTMENT_RANGES: dict[str, tuple[int, int]] = {
    "slot_duration": (5, 240),  # minutes
    "buffer_time": (0, 120),  # minutes
    "max_advance_days": (1, 730),
    "cancellation_hours": (0, 720),
    "check_in_window_minutes": (0, 1440),
}
REMINDER_HOURS = (1, 168)

# The days of business_hours, as the clinic's JSON names them.
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def text_input(
    field: str, value: str | None, *, max_len: int = MAX_SHORT, required: bool = False
) -> list[Problem[Code]]:
    """A free text: not blank when required, at most `max_len` characters."""
    if value is None:
        return [Problem(field, Code.REQUIRED, f"{field} is required.")] if required else []
    if required and not value.strip():
        return [Problem(field, Code.REQUIRED, f"{field} must not be blank.")]
    if len(value) > max_len:
        return [Problem(field, Code.TOO_LONG, f"{field}: at most {max_len} characters.")]
    return []


def future(field: str, value: datetime | None, now: datetime) -> list[Problem[Code]]:
    if value is not None and value <= now:
        return [Problem(field, Code.NOT_IN_FUTURE, f"{field} must be in the future.")]
    return []


def not_future_date(field: str, value: date | None, today: date) -> list[Problem[Code]]:
    if value is not None and value > today:
        return [Problem(field, Code.DATE_IN_FUTURE, f"{field} cannot be in the future.")]
    return []


def timezone(field: str, value: str | None) -> list[Problem[Code]]:
    if value is not None and value not in _zones():
        return [Problem(field, Code.INVALID_TIMEZONE, f"{value!r} is not an IANA time zone (e.g. America/Asuncion).")]
    return []


def locale(field: str, value: str | None) -> list[Problem[Code]]:
    if value is not None and not _LOCALE.match(value):
        return [Problem(field, Code.INVALID_LOCALE, f"{value!r} is not a BCP 47 locale (e.g. es-PY).")]
    return []


def pattern(field: str, value: str | None, kind: str) -> list[Problem[Code]]:
    """Phone numbers, country codes, e-mail addresses and https URLs, by shape."""
    if value is None or value == "":
        return []
    regex, example = {
        "phone": (_PHONE, "+595 981 123456"),
        "country": (_COUNTRY, "PY"),
        "email": (_EMAIL, "name@example.com"),
        "url": (_URL, "https://example.com"),
    }[kind]
    if len(value) > MAX_SHORT or not regex.match(value):
        return [Problem(field, Code.INVALID, f"{field} is not a valid {kind} (e.g. {example}).")]
    return []


def in_range(field: str, value: int | None, low: int, high: int) -> list[Problem[Code]]:
    if value is not None and not low <= value <= high:
        return [Problem(field, Code.OUT_OF_RANGE, f"{field} must be between {low} and {high}.")]
    return []


def business_hours(field: str, days: Sequence[tuple[str, time, time]]) -> list[Problem[Code]]:
    """Opening spans: each opens before it closes; a day may have several (08-12 and 14-19, a split
    shift) that do not overlap; days not listed are closed."""
    problems = []
    spans: dict[str, list[tuple[time, time, int]]] = {}
    for i, (day, opens, closes) in enumerate(days):
        if opens >= closes:
            problems.append(Problem(f"{field}.{i}.close", Code.INVALID_HOURS, "A span closes after it opens."))
        if opens.tzinfo is not None or closes.tzinfo is not None:
            problems.append(
                Problem(f"{field}.{i}", Code.INVALID_HOURS, "Hours are local to the clinic: no time-zone offset.")
            )
        for other_open, other_close, j in spans.get(day, []):
            if opens < other_close and other_open < closes:
                problems.append(Problem(f"{field}.{i}", Code.INVALID_HOURS, f"Overlaps span {j} of {day}."))
        spans.setdefault(day, []).append((opens, closes, i))
    return problems


def clock(value: time) -> str:
    """A time as business_hours stores it: HH:MM."""
    return value.strftime("%H:%M")
