"""Patient-record mutations and queries: alerts, problem list, diagnosis codes, profiles, clinics, pets, devices.

Each mutation is one transaction through `info.context.db`, committed only when
there is no userError; a write the database refuses (unique index, foreign key,
trigger) is rolled back and reported as a userError.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any
from uuid import UUID

import orjson
import strawberry

from db import records as sql
from graph.context import Context
from graph.errors import BadUserInput
from graph.types.clinical import DiagnosisCode, PatientAlert, PatientProblem
from graph.types.devices import UserDevice
from graph.types.node import from_global_id
from graph.types.people import Clinic, Profile
from graph.types.pet import Pet
from graph.types.records_mutations import (
    UNSET,
    AddPatientProblemInput,
    ClinicPayload,
    CreatePatientAlertInput,
    DeactivatePatientAlertInput,
    DeviceInput,
    MarkProblemChronicInput,
    PatientAlertPayload,
    PatientProblemPayload,
    PetPayload,
    ProfilePayload,
    RecordsUserError,
    RegisterDeviceInput,
    ResolvePatientProblemInput,
    UpdateClinicInput,
    UpdatePatientAlertInput,
    UpdatePatientProblemInput,
    UpdatePetInput,
    UpdateProfileInput,
    UserDevicePayload,
)
from vetql.records import validation as v
from vetql.records.errors import RecordsErrorCode as Code
from vetql.records.validation import Problem

MAX_DEVICES = 50
Info = strawberry.Info[Context, None]


def _errors(problems: list[Problem]) -> list[RecordsUserError]:
    return [RecordsUserError(field=p.field, code=p.code, message=p.message) for p in problems]


def _uuid(global_id: str, type_name: str, field: str) -> UUID | Problem:
    """The UUID of a global ID, or a NOT_FOUND Problem naming the field."""
    try:
        _, key = from_global_id(global_id, expected=type_name)
        return UUID(key)
    except (BadUserInput, ValueError):
        return Problem(field, Code.NOT_FOUND, f"Not an ID of a {type_name}.")


def _tenant(info: Info) -> str:
    tenant = info.context.tenant_id
    assert tenant is not None  # the permission classes guarantee a clinic
    return tenant


def _given(value: Any) -> bool:
    return value is not UNSET


def _clean(value: str | None) -> str | None:
    """Trimmed text; blank means none."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def _not_null(field: str, value: Any) -> list[Problem]:
    return [Problem(field, Code.REQUIRED, f"{field} cannot be null.")] if value is None else []


def _aware(field: str, value: datetime | None) -> list[Problem]:
    if value is not None and value.tzinfo is None:
        return [Problem(field, Code.INVALID, f"{field} needs a time-zone offset, e.g. 2025-01-31T18:00:00-03:00.")]
    return []


# -- alerts ---------------------------------------------------------------------------------------


def _forget_alerts(info: Info, pet: UUID) -> None:
    for active_only in (True, False):
        info.context.loaders.alerts_by_pet.clear((pet, active_only))


async def create_patient_alert(
    info: Info, input: Annotated[CreatePatientAlertInput, strawberry.argument(description="The patient and warning.")]
) -> PatientAlertPayload:
    """Raise a warning on a patient. Staff only."""
    pet = _uuid(input.pet_id, "Pet", "petId")
    title = (input.title or "").strip()
    problems = [pet] if isinstance(pet, Problem) else []
    problems += v.text("title", title, max_len=v.MAX_TITLE, required=True)
    problems += v.text("message", input.message, max_len=v.MAX_TEXT)
    problems += _aware("expiresAt", input.expires_at) or v.future("expiresAt", input.expires_at, datetime.now(UTC))
    if problems:
        return PatientAlertPayload(patient_alert=None, user_errors=_errors(problems))
    assert isinstance(pet, UUID)
    values = {
        "alert_type": input.alert_type.value,
        "severity": input.severity.value,
        "title": title,
        "message": _clean(input.message),
        "expires_at": input.expires_at,
    }
    row = await sql.insert_alert(info.context.db, _tenant(info), pet, values)
    if row is None:
        return PatientAlertPayload(
            patient_alert=None, user_errors=_errors([Problem("petId", Code.NOT_FOUND, "No such pet.")])
        )
    await info.context.db.commit()
    _forget_alerts(info, pet)
    return PatientAlertPayload(patient_alert=PatientAlert.from_row(row), user_errors=[])


