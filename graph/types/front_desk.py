"""Inputs and payloads of the front desk: owners (clients) and patients registered, kept and found.

In the `Update...` inputs a field left out keeps its value; a field sent as null clears it.
"""

from __future__ import annotations

from datetime import date

import strawberry

from domain.front_desk.errors import FrontDeskErrorCode
from graph.types.enums import ContactMethod, DocumentType, PreferredTime, Sex, Species
from graph.types.people import Profile
from graph.types.pet import Pet
from graph.types.records_mutations import CommunicationPreferencesInput
from graph.types.user_errors import UserError, user_error

strawberry.enum(FrontDeskErrorCode, description="Why a front-desk mutation refused some input.")

UNSET = strawberry.UNSET


@user_error("FrontDeskUserError", field="Path of the offending input, e.g. `documentNumber`.")
class FrontDeskUserError(UserError[FrontDeskErrorCode]):
    pass


# -- owners -----------------------------------------------------------------------------------------------


@strawberry.input(description="A new client (pet owner) of the caller's clinic.")
class CreateOwnerInput:
    full_name: str = strawberry.field(description="Name as it should be shown, 1-200 characters.")
    document_type: DocumentType | None = strawberry.field(default=None, description="CI, RUC (for invoices), ...")
    document_number: str | None = strawberry.field(
        default=None,
        description="Document number, dots and spaces allowed (4.123.456, 80012345-6); unique in the clinic.",
    )
    email: str | None = strawberry.field(default=None, description="E-mail address; unique in the clinic.")
    phone: str | None = strawberry.field(
        default=None, description="Phone in any format (0981 123 456, +595 981 123456); stored as E.164."
    )
    secondary_phone: str | None = strawberry.field(default=None, description="Another phone, any format.")
    address_line1: str | None = strawberry.field(default=None, description="Street and number.")
    address_line2: str | None = strawberry.field(default=None, description="Apartment, floor, reference.")
    city: str | None = strawberry.field(default=None, description="City.")
    state: str | None = strawberry.field(default=None, description="State or department.")
    postal_code: str | None = strawberry.field(default=None, description="Postal code.")
    country: str | None = strawberry.field(default=None, description="ISO 3166-1 alpha-2; default PY.")
    emergency_contact_name: str | None = strawberry.field(default=None, description="Whom to call in an emergency.")
    emergency_contact_phone: str | None = strawberry.field(default=None, description="Their phone, any format.")
    preferred_contact_method: ContactMethod | None = strawberry.field(
        default=None, description="How they prefer to be reached; default EMAIL."
    )
    communication_preferences: CommunicationPreferencesInput | None = strawberry.field(
        default=None, description="What they agree to receive; both default to true."
    )
    timezone: str | None = strawberry.field(default=None, description="IANA time zone; default America/Asuncion.")
    locale: str | None = strawberry.field(default=None, description="BCP 47 locale; default es-PY.")


@strawberry.input(description="Changes to a client. Left-out fields keep their value; null clears.")
class UpdateOwnerInput:
    owner_id: strawberry.ID = strawberry.field(description="The owner (a Profile ID).")
    full_name: str | None = strawberry.field(default=UNSET, description="Name, 1-200 characters.")
    document_type: DocumentType | None = strawberry.field(default=UNSET, description="CI, RUC, ...")
    document_number: str | None = strawberry.field(default=UNSET, description="Document number; unique in the clinic.")
    email: str | None = strawberry.field(default=UNSET, description="E-mail address; unique in the clinic.")
    phone: str | None = strawberry.field(default=UNSET, description="Phone in any format; stored as E.164.")
    secondary_phone: str | None = strawberry.field(default=UNSET, description="Another phone, any format.")
    address_line1: str | None = strawberry.field(default=UNSET, description="Street and number.")
    address_line2: str | None = strawberry.field(default=UNSET, description="Apartment, floor, reference.")
    city: str | None = strawberry.field(default=UNSET, description="City.")
    state: str | None = strawberry.field(default=UNSET, description="State or department.")
    postal_code: str | None = strawberry.field(default=UNSET, description="Postal code.")
    country: str | None = strawberry.field(default=UNSET, description="ISO 3166-1 alpha-2.")
    emergency_contact_name: str | None = strawberry.field(default=UNSET, description="Whom to call in an emergency.")
    emergency_contact_phone: str | None = strawberry.field(default=UNSET, description="Their phone, any format.")
    preferred_contact_method: ContactMethod | None = strawberry.field(
        default=UNSET, description="How they prefer to be reached."
    )
    communication_preferences: CommunicationPreferencesInput | None = strawberry.field(
        default=UNSET, description="What they agree to receive (merged into what is stored)."
    )
    timezone: str | None = strawberry.field(default=UNSET, description="IANA time zone.")
    locale: str | None = strawberry.field(default=UNSET, description="BCP 47 locale.")


