"""Error codes of front-desk mutations (`userErrors.code`), and the database refusals they stand for."""

from __future__ import annotations

from enum import Enum

from domain.problems import Problem


class FrontDeskErrorCode(Enum):
    NOT_FOUND = "not_found"
    REQUIRED = "required"
    INVALID = "invalid"
    TOO_LONG = "too_long"
    INVALID_PHONE = "invalid_phone"
    INVALID_EMAIL = "invalid_email"
    INVALID_DOCUMENT = "invalid_document"
    INVALID_TIMEZONE = "invalid_timezone"
    INVALID_LOCALE = "invalid_locale"
    DOCUMENT_TAKEN = "document_taken"
    EMAIL_TAKEN = "email_taken"
    MICROCHIP_TAKEN = "microchip_taken"
    NOT_AN_OWNER = "not_an_owner"
    OUT_OF_RANGE = "out_of_range"
    DATE_IN_FUTURE = "date_in_future"
    DEATH_BEFORE_BIRTH = "death_before_birth"
    DECEASED = "deceased"
    ARCHIVED = "archived"
    NOT_ARCHIVED = "not_archived"
    NOT_STAFF = "not_staff"


DOCUMENT_TAKEN = Problem(
    "documentNumber", FrontDeskErrorCode.DOCUMENT_TAKEN, "The clinic already has a client with this document."
)
_NOT_STAFF = Problem("primaryVetId", FrontDeskErrorCode.NOT_STAFF, "Not a vet or admin of this clinic.")

# Rules the database enforces (also between two receptionists at once), by constraint name.
# Every one is scoped to the clinic, so a refusal never tells of another clinic's records.
CONSTRAINTS: dict[str, Problem[FrontDeskErrorCode]] = {
    "profiles_document_key": DOCUMENT_TAKEN,
    "profiles_tenant_email_key": Problem(
        "email", FrontDeskErrorCode.EMAIL_TAKEN, "The clinic already has someone with this e-mail."
    ),
    "pets_microchip_key": Problem(
        "microchipId", FrontDeskErrorCode.MICROCHIP_TAKEN, "The clinic already has a patient with this microchip."
    ),
    "pets_owner_id_fkey": Problem("ownerId", FrontDeskErrorCode.NOT_FOUND, "No such owner in this clinic."),
    "pets_tenant_id_owner_id_fkey": Problem("ownerId", FrontDeskErrorCode.NOT_FOUND, "No such owner in this clinic."),
    "pets_primary_vet_is_staff": _NOT_STAFF,
    "pets_primary_vet_fkey": _NOT_STAFF,
    "pets_death_check": Problem(
        "deceasedOn", FrontDeskErrorCode.DEATH_BEFORE_BIRTH, "The date of death is before the date of birth."
    ),
    "pets_death_is_final": Problem("petId", FrontDeskErrorCode.DECEASED, "The pet has died."),
    "pets_weight_kg_check": Problem("weightKg", FrontDeskErrorCode.OUT_OF_RANGE, "A weight is more than 0 kg."),
}
