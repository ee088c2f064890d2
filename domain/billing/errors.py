"""Codes of billing mutations (`userErrors.code`), and the database refusals they stand for."""

from __future__ import annotations

from enum import Enum

from domain.problems import Problem


class BillingErrorCode(Enum):
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    OUT_OF_RANGE = "out_of_range"
    PLAN_ID_TAKEN = "plan_id_taken"
    PLAN_RETIRED = "plan_retired"
    ALREADY_SUBSCRIBED = "already_subscribed"
    INVALID_TRANSITION = "invalid_transition"


# Taken plan ids and second subscriptions are read from ON CONFLICT, not from a refusal.
CONSTRAINTS: dict[str, Problem[BillingErrorCode]] = {}