async def update_patient_alert(
    info: Info, input: Annotated[UpdatePatientAlertInput, strawberry.argument(description="The alert and changes.")]
) -> PatientAlertPayload:
    """Edit an alert's type, severity, text or expiry. Staff only."""
    alert = _uuid(input.alert_id, "PatientAlert", "alertId")
    problems = [alert] if isinstance(alert, Problem) else []
    sets: dict[str, Any] = {}
    if _given(input.alert_type):
        problems += _not_null("alertType", input.alert_type)
        sets["alert_type"] = input.alert_type.value if input.alert_type else None
    if _given(input.severity):
        problems += _not_null("severity", input.severity)
        sets["severity"] = input.severity.value if input.severity else None
    if _given(input.title):
        sets["title"] = (input.title or "").strip()
        problems += v.text("title", sets["title"], max_len=v.MAX_TITLE, required=True)
    if _given(input.message):
        problems += v.text("message", input.message, max_len=v.MAX_TEXT)
        sets["message"] = _clean(input.message)
    if _given(input.expires_at):
        problems += _aware("expiresAt", input.expires_at) or v.future("expiresAt", input.expires_at, datetime.now(UTC))
        sets["expires_at"] = input.expires_at
    if problems:
        return PatientAlertPayload(patient_alert=None, user_errors=_errors(problems))
    assert isinstance(alert, UUID)
    row = await sql.update_alert(info.context.db, _tenant(info), alert, sets)
    if row is None:
        return PatientAlertPayload(
            patient_alert=None, user_errors=_errors([Problem("alertId", Code.NOT_FOUND, "No such alert.")])
        )
    await info.context.db.commit()
    _forget_alerts(info, row["pet_id"])
    return PatientAlertPayload(patient_alert=PatientAlert.from_row(row), user_errors=[])


async def deactivate_patient_alert(
    info: Info, input: Annotated[DeactivatePatientAlertInput, strawberry.argument(description="The alert.")]
) -> PatientAlertPayload:
    """Switch an alert off. Staff only."""
    alert = _uuid(input.alert_id, "PatientAlert", "alertId")
    row = None if isinstance(alert, Problem) else await sql.deactivate_alert(info.context.db, _tenant(info), alert)
    if row is None:
        return PatientAlertPayload(
            patient_alert=None, user_errors=_errors([Problem("alertId", Code.NOT_FOUND, "No such alert.")])
        )
    await info.context.db.commit()
    _forget_alerts(info, row["pet_id"])
    return PatientAlertPayload(patient_alert=PatientAlert.from_row(row), user_errors=[])


# -- problem list ----------------------------------------------------------------------------------


def _problem_payload(problems: list[Problem]) -> PatientProblemPayload:
    return PatientProblemPayload(patient_problem=None, user_errors=_errors(problems))


def _forget_problems(info: Info, pet: UUID) -> None:
    for active_only in (True, False):
        info.context.loaders.problems_by_pet.clear((pet, active_only))


_DUPLICATE = Problem(
    "diagnosisCodeId", Code.DUPLICATE_ACTIVE_PROBLEM, "The pet already has an active entry with this diagnosis code."
)


