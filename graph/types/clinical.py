"""Alerts, problem lists and diagnosis codes of a patient."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from db import expressions as x
from graph.table import TableRow, col, computed, one, table
from graph.types.enums import AlertSeverity, AlertType, ProblemSeverity
from graph.types.node import Node
from graph.types.people import Profile


@table("patient_alerts")
@strawberry.type(description="A warning staff must see before handling a patient (aggressive, allergy, ...).")
class PatientAlert(Node, TableRow):
    alert_type: AlertType = col(description="What kind of warning this is.")
    severity: AlertSeverity = col(description="How prominently to show it.")
    title: str = col(description="Short text shown on badges.")
    message: str | None = col(description="Details.")
    is_active: bool = computed(
        x.ALERT_IS_ACTIVE,
        description="True while switched on and not past `expiresAt`. An expired alert is not active.",
    )
    expires_at: datetime | None = col(description="When the alert stops applying, if ever.")
    created_at: datetime = col(description="When it was raised.")
    created_by: Profile | None = one("created_by", description="Who raised it.")


@table("diagnosis_codes", shared=True)
@strawberry.type(description="A coded diagnosis from the shared reference list.")
class DiagnosisCode(Node, TableRow):
    code: str = col(description="The code in its standard, e.g. VN-0012.")
    term: str = col(description="Human-readable name of the diagnosis.")
    standard: str = col(description="Coding standard: venom, snomed or icd10.")


@table("patient_problems")
@strawberry.type(description="An entry of a patient's problem list: an ongoing or past condition.")
class PatientProblem(Node, TableRow):
    problem_name: str = col(description="Name of the condition.")
    icd_code: str | None = col(description="ICD code, when one is used.")
    onset_date: date | None = col(description="When it began.")
    resolved_date: date | None = col(description="When it resolved; null while ongoing.")
    is_chronic: bool = col(description="A lifelong or long-term condition.")
    is_active: bool = col(description="Still a current problem.")
    severity: ProblemSeverity | None = col(description="Clinical severity.")
    notes: str | None = col(description="Clinical notes.")
    diagnosis_code: DiagnosisCode | None = one(
        "diagnosis_code_id", shared=True, description="The coded diagnosis, when the entry was coded."
    )
