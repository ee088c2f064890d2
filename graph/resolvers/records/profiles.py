"""Profiles the clinic keeps: a person's contact details, the clinic's own settings, a pet's care details."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any
from uuid import UUID

import orjson
import strawberry

from db import records as sql
from domain.problems import Problem
from domain.records import validation as v
from domain.records.errors import RecordsErrorCode as Code
from graph.mutations import Info, Write
from graph.resolvers.records.inputs import RECORDS, camel, clean, given, not_null
from graph.types.people import Clinic, Profile
from graph.types.pet import Pet
from graph.types.records_mutations import (
    ClinicPayload,
    PetPayload,
    ProfilePayload,
    UpdateClinicInput,
    UpdatePetInput,
    UpdateProfileInput,
)

# -- people ---------------------------------------------------------------------------------------------

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


async def update_profile(
    info: Info, input: Annotated[UpdateProfileInput, strawberry.argument(description="Whose profile, and changes.")]
) -> ProfilePayload:
    """Edit contact details: an owner their own profile, staff any profile of their clinic."""
    claims = info.context.claims
    assert claims is not None
    profile: UUID | Problem[Code] = claims.sub
    if input.profile_id is not None:
        profile = RECORDS.id(input.profile_id, "Profile", "profileId")
    problems = [profile] if isinstance(profile, Problem) else []
    sets: dict[str, Any] = {}
    for name, (column, shape) in _PROFILE_TEXTS.items():
        value = getattr(input, name)
        if given(value):
            sets[column] = clean(value)
            problems += v.text_input(camel(name), sets[column])
            if shape:
                problems += v.pattern(camel(name), sets[column], shape)
    if given(input.country):
        sets["country"] = (input.country or "").strip().upper() or None
        problems += not_null("country", sets["country"]) or v.pattern("country", sets["country"], "country")
    if given(input.preferred_contact_method):
        problems += not_null("preferredContactMethod", input.preferred_contact_method)
        method = input.preferred_contact_method
        sets["preferred_contact_method"] = method.value if method else None
    if given(input.communication_preferences):
        prefs = input.communication_preferences
        problems += not_null("communicationPreferences", prefs)
        changes = {} if prefs is None else {k: getattr(prefs, k) for k in ("marketing", "reminders")}
        for key, value in changes.items():
            if given(value):
                problems += not_null(f"communicationPreferences.{key}", value)
        named = {k: val for k, val in changes.items() if given(val)}
        if named:
            sets["communication_preferences"] = orjson.dumps(named).decode()
    if given(input.timezone):
        problems += not_null("timezone", input.timezone) or v.timezone("timezone", input.timezone)
        sets["timezone"] = input.timezone
    if given(input.locale):
        problems += not_null("locale", input.locale) or v.locale("locale", input.locale)
        sets["locale"] = input.locale

    async def perform(w: Write[Code]) -> ProfilePayload:
        assert isinstance(profile, UUID)
        row = await sql.update_profile(w.db, w.tenant, profile, sets)
        if row is None:  # missing, another clinic's, or (for an owner) someone else's
            w.refuse(Problem("profileId", Code.NOT_FOUND, "No such profile."))
        w.prime("Profile", profile, row)
        return ProfilePayload(profile=Profile.from_row(row))

    return await RECORDS.run(info, ProfilePayload, perform, problems=problems)


# -- clinics ----------------------------------------------------------------------------------------------

_SOCIAL = ("facebook", "instagram", "tiktok", "x", "youtube")


def clinic_sets(input: UpdateClinicInput) -> tuple[dict[str, Any], list[Problem[Code]]]:
    sets: dict[str, Any] = {}
    problems: list[Problem[Code]] = []
    if given(input.name):
        sets["name"] = clean(input.name)
        problems += v.text_input("name", sets["name"], max_len=v.MAX_NAME, required=True)
    for name, shape in (("address", None), ("city", None), ("phone", "phone"), ("email", "email"), ("website", "url")):
        value = getattr(input, name)
        if given(value):
            sets[name] = clean(value)
            problems += v.text_input(name, sets[name]) + (v.pattern(name, sets[name], shape) if shape else [])
    if given(input.timezone):
        problems += not_null("timezone", input.timezone) or v.timezone("timezone", input.timezone)
        sets["timezone"] = input.timezone
    if given(input.social_links):
        links = input.social_links
        stored: dict[str, str] | None = None
        if links is not None:
            stored = {k: val for k in _SOCIAL if (val := clean(getattr(links, k))) is not None}
            for key in _SOCIAL:
                problems += v.pattern(f"socialLinks.{key}", stored.get(key), "url")
            if (whatsapp := clean(links.whatsapp)) is not None:
                stored["whatsapp"] = whatsapp
                problems += v.pattern("socialLinks.whatsapp", whatsapp, "phone")
        sets["social_links"] = None if stored is None else orjson.dumps(stored).decode()
    if given(input.business_hours):
        days = input.business_hours
        if days is None:
            sets["business_hours"] = None
        elif len(days) > v.MAX_SPANS:
            problems.append(Problem("businessHours", Code.TOO_MANY, f"At most {v.MAX_SPANS} opening spans."))
        else:
            problems += v.business_hours("businessHours", [(d.day.value, d.open, d.close) for d in days])
            hours: dict[str, list[dict[str, str]]] = {}
            for d in sorted(days, key=lambda d: d.open):  # each day's spans in the order of the day
                hours.setdefault(d.day.value, []).append({"open": v.clock(d.open), "close": v.clock(d.close)})
            sets["business_hours"] = orjson.dumps(hours).decode()
    if given(input.appointment_settings):
        settings = input.appointment_settings
        problems += not_null("appointmentSettings", settings)
        if settings is not None:
            merged: dict[str, Any] = {}
            for key, (low, high) in v.APPOINTMENT_RANGES.items():
                value = getattr(settings, key)
                if given(value):
                    field = f"appointmentSettings.{camel(key)}"
                    problems += not_null(field, value) or v.in_range(field, value, low, high)
                    merged[key] = value
            if given(settings.require_confirmation):
                problems += not_null("appointmentSettings.requireConfirmation", settings.require_confirmation)
                merged["require_confirmation"] = settings.require_confirmation
            sets["appointment_settings"] = orjson.dumps(merged).decode()
    if given(input.notification_settings):
        notify = input.notification_settings
        if notify is None:
            sets["notification_settings"] = None
        else:
            switches = {k: getattr(notify, k) for k in ("email", "sms", "whatsapp", "push", "reminder_hours_before")}
            named = {k: val for k, val in switches.items() if given(val)}
            problems += v.in_range(
                "notificationSettings.reminderHoursBefore", named.get("reminder_hours_before"), *v.REMINDER_HOURS
            )
            sets["notification_settings"] = orjson.dumps(named).decode()
    if given(input.features_enabled):
        features = input.features_enabled or []
        sets["features_enabled"] = sorted({f.value for f in features})
    return sets, problems


async def update_clinic(
    info: Info, input: Annotated[UpdateClinicInput, strawberry.argument(description="Changes to the clinic.")]
) -> ClinicPayload:
    """Edit the caller's clinic: contact, hours, booking and notification settings, features. Admin only."""
    sets, problems = clinic_sets(input)

    async def perform(w: Write[Code]) -> ClinicPayload:
        row = await sql.update_clinic(w.db, w.tenant, sets)
        if row is None:
            w.refuse(Problem(None, Code.NOT_FOUND, "No such clinic."))
        w.prime("Clinic", w.tenant, row)
        return ClinicPayload(clinic=Clinic.from_row(row))

    return await RECORDS.run(info, ClinicPayload, perform, problems=problems)


