"""Expanding a recurring pattern into dates, with RFC 5545 semantics for dates that do not exist."""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PATTERNS = ("daily", "weekly", "biweekly", "monthly", "yearly")
MAX_HORIZON_DAYS = 366
DEFAULT_HORIZON_DAYS = 90
MAX_MATERIALIZED = 200


@dataclass(frozen=True, slots=True)
class Pattern:
    """`day_of_week`: 0 = Sunday .. 6 = Saturday (the seed's convention)."""

    pattern: str
    starts_on: date
    day_of_week: int | None = None
    day_of_month: int | None = None
    ends_on: date | None = None
    max_occurrences: int | None = None


def sunday_based(d: date) -> int:
    return (d.weekday() + 1) % 7


def _candidates(p: Pattern) -> Iterator[date]:
    """Every date the rule produces, in order, without end. Dates that do not exist
    (the 31st of a 30-day month, 29 February of a common year) are never produced,
    so they are neither materialized nor counted (RFC 5545, 3.3.10)."""
    start = p.starts_on
    if p.pattern == "daily":
        d = start
        while True:
            yield d
            d += timedelta(days=1)
    elif p.pattern in ("weekly", "biweekly"):
        dow = sunday_based(start) if p.day_of_week is None else p.day_of_week
        d = start + timedelta(days=(dow - sunday_based(start)) % 7)
        step = timedelta(days=7 if p.pattern == "weekly" else 14)
        while True:
            yield d
            d += step
    elif p.pattern == "monthly":
        dom = p.day_of_month or start.day
        year, month = start.year, start.month
        while year <= date.max.year - 1:
            if dom <= calendar.monthrange(year, month)[1] and (d := date(year, month, dom)) >= start:
                yield d
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    elif p.pattern == "yearly":
        dom = p.day_of_month or start.day
        for year in range(start.year, date.max.year):
            if dom <= calendar.monthrange(year, start.month)[1] and (d := date(year, start.month, dom)) >= start:
                yield d
    else:
        raise ValueError(f"unknown pattern {p.pattern!r}")


def expand(p: Pattern, until: date) -> tuple[list[date], bool]:
    """The series' dates up to `until` (inclusive), and whether the series ends there.

    `max_occurrences` counts dates from the first one, however many were left
    unbooked for conflicts; `ends_on` is inclusive.
    """
    dates: list[date] = []
    for n, d in enumerate(_candidates(p), start=1):
        if p.ends_on is not None and d > p.ends_on:
            return dates, True
        if d > until:
            return dates, False
        dates.append(d)
        if p.max_occurrences is not None and n >= p.max_occurrences:
            return dates, True
    return dates, True


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The instant a clinic's wall clock shows `at` on `day`, in UTC. A time skipped by a
    daylight-saving jump resolves to the same offset as before the jump (fold=0)."""
    return datetime.combine(day, at.replace(tzinfo=None), tzinfo=zone).astimezone(UTC)
