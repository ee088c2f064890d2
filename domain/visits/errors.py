"""Codes of visit-note and vaccine mutations, and the database refusals they stand for."""

from __future__ import annotations

from enum import Enum

from domain.problems import Problem


class VisitErrorCode(Enum):
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    OUT_OF_RANGE = "out_of_range"
    APPOINTMENT_NOT_OF_PET = "appointment_not_of_pet"
    PROBLEM_NOT_OF_PET = "problem_not_of_pet"
    RECORD_SIGNED = "record_signed"
    NEXT_DOSE_BEFORE_GIVEN = "next_dose_before_given"
    LOT_EXPIRED = "lot_expired"
    NOT_STAFF = "not_staff"


CONSTRAINTS: dict[str, Problem[VisitErrorCode]] = {
    "medical_records_signed_immutable": Problem(
        "recordId", VisitErrorCode.RECORD_SIGNED, "A signed note is never edited; add an addendum."
    ),
    "medical_records_problems_of_pet": Problem(
        "problemIds", VisitErrorCode.PROBLEM_NOT_OF_PET, "Each problem must be on this pet's problem list."
    ),
    "medical_records_vitals_check": Problem(
        "objective", VisitErrorCode.OUT_OF_RANGE, "Weight, temperature or rates outside what an animal can show."
    ),
    "vaccines_next_dose_date_check": Problem(
        "nextDoseDate", VisitErrorCode.NEXT_DOSE_BEFORE_GIVEN, "The next dose is due after the date given."
    ),
}
