"""Patient alerts: raise, edit and switch off a warning on a patient. Staff only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

import strawberry

from db import records as sql
from db.session import Row
from domain.problems import Problem
from domain.records import validation as v
from domain.records.errors import RecordsErrorCode as Code
from graph.mutations import Info, Write
from graph.resolvers.records.inputs import RECORDS, aware, clean, given, not_null
from graph.types.clinical import PatientAlert
from graph.types.records_mutations import (
    CreatePatientAlertInput,
    DeactivatePatientAlertInput,
    PatientAlertPayload,
    UpdatePatientAlertInput,
)

_NO_SUCH_ALERT = Problem("alertId", Code.NOT_FOUND, "No such alert.")


def _saved(w: Write[Code], row: Row | None, missing: Problem[Code] = _NO_SUCH_ALERT) -> PatientAlertPayload:
    """The alert as written; the loaders learn it and forget the pet's alert lists."""
    if row is None:
        w.refuse(missing)
    w.forget("PatientAlert")
    w.prime("PatientAlert", row["id"], row)
    return PatientAlertPayload(patient_alert=PatientAlert.from_row(row))


async def create_patient_alert(
    info: Info, input: Annotated[CreatePatientAlertInput, strawberry.argument(description="The patient and warning.")]
) -> PatientAlertPayload:
    """Raise a warning on a patient. Staff only."""
    pet = RECORDS.id(input.pet_id, "Pet", "petId")
    title = (input.title or "").strip()
    problems = [pet] if isinstance(pet, Problem) else []
    problems += v.text_input("title", title, max_len=v.MAX_TITLE, required=True)
    problems += v.text_input("message", input.message, max_len=v.MAX_TEXT)
    problems += aware("expiresAt", input.expires_at) or v.future("expiresAt", input.expires_at, datetime.now(UTC))
    values = {
        "alert_type": input.alert_type.value,
        "severity": input.severity.value,
        "title": title,
        "message": clean(input.message),
        "expires_at": input.expires_at,
    }

    async def perform(w: Write[Code]) -> PatientAlertPayload:
        assert isinstance(pet, UUID)
        row = await sql.insert_alert(w.db, w.tenant, pet, values)
        return _saved(w, row, Problem("petId", Code.NOT_FOUND, "No such pet."))

    return await RECORDS.run(info, PatientAlertPayload, perform, problems=problems)


async def update_patient_alert(
    info: Info, input: Annotated[UpdatePatientAlertInput, strawberry.argument(description="The alert and changes.")]
) -> PatientAlertPayload:
    """Edit an alert's type, severity, text or expiry. Staff only."""
    alert = RECORDS.id(input.alert_id, "PatientAlert", "alertId")
    problems = [alert] if isinstance(alert, Problem) else []
    sets: dict[str, Any] = {}
    if given(input.alert_type):
        problems += not_null("alertType", input.alert_type)
        sets["alert_type"] = input.alert_type.value if input.alert_type else None
    if given(input.severity):
        problems += not_null("severity", input.severity)
        sets["severity"] = input.severity.value if input.severity else None
    if given(input.title):
        sets["title"] = (input.title or "").strip()
        problems += v.text_input("title", sets["title"], max_len=v.MAX_TITLE, required=True)
    if given(input.message):
        problems += v.text_input("message", input.message, max_len=v.MAX_TEXT)
        sets["message"] = clean(input.message)
    if given(input.expires_at):
        problems += aware("expiresAt", input.expires_at) or v.future("expiresAt", input.expires_at, datetime.now(UTC))
        sets["expires_at"] = input.expires_at

    async def perform(w: Write[Code]) -> PatientAlertPayload:
        assert isinstance(alert, UUID)
        return _saved(w, await sql.update_alert(w.db, w.tenant, alert, sets))

    return await RECORDS.run(info, PatientAlertPayload, perform, problems=problems)


async def deactivate_patient_alert(
    info: Info, input: Annotated[DeactivatePatientAlertInput, strawberry.argument(description="The alert.")]
) -> PatientAlertPayload:
    """Switch an alert off. Staff only."""
    alert = RECORDS.id(input.alert_id, "PatientAlert", "alertId")

    async def perform(w: Write[Code]) -> PatientAlertPayload:
        assert isinstance(alert, UUID)
        return _saved(w, await sql.deactivate_alert(w.db, w.tenant, alert))

    problems = [] if isinstance(alert, UUID) else [_NO_SUCH_ALERT]  # not an alert's ID: no such alert
    return await RECORDS.run(info, PatientAlertPayload, perform, problems=problems)