async def add_patient_problem(
    info: Info, input: Annotated[AddPatientProblemInput, strawberry.argument(description="The patient and problem.")]
) -> PatientProblemPayload:
    """Add an entry to a patient's problem list: a coded diagnosis or a free name. Staff only."""
    db, tenant = info.context.db, _tenant(info)
    pet = _uuid(input.pet_id, "Pet", "petId")
    code = (
        None if input.diagnosis_code_id is None else _uuid(input.diagnosis_code_id, "DiagnosisCode", "diagnosisCodeId")
    )
    problems = [p for p in (pet, code) if isinstance(p, Problem)]
    name = _clean(input.problem_name)
    if code is None and name is None:
        problems.append(Problem("problemName", Code.REQUIRED, "Give a diagnosisCodeId or a problemName."))
    problems += v.text("problemName", name, max_len=v.MAX_NAME)
    problems += v.text("icdCode", input.icd_code, max_len=20)
    problems += v.text("notes", input.notes, max_len=v.MAX_TEXT)
    if problems:
        return _problem_payload(problems)
    problems += v.not_future_date("onsetDate", input.onset_date, await sql.clinic_today(db, tenant))
    if isinstance(code, UUID):
        coded = await sql.diagnosis_code(db, code)
        if coded is None:
            problems.append(Problem("diagnosisCodeId", Code.NOT_FOUND, "No such diagnosis code."))
        elif name is None:
            name = coded["term"]
    if problems:
        return _problem_payload(problems)
    assert isinstance(pet, UUID)
    values = {
        "problem_name": name,
        "diagnosis_code_id": code,
        "icd_code": _clean(input.icd_code),
        "onset_date": input.onset_date,
        "is_chronic": input.is_chronic,
        "severity": input.severity.value if input.severity else None,
        "notes": _clean(input.notes),
    }
    try:
        row = await sql.insert_problem(db, tenant, pet, values)
    except sql.ConstraintViolation as refused:
        if refused.constraint == "patient_problems_active_code_key":
            return _problem_payload([_DUPLICATE])
        raise
    if row is None:
        return _problem_payload([Problem("petId", Code.NOT_FOUND, "No such pet.")])
    await db.commit()
    _forget_problems(info, pet)
    return PatientProblemPayload(patient_problem=PatientProblem.from_row(row), user_errors=[])


async def _locked_problem(info: Info, global_id: str) -> Any:
    problem = _uuid(global_id, "PatientProblem", "problemId")
    if isinstance(problem, Problem):
        return problem
    row = await sql.problem_for_update(info.context.db, _tenant(info), problem)
    return Problem("problemId", Code.NOT_FOUND, "No such problem-list entry.") if row is None else row


async def update_patient_problem(
    info: Info, input: Annotated[UpdatePatientProblemInput, strawberry.argument(description="The entry and changes.")]
) -> PatientProblemPayload:
    """Edit a problem-list entry. Staff only."""
    db, tenant = info.context.db, _tenant(info)
    current = await _locked_problem(info, input.problem_id)
    if isinstance(current, Problem):
        return _problem_payload([current])
    problems: list[Problem] = []
    sets: dict[str, Any] = {}
    if _given(input.problem_name):
        sets["problem_name"] = _clean(input.problem_name)
        problems += v.text("problemName", sets["problem_name"], max_len=v.MAX_NAME, required=True)
    if _given(input.icd_code):
        problems += v.text("icdCode", input.icd_code, max_len=20)
        sets["icd_code"] = _clean(input.icd_code)
    if _given(input.severity):
        sets["severity"] = input.severity.value if input.severity else None
    if _given(input.notes):
        problems += v.text("notes", input.notes, max_len=v.MAX_TEXT)
        sets["notes"] = _clean(input.notes)
    if _given(input.onset_date):
        sets["onset_date"] = input.onset_date
        if input.onset_date is not None:
            problems += v.not_future_date("onsetDate", input.onset_date, await sql.clinic_today(db, tenant))
            resolved = current["resolved_date"]
            if resolved is not None and input.onset_date > resolved:
                problems.append(
                    Problem("onsetDate", Code.RESOLVED_BEFORE_ONSET, "The onset cannot be after the resolved date.")
                )
    if problems:
        return _problem_payload(problems)
    row = await sql.update_problem(db, tenant, current["id"], sets)
    assert row is not None  # locked above
    await db.commit()
    _forget_problems(info, row["pet_id"])
    return PatientProblemPayload(patient_problem=PatientProblem.from_row(row), user_errors=[])


