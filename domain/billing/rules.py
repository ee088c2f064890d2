"""Billing rules: plan shapes, and which subscription status may follow which."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from domain.billing.errors import BillingErrorCode as Code
from domain.problems import Problem

PLAN_ID = re.compile(r"^[a-z0-9_-]{2,40}$")
MAX_FEATURES = 50
# The limits a plan may set; null (or absent) means unlimited.
LIMIT_NAMES = ("users", "sms_per_month", "storage_gb", "appointments_per_month", "active_promotions")
MAX_USAGE_MONTHS = 36

# The database enforces the same table (vetql.check_subscription_transition).
TRANSITIONS: dict[str, frozenset[str]] = {
    "trialing": frozenset({"active", "canceled"}),
    "active": frozenset({"past_due", "canceled", "suspended"}),
    "past_due": frozenset({"active", "canceled", "suspended"}),
    "suspended": frozenset({"active", "canceled"}),
    "canceled": frozenset(),
}
START_STATUSES = frozenset({"trialing", "active"})


def validate_plan(values: Mapping[str, Any]) -> list[Problem[Code]]:
    problems: list[Problem[Code]] = []
    if not 1 <= len(values["name"].strip()) <= 100:
        problems.append(Problem("name", Code.INVALID, "name: 1 to 100 characters."))
    for key, field in (("price_monthly", "priceMonthly"), ("price_yearly", "priceYearly")):
        price: Decimal | None = values.get(key)
        if price is not None and (price < 0 or price > Decimal("1000000000") or price != price.to_integral_value()):
            problems.append(Problem(field, Code.OUT_OF_RANGE, f"{field}: a whole amount of PYG, 0 or more."))
    features = values["features"]
    if len(features) > MAX_FEATURES or any(not re.fullmatch(r"[a-z0-9_]{1,40}", f) for f in features):
        problems.append(Problem("features", Code.INVALID, f"Up to {MAX_FEATURES} names of [a-z0-9_]."))
    for name, limit in values["limits"].items():
        if name not in LIMIT_NAMES:
            problems.append(Problem(f"limits.{name}", Code.INVALID, f"Known limits: {', '.join(LIMIT_NAMES)}."))
        elif limit is not None and not 0 <= limit <= 10_000_000:
            problems.append(Problem(f"limits.{name}", Code.OUT_OF_RANGE, "0 to 10000000, or null for unlimited."))
    return problems


def transition_problem(current: str, target: str) -> Problem[Code] | None:
    if target == current:
        return None
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(s.upper() for s in TRANSITIONS[current])) or "nothing (final)"
        return Problem("status", Code.INVALID_TRANSITION, f"A {current.upper()} subscription can become: {allowed}.")
    return None


def usage_window_problem(start: date, end: date) -> Problem[Code] | None:
    if end < start:
        return Problem("to", Code.INVALID, "`to` must not be before `from`.")
    if (end.year - start.year) * 12 + end.month - start.month >= MAX_USAGE_MONTHS:
        return Problem("to", Code.OUT_OF_RANGE, f"At most {MAX_USAGE_MONTHS} months at once.")
    return None
