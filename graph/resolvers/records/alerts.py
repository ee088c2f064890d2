"""Patient alerts: raise, edit and switch off a warning on a patient. Staff only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import strawberry

from db import records as sql
from db.session import Row
from domain.records import validation as v
from domain.records.errors import RecordsErrorCode as Code
from domain.records.validation import Problem
from graph.resolvers.records.inputs import Info, aware, clean, errors, given, not_null, uuid
from graph.resolvers.user_errors import tenant_of
from graph.types.clinical import PatientAlert
from graph.types.records_mutations import (
    CreatePatientAlertInput,
    DeactivatePatientAlertInput,
    PatientAlertPayload,
    UpdatePatientAlertInput,
)


def _refused(problems: list[Problem]) -> PatientAlertPayload:
    return PatientAlertPayload(patient_alert=None, user_errors=errors(problems))


async def _saved(info: Info, row: Row) -> PatientAlertPayload:
    """Commit, forget the pet's cached alerts, and answer with the alert."""
    await info.context.db.commit()
    info.context.loaders.forget("patient_alerts")
    return PatientAlertPayload(patient_alert=PatientAlert.from_row(row), user_errors=[])


async def create_patient_alert(
    info: Info, input: Annotated[CreatePatientAlertInput, strawberry.argument(description="The patient and warning.")]
) -> PatientAlertPayload:
    """Raise a warning on a patient. Staff only."""
    pet = uuid(input.pet_id, "Pet", "petId")
    title = (input.title or "").strip()
    problems = [pet] if isinstance(pet, Problem) else []
    problems += v.text("title", title, max_len=v.MAX_TITLE, required=True)
    problems += v.text("message", input.message, max_len=v.MAX_TEXT)
    problems += aware("expiresAt", input.expires_at) or v.future("expiresAt", input.expires_at, datetime.now(UTC))
    if problems or isinstance(pet, Problem):
        return _refused(problems)
    values = {
        "alert_type": input.alert_type.value,
        "severity": input.severity.value,
        "title": title,
        "message": clean(input.message),
        "expires_at": input.expires_at,
    }
    row = await sql.insert_alert(info.context.db, tenant_of(info), pet, values)
    if row is None:
        return _refused([Problem("petId", Code.NOT_FOUND, "No such pet.")])
    return await _saved(info, row)


async def update_patient_alert(
    info: Info, input: Annotated[UpdatePatientAlertInput, strawberry.argument(description="The alert and changes.")]
) -> PatientAlertPayload:
    """Edit an alert's type, severity, text or expiry. Staff only."""
    alert = uuid(input.alert_id, "PatientAlert", "alertId")
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
        problems += v.text("title", sets["title"], max_len=v.MAX_TITLE, required=True)
    if given(input.message):
        problems += v.text("message", input.message, max_len=v.MAX_TEXT)
        sets["message"] = clean(input.message)
    if given(input.expires_at):
        problems += aware("expiresAt", input.expires_at) or v.future("expiresAt", input.expires_at, datetime.now(UTC))
        sets["expires_at"] = input.expires_at
    if problems or isinstance(alert, Problem):
        return _refused(problems)
    row = await sql.update_alert(info.context.db, tenant_of(info), alert, sets)
    if row is None:
        return _refused([Problem("alertId", Code.NOT_FOUND, "No such alert.")])
    return await _saved(info, row)


async def deactivate_patient_alert(
    info: Info, input: Annotated[DeactivatePatientAlertInput, strawberry.argument(description="The alert.")]
) -> PatientAlertPayload:
    """Switch an alert off. Staff only."""
    alert = uuid(input.alert_id, "PatientAlert", "alertId")
    row = None if isinstance(alert, Problem) else await sql.deactivate_alert(info.context.db, tenant_of(info), alert)
    if row is None:
        return _refused([Problem("alertId", Code.NOT_FOUND, "No such alert.")])
    return await _saved(info, row)
