"""Booking rules: a clinic's appointment settings, business hours in its time zone, the visit flow."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain.problems import Problem
from domain.scheduling.errors import SchedulingErrorCode as Code

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # datetime.weekday() order
MAX_DURATION_MINUTES = 8 * 60
LIVE = frozenset({"scheduled", "confirmed", "checked_in", "in_progress", "completed"})
# Mirrors vetql.appointment_transition_allowed() in migration 0009, which is what enforces it.
TRANSITIONS: dict[str, frozenset[str]] = {
    "scheduled": frozenset({"confirmed", "checked_in", "cancelled", "no_show"}),
    "confirmed": frozenset({"checked_in", "cancelled", "no_show"}),
    "checked_in": frozenset({"in_progress", "cancelled"}),
    "in_progress": frozenset({"completed"}),
}


@dataclass(frozen=True, slots=True)
class Settings:
    """A clinic's `appointment_settings`, with the seed's defaults for what is missing."""

    slot_duration: int = 30
    buffer_time: int = 0
    max_advance_days: int = 30
    cancellation_hours: int = 24
    require_confirmation: bool = True
    check_in_window_minutes: int = 0  # how early before its day a visit may be checked in

    @classmethod
    def from_json(cls, value: Mapping[str, Any] | None) -> Settings:
        v = dict(value or {})

        def number(key: str, default: int, low: int) -> int:
            raw = v.get(key)
            return raw if isinstance(raw, int) and not isinstance(raw, bool) and raw >= low else default

        return cls(
            slot_duration=number("slot_duration", 30, 1),
            buffer_time=number("buffer_time", 0, 0),
            max_advance_days=number("max_advance_days", 30, 0),
            cancellation_hours=number("cancellation_hours", 24, 0),
            require_confirmation=bool(v.get("require_confirmation", True)),
            check_in_window_minutes=number("check_in_window_minutes", 0, 0),
        )


Hours = dict[str, list[tuple[time, time]]] | None  # None: no hours configured, always open


def _clock(value: Any) -> time | None:
    if not isinstance(value, str):
        return None
    try:
        return time.fromisoformat(value)
    except ValueError:
        return None


def parse_hours(value: Any) -> Hours:
    """business_hours as stored: {"mon": [{"open": "08:00", "close": "18:00"}], ...} or one object per day.

    A day that is missing or empty is closed; None (not configured) means always open.
    """
    if not isinstance(value, Mapping):
        return None
    hours: dict[str, list[tuple[time, time]]] = {}
    for day in WEEKDAYS:
        spans = value.get(day) or []
        if isinstance(spans, Mapping):
            spans = [spans]
        for span in spans if isinstance(spans, list) else []:
            if not isinstance(span, Mapping):
                continue
            opens, closes = _clock(span.get("open")), _clock(span.get("close"))
            if opens is not None and closes is not None and opens < closes:
                hours.setdefault(day, []).append((opens, closes))
    return hours


def within_hours(start: datetime, end: datetime, zone: ZoneInfo, hours: Hours) -> bool:
    """The whole visit falls inside one opening span of its local day."""
    if hours is None:
        return True
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    if local_end.date() != local_start.date() and local_end.timetz().replace(tzinfo=None) != time(0):
        return False
    end_clock = local_end.time() if local_end.date() == local_start.date() else time.max
    spans = hours.get(WEEKDAYS[local_start.weekday()], [])
    return any(opens <= local_start.time() and end_clock <= closes for opens, closes in spans)


def on_slot_grid(start: datetime, zone: ZoneInfo, slot_minutes: int) -> bool:
    local = start.astimezone(zone)
    return local.second == 0 and local.microsecond == 0 and (local.hour * 60 + local.minute) % slot_minutes == 0


def check_time(
    start: datetime,
    duration_minutes: int,
    now: datetime,
    settings: Settings,
    zone: ZoneInfo,
    hours: Hours,
    *,
    by_owner: bool,
    field: str = "startTime",
    emergency: bool = False,
) -> list[Problem[Code]]:
    """What is wrong with booking [start, start + duration) for this clinic, or nothing.

    An emergency (staff only) is booked whenever it happens: off the slot grid and outside business hours."""
    if not 1 <= duration_minutes <= MAX_DURATION_MINUTES:
        return [Problem("durationMinutes", Code.INVALID, f"durationMinutes: 1 to {MAX_DURATION_MINUTES}.")]
    if start.tzinfo is None:
        return [Problem(field, Code.INVALID, f"{field} needs a time-zone offset.")]
    end = start + timedelta(minutes=duration_minutes)
    # staff may book the slot that is under way (a walk-in); owners only ahead
    earliest = now if by_owner else now - timedelta(minutes=settings.slot_duration)
    if start < earliest:
        return [Problem(field, Code.IN_THE_PAST, f"{field} is in the past.")]
    if by_owner and start > now + timedelta(days=settings.max_advance_days):
        return [Problem(field, Code.TOO_FAR_AHEAD, f"Bookings open {settings.max_advance_days} days ahead at most.")]
    if emergency:
        return []
    if not on_slot_grid(start, zone, settings.slot_duration):
        return [
            Problem(field, Code.OFF_SLOT_GRID, f"Visits start on the clinic's {settings.slot_duration}-minute grid.")
        ]
    if not within_hours(start, end, zone, hours):
        return [Problem(field, Code.OUTSIDE_BUSINESS_HOURS, "The clinic is closed at that time.")]
    return []


def is_emergency(start: datetime, duration_minutes: int, settings: Settings, zone: ZoneInfo, hours: Hours) -> bool:
    """Only the emergency allowance lets [start, start + duration) be booked: it falls off the slot grid
    or outside business hours. What the appointment is marked with (staff book these; owners cannot)."""
    end = start + timedelta(minutes=duration_minutes)
    return not on_slot_grid(start, zone, settings.slot_duration) or not within_hours(start, end, zone, hours)


def check_in_problem(start: datetime, now: datetime, zone: ZoneInfo, settings: Settings) -> Problem[Code] | None:
    """A visit is checked in on its own day where the clinic is, or within the clinic's window before it."""
    if now.astimezone(zone).date() == start.astimezone(zone).date():
        return None
    if start - timedelta(minutes=settings.check_in_window_minutes) <= now <= start:
        return None
    return Problem("appointmentId", Code.NOT_ITS_DAY, "A visit is checked in on its day (in the clinic's time zone).")


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def too_late_to_cancel(start: datetime, now: datetime, settings: Settings) -> bool:
    """Owners cancel at least `cancellation_hours` before the visit (staff any time)."""
    return start < now + timedelta(hours=settings.cancellation_hours)