@strawberry.input(description="Which client.")
class OwnerInput:
    owner_id: strawberry.ID = strawberry.field(description="The owner (a Profile ID).")


@strawberry.type(description="Result of a client mutation.")
class OwnerPayload:
    owner: Profile | None = strawberry.field(default=None, description="The client after the change; null on error.")
    user_errors: list[FrontDeskUserError] = strawberry.field(
        default_factory=list, description="What to fix; empty on success."
    )


# -- patients ---------------------------------------------------------------------------------------------


@strawberry.input(description="A new patient of the caller's clinic.")
class CreatePetInput:
    owner_id: strawberry.ID = strawberry.field(description="Its owner: a client of this clinic (a Profile ID).")
    name: str = strawberry.field(description="The pet's name, 1-200 characters.")
    species: Species = strawberry.field(description="Species.")
    breed: str | None = strawberry.field(default=None, description="Breed.")
    sex: Sex = strawberry.field(default=Sex.UNKNOWN, description="Sex; default UNKNOWN.")
    is_neutered: bool = strawberry.field(default=False, description="Spayed or castrated.")
    date_of_birth: date | None = strawberry.field(default=None, description="Date of birth; not in the future.")
    color: str | None = strawberry.field(default=None, description="Coat or plumage color.")
    microchip_id: str | None = strawberry.field(default=None, description="Microchip number; unique in the clinic.")
    weight_kg: float | None = strawberry.field(default=None, description="Weight in kg (kept in the weight history).")
    primary_vet_id: strawberry.ID | None = strawberry.field(default=None, description="A vet or admin of the clinic.")
    behavioral_notes: str | None = strawberry.field(default=None, description="Temperament and handling notes.")
    preferred_appointment_time: PreferredTime | None = strawberry.field(
        default=None, description="When the owner prefers to come."
    )


@strawberry.input(description="A patient moving to another client of the same clinic.")
class TransferPetInput:
    pet_id: strawberry.ID = strawberry.field(description="The pet.")
    owner_id: strawberry.ID = strawberry.field(description="Its new owner: a client of the same clinic.")


@strawberry.input(description="A patient's death.")
class MarkPetDeceasedInput:
    pet_id: strawberry.ID = strawberry.field(description="The pet.")
    deceased_on: date = strawberry.field(description="Date of death: not in the future, not before birth.")
    cause: str | None = strawberry.field(default=None, description="Cause of death, at most 4000 characters.")


@strawberry.input(description="Which patient.")
class PetInput:
    pet_id: strawberry.ID = strawberry.field(description="The pet.")


@strawberry.type(description="Result of a front-desk patient mutation.")
class PatientPayload:
    pet: Pet | None = strawberry.field(default=None, description="The pet after the change; null on error.")
    user_errors: list[FrontDeskUserError] = strawberry.field(
        default_factory=list, description="What to fix; empty on success."
    )


# -- search -----------------------------------------------------------------------------------------------


@strawberry.type(description="One match of the front-desk search: a client or a patient, and how well it matched.")
class SearchHit:
    score: float = strawberry.field(description="1 for an exact document, phone, e-mail or microchip; else 0-1.")
    owner: Profile | None = strawberry.field(description="The client found, when it is a client.")
    pet: Pet | None = strawberry.field(description="The patient found, when it is a patient.")
