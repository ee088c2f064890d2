"""The patient, and everything a dashboard's patient overview shows about it."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from db import expressions as x
from graph.table import TableRow, col, computed, flag, many, one, paged, table
from graph.types.anesthesia import AnesthesiaLog
from graph.types.clinical import PatientAlert, PatientProblem
from graph.types.connection import Connection
from graph.types.enums import PreferredTime, Sex, Species
from graph.types.node import Node
from graph.types.people import Profile
from graph.types.scheduling import Appointment
from graph.types.till import Invoice
from graph.types.visits import MedicalRecord, Vaccine
from graph.types.weights import PetWeight

ACTIVE_ONLY = "Only entries that are active now."


@table("pets")
@strawberry.type(description="An animal patient of the clinic.")
class Pet(Node, TableRow):
    name: str = col(description="The pet's name.")
    species: Species = col(description="Species.")
    breed: str | None = col(description="Breed, if known.")
    sex: Sex = col(description="Sex.")
    is_neutered: bool = col(description="Spayed or castrated.")
    date_of_birth: date | None = col(description="Date of birth, if known.")
    weight_kg: float | None = col(description="Last recorded weight in kilograms.")
    color: str | None = col(description="Coat or plumage color.")
    microchip_id: str | None = col(description="Microchip number.")
    is_deceased: bool = col(description="The pet has died.")
    behavioral_notes: str | None = col(description="Notes on temperament and handling.")
    preferred_appointment_time: PreferredTime | None = col(description="When the owner prefers to bring the pet in.")
    last_visit_date: date | None = col(description="Date of the last completed visit.")
    next_visit_due: date | None = computed(
        x.PET_NEXT_VISIT_DUE,
        description="When the next visit is due, computed by the database when read: the earliest booked visit not"
        " yet attended (its day where the clinic is) or next vaccine dose (each vaccine's latest); a past date is"
        " overdue. Null when nothing is due or the pet is deceased.",
    )
    created_at: datetime = col(description="When the pet was registered.")
    deceased_on: date | None = col(description="Date of death, when it has died.")
    cause_of_death: str | None = col(description="Cause of death, as recorded.")
    archived_at: datetime | None = col(description="When the record was archived (kept, hidden from lists by default).")
    weight_history: list[PetWeight] = many(
        "pet_id",
        order=x.WEIGHTS_OLDEST_FIRST,
        description="Every weight recorded, oldest first: the weight curve. Staff only: empty for owners.",
    )
    owner: Profile | None = one("owner_id", description="The pet's owner.")
    primary_vet: Profile | None = one("primary_vet_id", description="The vet who usually sees this pet.")
    alerts: list[PatientAlert] = many(
        "pet_id",
        order=x.ALERTS_MOST_SEVERE_FIRST,
        description="Warnings to see before handling the pet, most severe first. Staff only: empty for owners.",
        active_only=flag(x.ONLY_ACTIVE_ALERTS, default=True, description=ACTIVE_ONLY),
    )
    problems: list[PatientProblem] = many(
        "pet_id",
        order=x.PROBLEMS_ONGOING_FIRST,
        description="The problem list: ongoing conditions first, then past ones.",
        active_only=flag(x.ONLY_ACTIVE_PROBLEMS, default=True, description=ACTIVE_ONLY),
    )
    anesthesia_logs: Connection[AnesthesiaLog] = paged(
        "pet_id",
        order=x.LOGS_NEWEST_FIRST,
        default_size=10,
        description="Anesthesia records, newest first. Staff only: empty for owners.",
    )
    appointments: Connection[Appointment] = paged(
        "pet_id",
        order=x.APPOINTMENTS_BY_START,
        description="Appointments by start time, oldest first; `upcomingOnly` from now on.",
        upcoming_only=flag(x.ONLY_UPCOMING, default=False, description="Only appointments that end after now."),
    )
    invoices: Connection[Invoice] = paged(
        "pet_id", order=x.INVOICES_NEWEST_FIRST, description="Invoices for this pet, newest first (an owner: own ones)."
    )
    medical_records: Connection[MedicalRecord] = paged(
        "pet_id", order=x.RECORDS_NEWEST_FIRST, description="Visit notes, newest first. Staff only: empty for owners."
    )
    vaccines: list[Vaccine] = many(
        "pet_id", order=x.VACCINES_NEWEST_FIRST, description="Vaccines given, most recent first."
    )