async def resolve_patient_problem(
    info: Info, input: Annotated[ResolvePatientProblemInput, strawberry.argument(description="The entry and date.")]
) -> PatientProblemPayload:
    """Mark a problem resolved: it is no longer active. Staff only."""
    db, tenant = info.context.db, _tenant(info)
    current = await _locked_problem(info, input.problem_id)
    if isinstance(current, Problem):
        return _problem_payload([current])
    today = await sql.clinic_today(db, tenant)
    resolved: date = input.resolved_date or today
    problems = v.text("notes", input.notes, max_len=v.MAX_TEXT)
    if not current["is_active"] or current["resolved_date"] is not None:
        problems.append(Problem("problemId", Code.ALREADY_RESOLVED, "The entry is already resolved."))
    elif current["onset_date"] is not None and resolved < current["onset_date"]:
        problems.append(
            Problem("resolvedDate", Code.RESOLVED_BEFORE_ONSET, "A problem cannot resolve before its onset.")
        )
    problems += v.not_future_date("resolvedDate", resolved, today)
    if problems:
        return _problem_payload(problems)
    row = await sql.resolve_problem(db, tenant, current["id"], resolved, _clean(input.notes))
    assert row is not None
    await db.commit()
    _forget_problems(info, row["pet_id"])
    return PatientProblemPayload(patient_problem=PatientProblem.from_row(row), user_errors=[])


async def mark_problem_chronic(
    info: Info, input: Annotated[MarkProblemChronicInput, strawberry.argument(description="The entry.")]
) -> PatientProblemPayload:
    """Mark a problem chronic, or no longer chronic. Staff only."""
    problem = _uuid(input.problem_id, "PatientProblem", "problemId")
    row = None
    if isinstance(problem, UUID):
        row = await sql.update_problem(info.context.db, _tenant(info), problem, {"is_chronic": input.is_chronic})
    if row is None:
        return _problem_payload([Problem("problemId", Code.NOT_FOUND, "No such problem-list entry.")])
    await info.context.db.commit()
    _forget_problems(info, row["pet_id"])
    return PatientProblemPayload(patient_problem=PatientProblem.from_row(row), user_errors=[])


async def diagnosis_codes(
    info: Info,
    search: Annotated[str, strawberry.argument(description="Part of the term or code, 1-100 characters.")],
    first: Annotated[int, strawberry.argument(description="How many, 1-100.")] = 20,
) -> list[DiagnosisCode]:
    """Active diagnosis codes matching the text, best match first. Any signed-in user."""
    text = search.strip()
    if not 1 <= len(text) <= v.MAX_SEARCH:
        raise BadUserInput(f"search must be 1 to {v.MAX_SEARCH} characters")
    if not 1 <= first <= v.MAX_CODES:
        raise BadUserInput(f"first must be 1 to {v.MAX_CODES}")
    rows = await sql.search_diagnosis_codes(info.context.db, text, first)
    for row in rows:
        info.context.loaders.diagnosis_code_by_id.prime(row["id"], row)
    return [DiagnosisCode.from_row(r) for r in rows]


# -- profiles ---------------------------------------------------------------------------------------

_PROFILE_TEXTS = {  # input field -> (column, shape or None, max length)
    "phone": ("phone", "phone"),
    "secondary_phone": ("secondary_phone", "phone"),
    "emergency_contact_phone": ("emergency_contact_phone", "phone"),
    "address_line1": ("address_line1", None),
    "address_line2": ("address_line2", None),
    "city": ("city", None),
    "state": ("state", None),
    "postal_code": ("postal_code", None),
    "emergency_contact_name": ("emergency_contact_name", None),
}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


