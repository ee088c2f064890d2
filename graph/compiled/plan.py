"""What the compiler knows: each GraphQL type's fields as SQL, and its relations as joins.

A field missing here is not compiled: the selection that holds it falls back
to the ordinary resolvers. Every entry must print exactly what the type's
`from_row` and Strawberry's scalars print (the differential test checks).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from db import json_formats as formats
from db.pagination import Order
from db.reads import ACTIVE_ALERT
from graph.loaders import APPOINTMENTS_BY_START, LOGS_NEWEST_FIRST, VITALS_OLDEST_FIRST

# A scalar field: alias of the row -> SQL expression of its JSON value.
Scalar = Callable[[str], str]


def col(name: str) -> Scalar:
    return lambda a: f"{a}.{name}"


def enum(name: str) -> Scalar:
    return lambda a: f"upper({a}.{name})"


def timestamp(name: str) -> Scalar:
    return lambda a: formats.iso_datetime(f"{a}.{name}")


def number(name: str) -> Scalar:
    return lambda a: f"{a}.{name}::float8"


def money(name: str) -> Scalar:
    return lambda a: f"{a}.{name}::text"


def gid(type_name: str, name: str = "id") -> Scalar:
    return lambda a: formats.global_id(type_name, f"{a}.{name}")


@dataclass(frozen=True)
class One:
    """A to-one relation: `fk` on this row points at `table`.id (same clinic unless `shared`)."""

    table: str
    fk: str
    type_name: str
    shared: bool = False


@dataclass(frozen=True)
class Many:
    """A short child list, all rows: alerts, problems. `active` applies when activeOnly is true."""

    table: str
    fk: str
    type_name: str
    order_by: str
    active: str
    columns: str = ""


@dataclass(frozen=True)
class Paged:
    """A child connection paged by keyset, like db/reads.py `child_pages`."""

    table: str
    fk: str
    type_name: str
    order: Order


SCALARS: dict[str, dict[str, Scalar]] = {
    "Pet": {
        "id": gid("Pet"),
        "name": col("name"),
        "species": enum("species"),
        "breed": col("breed"),
        "sex": enum("sex"),
        "isNeutered": col("is_neutered"),
        "dateOfBirth": col("date_of_birth"),
        "weightKg": number("weight_kg"),
        "color": col("color"),
        "microchipId": col("microchip_id"),
        "isDeceased": col("is_deceased"),
        "behavioralNotes": col("behavioral_notes"),
        "preferredAppointmentTime": col("preferred_appointment_time"),
        "lastVisitDate": col("last_visit_date"),
        "nextVisitDue": col("next_visit_due"),
        "createdAt": timestamp("created_at"),
    },
    "Profile": {
        "id": gid("Profile"),
        "fullName": col("full_name"),
        "role": enum("role"),
        "email": col("email"),
        "phone": col("phone"),
        "city": col("city"),
        "preferredContactMethod": enum("preferred_contact_method"),
        "timezone": col("timezone"),
        "locale": col("locale"),
    },
    "PatientAlert": {
        "id": gid("PatientAlert"),
        "alertType": enum("alert_type"),
        "severity": enum("severity"),
        "title": col("title"),
        "message": col("message"),
        "isActive": lambda a: f"({ACTIVE_ALERT.replace('c.', a + '.')})",
        "expiresAt": timestamp("expires_at"),
        "createdAt": timestamp("created_at"),
    },
    "PatientProblem": {
        "id": gid("PatientProblem"),
        "problemName": col("problem_name"),
        "icdCode": col("icd_code"),
        "onsetDate": col("onset_date"),
        "resolvedDate": col("resolved_date"),
        "isChronic": col("is_chronic"),
        "isActive": col("is_active"),
        "severity": enum("severity"),
        "notes": col("notes"),
    },
    "DiagnosisCode": {
        "id": gid("DiagnosisCode"),
        "code": col("code"),
        "term": col("term"),
        "standard": col("standard"),
    },
    "AnesthesiaLog": {
        "id": gid("AnesthesiaLog"),
        "procedureName": col("procedure_name"),
        "anesthesiaProtocol": col("anesthesia_protocol"),
        "preAnesthesiaAssessment": col("pre_anesthesia_assessment"),
        "inductionTime": timestamp("induction_time"),
        "maintenanceStart": timestamp("maintenance_start"),
        "recoveryStart": timestamp("recovery_start"),
        "extubationTime": timestamp("extubation_time"),
        "fullRecoveryTime": timestamp("full_recovery_time"),
        "complications": col("complications"),
        "outcome": enum("outcome"),
        "completedAt": timestamp("completed_at"),
        "notes": col("notes"),
        "createdAt": timestamp("created_at"),
    },
    "VitalSign": {
        "id": gid("VitalSign"),
        "recordedAt": timestamp("recorded_at"),
        "heartRate": col("heart_rate"),
        "respiratoryRate": col("respiratory_rate"),
        "spo2": number("spo2"),
        "etco2": number("etco2"),
        "bloodPressureSystolic": col("blood_pressure_systolic"),
        "bloodPressureDiastolic": col("blood_pressure_diastolic"),
        "bloodPressureMean": col("blood_pressure_mean"),
        "temperature": number("temperature"),
        "anesthesiaDepth": enum("anesthesia_depth"),
        "ivFluidsRate": number("iv_fluids_rate"),
        "notes": col("notes"),
    },
    "Appointment": {
        "id": gid("Appointment"),
        "startTime": timestamp("start_time"),
        "endTime": timestamp("end_time"),
        "status": enum("status"),
        "reason": col("reason"),
        "checkedInAt": timestamp("checked_in_at"),
        "startedAt": timestamp("started_at"),
        "completedAt": timestamp("completed_at"),
        "waitTimeMinutes": col("wait_time_minutes"),
        "visitDurationMinutes": col("visit_duration_minutes"),
    },
    "ExamRoom": {
        "id": gid("ExamRoom"),
        "name": col("name"),
        "roomType": enum("room_type"),
        "capacity": col("capacity"),
        "equipment": col("equipment"),
        "isActive": col("is_active"),
        "displayOrder": col("display_order"),
    },
}

RELATIONS: dict[tuple[str, str], One | Many | Paged] = {
    ("Pet", "owner"): One("profiles", "owner_id", "Profile"),
    ("Pet", "primaryVet"): One("profiles", "primary_vet_id", "Profile"),
    ("Pet", "alerts"): Many(
        "patient_alerts",
        "pet_id",
        "PatientAlert",
        "array_position(ARRAY['danger','warning','info'], {a}.severity), {a}.created_at DESC, {a}.id",
        ACTIVE_ALERT,
    ),
    ("Pet", "problems"): Many(
        "patient_problems",
        "pet_id",
        "PatientProblem",
        "{a}.is_active DESC, {a}.onset_date DESC NULLS LAST, {a}.id",
        "c.is_active",
    ),
    ("Pet", "anesthesiaLogs"): Paged("anesthesia_logs", "pet_id", "AnesthesiaLog", LOGS_NEWEST_FIRST),
    ("Pet", "appointments"): Paged("appointments", "pet_id", "Appointment", APPOINTMENTS_BY_START),
    ("PatientAlert", "createdBy"): One("profiles", "created_by", "Profile"),
    ("PatientProblem", "diagnosisCode"): One("diagnosis_codes", "diagnosis_code_id", "DiagnosisCode", shared=True),
    ("AnesthesiaLog", "pet"): One("pets", "pet_id", "Pet"),
    ("AnesthesiaLog", "vitals"): Paged("anesthesia_vitals", "anesthesia_log_id", "VitalSign", VITALS_OLDEST_FIRST),
    ("Appointment", "pet"): One("pets", "pet_id", "Pet"),
    ("Appointment", "vet"): One("profiles", "vet_id", "Profile"),
    ("Appointment", "room"): One("exam_rooms", "room_id", "ExamRoom"),
}
