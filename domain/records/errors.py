"""Error codes of patient-record mutations (`userErrors.code`), and the database refusals they stand for."""

from __future__ import annotations

from enum import Enum

from domain.problems import Problem


class RecordsErrorCode(Enum):
    NOT_FOUND = "not_found"
    REQUIRED = "required"
    INVALID = "invalid"
    TOO_LONG = "too_long"
    TOO_MANY = "too_many"
    OUT_OF_RANGE = "out_of_range"
    NOT_IN_FUTURE = "not_in_future"
    DATE_IN_FUTURE = "date_in_future"
    DUPLICATE_ACTIVE_PROBLEM = "duplicate_active_problem"
    RESOLVED_BEFORE_ONSET = "resolved_before_onset"
    ALREADY_RESOLVED = "already_resolved"
    INVALID_TIMEZONE = "invalid_timezone"
    INVALID_LOCALE = "invalid_locale"
    INVALID_HOURS = "invalid_hours"
    NOT_STAFF = "not_staff"
    POLICY_NOT_OF_PET = "policy_not_of_pet"
    MICROCHIP_TAKEN = "microchip_taken"


DUPLICATE_ACTIVE_PROBLEM = Problem(
    "diagnosisCodeId",
    RecordsErrorCode.DUPLICATE_ACTIVE_PROBLEM,
    "The pet already has an active entry with this diagnosis code.",
)
_NOT_STAFF = Problem("primaryVetId", RecordsErrorCode.NOT_STAFF, "Not a vet or admin of this clinic.")

# Rules the database enforces (also between concurrent requests), by constraint name.
CONSTRAINTS: dict[str, Problem[RecordsErrorCode]] = {
    "patient_problems_active_code_key": DUPLICATE_ACTIVE_PROBLEM,
    "pets_primary_vet_is_staff": _NOT_STAFF,
    "pets_primary_vet_fkey": _NOT_STAFF,
    "pets_microchip_key": Problem(
        "microchipId", RecordsErrorCode.MICROCHIP_TAKEN, "The clinic already has a patient with this microchip."
    ),
    "pets_weight_kg_check": Problem("weightKg", RecordsErrorCode.OUT_OF_RANGE, "A weight is more than 0 kg."),
    "pets_death_check": Problem(
        "dateOfBirth", RecordsErrorCode.INVALID, "The date of birth is after the recorded date of death."
    ),
    "pets_insurance_policy_fkey": Problem(
        "insurancePolicyId", RecordsErrorCode.POLICY_NOT_OF_PET, "Not an insurance policy of this pet."
    ),
}