MAX_WEIGHT_KG = 2000

# -- pets -------------------------------------------------------------------------------------------------

async def update_pet(
    info: Info, input: Annotated[UpdatePetInput, strawberry.argument(description="The pet and changes.")]
) -> PetPayload:
    """Edit a pet: name, species, breed, sex, neutered, birth, colour, microchip, weight, primary vet,
    insurance policy, behavioural notes and preferred time. Staff only."""
    pet = RECORDS.id(input.pet_id, "Pet", "petId")
    problems = [pet] if isinstance(pet, Problem) else []
    sets: dict[str, Any] = {}
    if given(input.primary_vet_id):
        vet = None if input.primary_vet_id is None else RECORDS.id(input.primary_vet_id, "Profile", "primaryVetId")
        problems += [vet] if isinstance(vet, Problem) else []
        sets["primary_vet_id"] = vet
    if given(input.insurance_policy_id):
        policy = None
        if input.insurance_policy_id is not None:
            policy = RECORDS.id(input.insurance_policy_id, "InsurancePolicy", "insurancePolicyId")
        problems += [policy] if isinstance(policy, Problem) else []
        sets["insurance_policy_id"] = policy
    for name, max_len in (("name", v.MAX_NAME), ("breed", v.MAX_SHORT), ("color", v.MAX_SHORT)):
        value = getattr(input, name)
        if given(value):
            sets[name] = clean(value)
            problems += v.text_input(name, sets[name], max_len=max_len, required=name == "name")
    if given(input.microchip_id):
        chip = clean(input.microchip_id)
        sets["microchip_id"] = None if chip is None else chip.upper()
        problems += v.text_input("microchipId", chip)
    for name in ("species", "sex", "is_neutered"):
        value = getattr(input, name)
        if given(value):
            problems += not_null(camel(name), value)
            sets[name] = value.value if isinstance(value, Enum) else value
    if given(input.weight_kg):
        weight = input.weight_kg
        if weight is not None and not 0 < weight <= MAX_WEIGHT_KG:
            problems.append(Problem("weightKg", Code.OUT_OF_RANGE, f"weightKg: over 0, at most {MAX_WEIGHT_KG} kg."))
        sets["weight_kg"] = weight
    if given(input.date_of_birth):
        sets["date_of_birth"] = input.date_of_birth
    if given(input.behavioral_notes):
        problems += v.text_input("behavioralNotes", input.behavioral_notes, max_len=v.MAX_TEXT)
        sets["behavioral_notes"] = clean(input.behavioral_notes)
    if given(input.preferred_appointment_time):
        preferred = input.preferred_appointment_time
        sets["preferred_appointment_time"] = preferred.value if preferred else None

    async def perform(w: Write[Code]) -> PetPayload:
        assert isinstance(pet, UUID)
        born = sets.get("date_of_birth")
        if born is not None and born > await sql.clinic_today(w.db, w.tenant):
            w.refuse(Problem("dateOfBirth", Code.DATE_IN_FUTURE, "dateOfBirth cannot be in the future."))
        row = await sql.update_pet(w.db, w.tenant, pet, sets)  # vet and policy checked by the database
        if row is None:
            w.refuse(Problem("petId", Code.NOT_FOUND, "No such pet."))
        w.prime("Pet", pet, row)
        if "weight_kg" in sets:
            w.forget("PetWeight")  # the database kept the new weight in the history
        return PetPayload(pet=Pet.from_row(row))

    return await RECORDS.run(info, PetPayload, perform, problems=problems)
