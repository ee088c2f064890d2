"""Error codes of anesthesia mutations (`userErrors.code`), and the database refusals they stand for."""

from __future__ import annotations

from enum import Enum

from domain.problems import Problem


class AnesthesiaErrorCode(Enum):
    NOT_FOUND = "not_found"
    LOG_CLOSED = "log_closed"
    EMPTY = "empty"
    TOO_MANY_READINGS = "too_many_readings"
    OUT_OF_RANGE = "out_of_range"
    FUTURE_READING = "future_reading"
    INVALID = "invalid"
    PHASE_OUT_OF_ORDER = "phase_out_of_order"
    PHASE_ALREADY_RECORDED = "phase_already_recorded"
    ALREADY_COMPLETED = "already_completed"


# Nothing the database refuses in an anesthesia write is the user's to fix: no constraint becomes a userError.
CONSTRAINTS: dict[str, Problem[AnesthesiaErrorCode]] = {}
