"""Visit notes in the SOAP shape (signed, with addenda) and administered vaccines."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from db import expressions as x
from db import json_formats as formats
from domain.visits.errors import VisitErrorCode
from graph.table import Codec, TableRow, col, computed, global_id_of, many, one, table
from graph.types.clinical import DiagnosisCode
from graph.types.node import Node, to_global_id
from graph.types.scheduling import Appointment
from graph.types.till import Product
from graph.types.user_errors import UserError, user_error

if TYPE_CHECKING:
    from graph.types.people import Profile
    from graph.types.pet import Pet

LazyProfile = Annotated["Profile", strawberry.lazy("graph.types.people")]
LazyPet = Annotated["Pet", strawberry.lazy("graph.types.pet")]


def global_ids_codec(type_name: str) -> Codec:
    """A uuid[] column shown as the global IDs of `type_name`, in order."""
    return Codec(lambda v: formats.global_ids(type_name, v), lambda v: [to_global_id(type_name, k) for k in v or []])


strawberry.enum(VisitErrorCode, description="Why a visit-note or vaccine mutation refused some input.")


@user_error("VisitUserError", field="The offending input, e.g. `nextDoseDate`.")
class VisitUserError(UserError[VisitErrorCode]):
    pass


@strawberry.enum(description="Kind of medical record.")
class RecordType(Enum):
    CONSULTATION = "consultation"
    SURGERY = "surgery"
    VACCINATION = "vaccination"
    LAB = "lab"
    IMAGING = "imaging"
    HOSPITALIZATION = "hospitalization"
    OTHER = "other"


@strawberry.enum(description="How a vaccine was given.")
class VaccineRoute(Enum):
    SUBCUTANEOUS = "subcutaneous"
    INTRAMUSCULAR = "intramuscular"
    INTRANASAL = "intranasal"
    ORAL = "oral"
    TRANSDERMAL = "transdermal"
    OTHER = "other"


@table("medical_record_addenda")
@strawberry.type(description="A correction or addition to a visit note, with who wrote it and when. Never edited.")
class MedicalRecordAddendum(Node, TableRow):
    body: str = col(description="The text.")
    author: LazyProfile | None = one("created_by", description="Who wrote it.")
    created_at: datetime = col(description="When it was written.")


@table("medical_records")
@strawberry.type(description="A visit note in the SOAP shape, by a vet; once signed it is never edited. Staff only.")
class MedicalRecord(Node, TableRow):
    record_type: RecordType = col(description="Kind of record.")
    title: str = col(description="Short title, e.g. the reason for the visit.")
    visit_date: date = col(description="Day of the visit.")
    subjective: str | None = col(description="S: history and what the owner reports.")
    objective: str | None = col(description="O: examination findings.")
    weight_kg: float | None = col(description="O: weight in kilograms.")
    temperature_c: float | None = col(description="O: rectal temperature in °C.")
    heart_rate: int | None = col(description="O: heart rate per minute.")
    respiratory_rate: int | None = col(description="O: breaths per minute.")
    assessment: str | None = col(description="A: the vet's assessment.")
    problem_ids: list[strawberry.ID] = col(
        codec=global_ids_codec("PatientProblem"), description="A: the problem-list entries assessed (PatientProblem)."
    )
    diagnosis_code: DiagnosisCode | None = one("diagnosis_code_id", shared=True, description="A: coded diagnosis.")
    plan: str | None = col(description="P: treatment, tests, follow-up.")
    notes: str | None = col(description="Other notes.")
    is_signed: bool = computed(x.RECORD_IS_SIGNED, description="Signed: never edited again; corrections are addenda.")
    signed_at: datetime | None = col(description="When it was signed.")
    signed_by: LazyProfile | None = one("signed_by", description="Who signed it.")
    vet: LazyProfile | None = one("vet_id", description="The vet who wrote it.")
    pet: LazyPet | None = one("pet_id", description="The patient.")
    appointment: Appointment | None = one("appointment_id", description="The appointment; null for a walk-in.")
    addenda: list[MedicalRecordAddendum] = many(
        "record_id", order=x.ADDENDA_AS_WRITTEN, description="Corrections and additions, oldest first."
    )
    created_at: datetime = col(description="When it was written.")
    updated_at: datetime = col(description="When it last changed.")


@table("vaccines")
@strawberry.type(description="A vaccine given to a patient, and when its next dose is due.")
class Vaccine(Node, TableRow):
    name: str = col(description="Vaccine, e.g. Antirrábica, Séxtuple.")
    product: Product | None = one("product_id", description="The catalogue's product given. Staff only.")
    manufacturer: str | None = col(description="Maker.")
    lot: str | None = col("batch_number", description="Lot (batch) number.")
    lot_expiry: date | None = col(description="Expiry date of the lot.")
    dose: str | None = col(description="Dose given, e.g. 1 mL.")
    route: VaccineRoute | None = col(description="How it was given.")
    site: str | None = col(description="Where, e.g. right shoulder.")
    administered_date: date = col(description="Day it was given.")
    next_dose_date: date | None = col(description="When the next dose is due; after the day given.")
    administered_by: LazyProfile | None = one("administered_by", description="Who gave it.")
    pet: LazyPet | None = one("pet_id", description="The patient.")
    medical_record_id: strawberry.ID | None = global_id_of(
        "MedicalRecord", "medical_record_id", description="The visit note it was given in, if any."
    )
    notes: str | None = col(description="Notes.")
    created_at: datetime = col(description="When it was recorded.")
