"""Inputs and payloads of visit notes and vaccines."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry

from graph.types.visits import MedicalRecord, RecordType, Vaccine, VaccineRoute, VisitUserError


def _errors() -> Any:
    return strawberry.field(default_factory=list, description="What to fix; when not empty, nothing changed.")


@strawberry.input(description="A new visit note (SOAP), written by the caller.")
class CreateMedicalRecordInput:
    pet_id: strawberry.ID = strawberry.field(description="The patient.")
    title: str = strawberry.field(description="1-200 characters.")
    appointment_id: strawberry.ID | None = strawberry.field(default=None, description="The visit; null: walk-in.")
    record_type: RecordType = strawberry.field(default=RecordType.CONSULTATION, description="Kind of record.")
    visit_date: date | None = strawberry.field(default=None, description="Day of the visit (today if null).")
    subjective: str | None = strawberry.field(default=None, description="S: history.")
    objective: str | None = strawberry.field(default=None, description="O: findings.")
    weight_kg: float | None = strawberry.field(default=None, description="O: kilograms.")
    temperature_c: float | None = strawberry.field(default=None, description="O: °C, 20-45.")
    heart_rate: int | None = strawberry.field(default=None, description="O: per minute.")
    respiratory_rate: int | None = strawberry.field(default=None, description="O: per minute.")
    assessment: str | None = strawberry.field(default=None, description="A: assessment.")
    problem_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="A: this pet's problem-list entries assessed (at most 50)."
    )
    diagnosis_code_id: strawberry.ID | None = strawberry.field(default=None, description="A: a diagnosis code.")
    plan: str | None = strawberry.field(default=None, description="P: plan.")
    notes: str | None = strawberry.field(default=None, description="Other notes.")
    sign: bool = strawberry.field(default=False, description="Sign it now: never edited afterwards.")


@strawberry.input(description="Changes to an unsigned note; omitted fields keep their value, null clears.")
class UpdateMedicalRecordInput:
    record_id: strawberry.ID = strawberry.field(description="The note.")
    title: str | None = strawberry.field(default=None, description="New title.")
    subjective: str | None = strawberry.field(default=strawberry.UNSET, description="S.")
    objective: str | None = strawberry.field(default=strawberry.UNSET, description="O.")
    weight_kg: float | None = strawberry.field(default=strawberry.UNSET, description="O: kilograms.")
    temperature_c: float | None = strawberry.field(default=strawberry.UNSET, description="O: °C.")
    heart_rate: int | None = strawberry.field(default=strawberry.UNSET, description="O: per minute.")
    respiratory_rate: int | None = strawberry.field(default=strawberry.UNSET, description="O: per minute.")
    assessment: str | None = strawberry.field(default=strawberry.UNSET, description="A.")
    problem_ids: list[strawberry.ID] | None = strawberry.field(default=None, description="A: problems assessed.")
    plan: str | None = strawberry.field(default=strawberry.UNSET, description="P.")
    notes: str | None = strawberry.field(default=strawberry.UNSET, description="Other notes.")


@strawberry.input(description="The note to sign.")
class SignMedicalRecordInput:
    record_id: strawberry.ID = strawberry.field(description="The note.")


@strawberry.input(description="A correction or addition to a note.")
class AddMedicalRecordAddendumInput:
    record_id: strawberry.ID = strawberry.field(description="The note.")
    body: str = strawberry.field(description="1-10,000 characters.")


@strawberry.type(description="Result of the visit-note mutations.")
class MedicalRecordPayload:
    record: MedicalRecord | None = strawberry.field(default=None, description="The note after the change.")
    user_errors: list[VisitUserError] = _errors()


@strawberry.input(description="A vaccine given.")
class RecordVaccineInput:
    pet_id: strawberry.ID = strawberry.field(description="The patient.")
    administered_date: date = strawberry.field(description="Day it was given.")
    name: str | None = strawberry.field(default=None, description="Vaccine name (the product's if null).")
    product_id: strawberry.ID | None = strawberry.field(default=None, description="The catalogue's product.")
    manufacturer: str | None = strawberry.field(default=None, description="Maker.")
    lot: str | None = strawberry.field(default=None, description="Lot number.")
    lot_expiry: date | None = strawberry.field(default=None, description="Lot expiry; not before the day given.")
    dose: str | None = strawberry.field(default=None, description="Dose, e.g. 1 mL.")
    route: VaccineRoute | None = strawberry.field(default=None, description="How.")
    site: str | None = strawberry.field(default=None, description="Where.")
    next_dose_date: date | None = strawberry.field(default=None, description="Next dose due; after the day given.")
    administered_by_id: strawberry.ID | None = strawberry.field(default=None, description="Staff who gave it (me).")
    medical_record_id: strawberry.ID | None = strawberry.field(default=None, description="The visit note.")
    notes: str | None = strawberry.field(default=None, description="Notes.")


@strawberry.type(description="Result of `recordVaccine`.")
class VaccinePayload:
    vaccine: Vaccine | None = strawberry.field(default=None, description="The vaccine recorded.")
    user_errors: list[VisitUserError] = _errors()


@strawberry.input(description="Narrows the upcoming vaccines.")
class UpcomingVaccinesFilter:
    pet_id: strawberry.ID | None = strawberry.field(default=None, description="Only this pet's.")