async def update_profile(
    info: Info, input: Annotated[UpdateProfileInput, strawberry.argument(description="Whose profile, and changes.")]
) -> ProfilePayload:
    """Edit contact details: an owner their own profile, staff any profile of their clinic."""
    ctx = info.context
    assert ctx.claims is not None
    profile: UUID | Problem = ctx.claims.sub
    if input.profile_id is not None:
        profile = _uuid(input.profile_id, "Profile", "profileId")
    problems = [profile] if isinstance(profile, Problem) else []
    sets: dict[str, Any] = {}
    for name, (column, shape) in _PROFILE_TEXTS.items():
        value = getattr(input, name)
        if _given(value):
            sets[column] = _clean(value)
            problems += v.text(_camel(name), sets[column])
            if shape:
                problems += v.pattern(_camel(name), sets[column], shape)
    if _given(input.country):
        sets["country"] = (input.country or "").strip().upper() or None
        problems += _not_null("country", sets["country"]) or v.pattern("country", sets["country"], "country")
    if _given(input.preferred_contact_method):
        problems += _not_null("preferredContactMethod", input.preferred_contact_method)
        method = input.preferred_contact_method
        sets["preferred_contact_method"] = method.value if method else None
    if _given(input.communication_preferences):
        prefs = input.communication_preferences
        problems += _not_null("communicationPreferences", prefs)
        changes = {} if prefs is None else {k: getattr(prefs, k) for k in ("marketing", "reminders")}
        for key, value in changes.items():
            if _given(value):
                problems += _not_null(f"communicationPreferences.{key}", value)
        given = {k: val for k, val in changes.items() if _given(val)}
        if given:
            sets["communication_preferences"] = orjson.dumps(given).decode()
    if _given(input.timezone):
        problems += _not_null("timezone", input.timezone) or v.timezone("timezone", input.timezone)
        sets["timezone"] = input.timezone
    if _given(input.locale):
        problems += _not_null("locale", input.locale) or v.locale("locale", input.locale)
        sets["locale"] = input.locale
    if problems:
        return ProfilePayload(profile=None, user_errors=_errors(problems))
    assert isinstance(profile, UUID)
    row = await sql.update_profile(ctx.db, _tenant(info), profile, sets)
    if row is None:  # missing, another clinic's, or (for an owner) someone else's
        return ProfilePayload(
            profile=None, user_errors=_errors([Problem("profileId", Code.NOT_FOUND, "No such profile.")])
        )
    await ctx.db.commit()
    ctx.loaders.profile_by_id.clear(profile).prime(profile, row)
    return ProfilePayload(profile=Profile.from_row(row), user_errors=[])


# -- clinics ----------------------------------------------------------------------------------------------

_SOCIAL = ("facebook", "instagram", "tiktok", "x", "youtube")


