"""Alerts, problem lists and diagnosis codes of a patient."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import strawberry

from db.session import Row
from graph.context import Context
from graph.types.enums import AlertSeverity, AlertType, ProblemSeverity
from graph.types.fields import described
from graph.types.node import Node, to_global_id
from graph.types.people import Profile, optional


@strawberry.type(description="A warning staff must see before handling a patient (aggressive, allergy, ...).")
class PatientAlert(Node):
    created_by_id: strawberry.Private[UUID | None]
    alert_type: AlertType = strawberry.field(description="What kind of warning this is.")
    severity: AlertSeverity = strawberry.field(description="How prominently to show it.")
    title: str = strawberry.field(description="Short text shown on badges.")
    message: str | None = strawberry.field(description="Details.")
    is_active: bool = strawberry.field(
        description="True while switched on and not past `expiresAt`. An expired alert is not active."
    )
    expires_at: datetime | None = strawberry.field(description="When the alert stops applying, if ever.")
    created_at: datetime = strawberry.field(description="When it was raised.")

    @described("Who raised it.")
    async def created_by(self, info: strawberry.Info[Context, None]) -> Profile | None:
        if self.created_by_id is None:
            return None
        return optional(Profile.from_row, await info.context.loaders.profile_by_id.load(self.created_by_id))

    @classmethod
    def from_row(cls, row: Row) -> PatientAlert:
        return cls(
            id=to_global_id("PatientAlert", row["id"]),
            created_by_id=row["created_by"],
            alert_type=AlertType(row["alert_type"]),
            severity=AlertSeverity(row["severity"]),
            title=row["title"],
            message=row["message"],
            is_active=row["active_now"],
            expires_at=row["expires_at"],
            created_at=row["created_at"],
        )


@strawberry.type(description="A coded diagnosis from the shared reference list.")
class DiagnosisCode(Node):
    code: str = strawberry.field(description="The code in its standard, e.g. VN-0012.")
    term: str = strawberry.field(description="Human-readable name of the diagnosis.")
    standard: str = strawberry.field(description="Coding standard: venom, snomed or icd10.")

    @classmethod
    def from_row(cls, row: Row) -> DiagnosisCode:
        return cls(
            id=to_global_id("DiagnosisCode", row["id"]),
            code=row["code"],
            term=row["term"],
            standard=row["standard"],
        )


@strawberry.type(description="An entry of a patient's problem list: an ongoing or past condition.")
class PatientProblem(Node):
    diagnosis_code_id: strawberry.Private[UUID | None]
    problem_name: str = strawberry.field(description="Name of the condition.")
    icd_code: str | None = strawberry.field(description="ICD code, when one is used.")
    onset_date: date | None = strawberry.field(description="When it began.")
    resolved_date: date | None = strawberry.field(description="When it resolved; null while ongoing.")
    is_chronic: bool = strawberry.field(description="A lifelong or long-term condition.")
    is_active: bool = strawberry.field(description="Still a current problem.")
    severity: ProblemSeverity | None = strawberry.field(description="Clinical severity.")
    notes: str | None = strawberry.field(description="Clinical notes.")

    @described("The coded diagnosis, when the entry was coded.")
    async def diagnosis_code(self, info: strawberry.Info[Context, None]) -> DiagnosisCode | None:
        if self.diagnosis_code_id is None:
            return None
        row = await info.context.loaders.diagnosis_code_by_id.load(self.diagnosis_code_id)
        return optional(DiagnosisCode.from_row, row)

    @classmethod
    def from_row(cls, row: Row) -> PatientProblem:
        return cls(
            id=to_global_id("PatientProblem", row["id"]),
            diagnosis_code_id=row["diagnosis_code_id"],
            problem_name=row["problem_name"],
            icd_code=row["icd_code"],
            onset_date=row["onset_date"],
            resolved_date=row["resolved_date"],
            is_chronic=row["is_chronic"],
            is_active=row["is_active"],
            severity=ProblemSeverity(row["severity"]) if row["severity"] else None,
            notes=row["notes"],
        )
