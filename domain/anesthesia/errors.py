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
    PET_DECEASED = "pet_deceased"


# The one refusal of an anesthesia write a user can act on: the patient has died (vetql.check_pet_alive).
CONSTRAINTS: dict[str, Problem[AnesthesiaErrorCode]] = {
    "anesthesia_logs_pet_alive": Problem(
        "petId", AnesthesiaErrorCode.PET_DECEASED, "The pet is deceased and cannot be anaesthetised."
    ),
}