def _clinic_sets(input: UpdateClinicInput) -> tuple[dict[str, Any], list[Problem]]:
    sets: dict[str, Any] = {}
    problems: list[Problem] = []
    if _given(input.name):
        sets["name"] = _clean(input.name)
        problems += v.text("name", sets["name"], max_len=v.MAX_NAME, required=True)
    for name, shape in (("address", None), ("city", None), ("phone", "phone"), ("email", "email"), ("website", "url")):
        value = getattr(input, name)
        if _given(value):
            sets[name] = _clean(value)
            problems += v.text(name, sets[name]) + (v.pattern(name, sets[name], shape) if shape else [])
    if _given(input.timezone):
        problems += _not_null("timezone", input.timezone) or v.timezone("timezone", input.timezone)
        sets["timezone"] = input.timezone
    if _given(input.social_links):
        links = input.social_links
        stored: dict[str, str] | None = None
        if links is not None:
            stored = {k: val for k in _SOCIAL if (val := _clean(getattr(links, k))) is not None}
            for key in _SOCIAL:
                problems += v.pattern(f"socialLinks.{key}", stored.get(key), "url")
            if (whatsapp := _clean(links.whatsapp)) is not None:
                stored["whatsapp"] = whatsapp
                problems += v.pattern("socialLinks.whatsapp", whatsapp, "phone")
        sets["social_links"] = None if stored is None else orjson.dumps(stored).decode()
    if _given(input.business_hours):
        days = input.business_hours
        if days is None:
            sets["business_hours"] = None
        elif len(days) > len(v.WEEKDAYS):
            problems.append(Problem("businessHours", Code.TOO_MANY, "At most one entry per weekday."))
        else:
            problems += v.business_hours("businessHours", [(d.day.value, d.open, d.close) for d in days])
            hours = {d.day.value: {"open": v.clock(d.open), "close": v.clock(d.close)} for d in days}
            sets["business_hours"] = orjson.dumps(hours).decode()
    if _given(input.appointment_settings):
        settings = input.appointment_settings
        problems += _not_null("appointmentSettings", settings)
        if settings is not None:
            merged: dict[str, Any] = {}
            for key, (low, high) in v.APPOINTMENT_RANGES.items():
                value = getattr(settings, key)
                if _given(value):
                    field = f"appointmentSettings.{_camel(key)}"
                    problems += _not_null(field, value) or v.in_range(field, value, low, high)
                    merged[key] = value
            if _given(settings.require_confirmation):
                problems += _not_null("appointmentSettings.requireConfirmation", settings.require_confirmation)
                merged["require_confirmation"] = settings.require_confirmation
            sets["appointment_settings"] = orjson.dumps(merged).decode()
    if _given(input.notification_settings):
        notify = input.notification_settings
        if notify is None:
            sets["notification_settings"] = None
        else:
            switches = {k: getattr(notify, k) for k in ("email", "sms", "whatsapp", "push", "reminder_hours_before")}
            given = {k: val for k, val in switches.items() if _given(val)}
            problems += v.in_range(
                "notificationSettings.reminderHoursBefore", given.get("reminder_hours_before"), *v.REMINDER_HOURS
            )
            sets["notification_settings"] = orjson.dumps(given).decode()
    if _given(input.features_enabled):
        features = input.features_enabled or []
        sets["features_enabled"] = sorted({f.value for f in features})
    return sets, problems


async def update_clinic(
    info: Info, input: Annotated[UpdateClinicInput, strawberry.argument(description="Changes to the clinic.")]
) -> ClinicPayload:
    """Edit the caller's clinic: contact, hours, booking and notification settings, features. Admin only."""
    sets, problems = _clinic_sets(input)
    if problems:
        return ClinicPayload(clinic=None, user_errors=_errors(problems))
    row = await sql.update_clinic(info.context.db, _tenant(info), sets)
    if row is None:
        return ClinicPayload(clinic=None, user_errors=_errors([Problem(None, Code.NOT_FOUND, "No such clinic.")]))
    await info.context.db.commit()
    return ClinicPayload(clinic=Clinic.from_row(row), user_errors=[])


# -- pets -------------------------------------------------------------------------------------------------

_PET_REFUSALS = {
    "pets_primary_vet_is_staff": Problem("primaryVetId", Code.NOT_STAFF, "Not a vet or admin of this clinic."),
    "pets_primary_vet_fkey": Problem("primaryVetId", Code.NOT_STAFF, "Not a vet or admin of this clinic."),
    "pets_insurance_policy_fkey": Problem(
        "insurancePolicyId", Code.POLICY_NOT_OF_PET, "Not an insurance policy of this pet."
    ),
}


async def update_pet(
    info: Info, input: Annotated[UpdatePetInput, strawberry.argument(description="The pet and changes.")]
) -> PetPayload:
    """Edit a pet's primary vet, insurance policy, behavioural notes and preferred time. Staff only."""
    pet = _uuid(input.pet_id, "Pet", "petId")
    problems = [pet] if isinstance(pet, Problem) else []
    sets: dict[str, Any] = {}
    if _given(input.primary_vet_id):
        vet = None if input.primary_vet_id is None else _uuid(input.primary_vet_id, "Profile", "primaryVetId")
        problems += [vet] if isinstance(vet, Problem) else []
        sets["primary_vet_id"] = vet
    if _given(input.insurance_policy_id):
        policy = None
        if input.insurance_policy_id is not None:
            policy = _uuid(input.insurance_policy_id, "InsurancePolicy", "insurancePolicyId")
        problems += [policy] if isinstance(policy, Problem) else []
        sets["insurance_policy_id"] = policy
    if _given(input.behavioral_notes):
        problems += v.text("behavioralNotes", input.behavioral_notes, max_len=v.MAX_TEXT)
        sets["behavioral_notes"] = _clean(input.behavioral_notes)
    if _given(input.preferred_appointment_time):
        preferred = input.preferred_appointment_time
        sets["preferred_appointment_time"] = preferred.value if preferred else None
    if problems:
        return PetPayload(pet=None, user_errors=_errors(problems))
    assert isinstance(pet, UUID)
    try:
        row = await sql.update_pet(info.context.db, _tenant(info), pet, sets)
    except sql.ConstraintViolation as refused:
        known = _PET_REFUSALS.get(refused.constraint or "")
        if known is None:
            raise
        return PetPayload(pet=None, user_errors=_errors([known]))
    if row is None:
        return PetPayload(pet=None, user_errors=_errors([Problem("petId", Code.NOT_FOUND, "No such pet.")]))
    await info.context.db.commit()
    info.context.loaders.pet_by_id.clear(pet).prime(pet, row)
    return PetPayload(pet=Pet.from_row(row), user_errors=[])


# -- devices ------------------------------------------------------------------------------------------------


def _device_payload(row: Any, field: str = "deviceId") -> UserDevicePayload:
    if row is None:
        return UserDevicePayload(device=None, user_errors=_errors([Problem(field, Code.NOT_FOUND, "No such device.")]))
    return UserDevicePayload(device=UserDevice.from_row(row), user_errors=[])


async def register_device(
    info: Info, input: Annotated[RegisterDeviceInput, strawberry.argument(description="The device and its token.")]
) -> UserDevicePayload:
    """Register the caller's device for push notifications, or refresh it. Any member of a clinic."""
    token = input.fcm_token.strip()
    problems = v.text("fcmToken", token, max_len=v.MAX_TOKEN, required=True)
    for name in ("device_name", "device_model", "os_version", "app_version"):
        problems += v.text(_camel(name), getattr(input, name), max_len=v.MAX_DEVICE_FIELD)
    if problems:
        return UserDevicePayload(device=None, user_errors=_errors(problems))
    values = {
        "fcm_token": token,
        "device_type": input.device_type.value if input.device_type else None,
        **{name: _clean(getattr(input, name)) for name in ("device_name", "device_model", "os_version", "app_version")},
    }
    try:
        row = await sql.register_device(info.context.db, values)
    except sql.ConstraintViolation:  # the caller's profile does not exist in the clinic
        return _device_payload(None, "fcmToken")
    await info.context.db.commit()
    return _device_payload(row, "fcmToken")


async def touch_device(
    info: Info, input: Annotated[DeviceInput, strawberry.argument(description="The caller's device.")]
) -> UserDevicePayload:
    """Record that the app was used on this device now (keeps it active)."""
    device = _uuid(input.device_id, "UserDevice", "deviceId")
    row = None if isinstance(device, Problem) else await sql.touch_device(info.context.db, _tenant(info), device)
    if row is not None:
        await info.context.db.commit()
    return _device_payload(row)


async def deactivate_device(
    info: Info, input: Annotated[DeviceInput, strawberry.argument(description="The caller's device.")]
) -> UserDevicePayload:
    """Stop pushes to this device (e.g. on sign-out). Registering the token again reactivates it."""
    device = _uuid(input.device_id, "UserDevice", "deviceId")
    row = None if isinstance(device, Problem) else await sql.deactivate_device(info.context.db, _tenant(info), device)
    if row is not None:
        await info.context.db.commit()
    return _device_payload(row)


async def my_devices(
    info: Info,
    active_only: Annotated[bool, strawberry.argument(description="Only devices that receive pushes.")] = False,
) -> list[UserDevice]:
    """The caller's devices, most recently used first."""
    rows = await sql.my_devices(info.context.db, _tenant(info), active_only, MAX_DEVICES)
    return [UserDevice.from_row(r) for r in rows]
