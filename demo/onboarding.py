"""A demo clinic opened, staffed and given its clients and patients the way a real one is: the same
domain rules (names, phones in E.164, documents, e-mails, hours, dates) and the same db functions as
createClinic, inviteStaff/acceptInvitation, createOwner, createPet and markPetDeceased. A value the
rules refuse stops the load: the generator then drifted from what a clinic could hold."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from db import front_desk, records, staff
from db.session import RequestDb
from domain.front_desk import rules as desk
from domain.problems import Problem
from domain.records import validation
from domain.staff import rules as staffing

INVITATION_LIFETIME = timedelta(hours=1)  # accepted at once


class DemoRefused(ValueError):
    """The clinic's rules refuse a value the demo generator made."""


def _check(what: str, problems: Sequence[Problem[Any]]) -> None:
    if problems:
        raise DemoRefused(f"{what}: " + "; ".join(f"{p.field}: {p.message}" for p in problems))


@dataclass(frozen=True)
class ClinicSpec:
    slug: str
    name: str
    tier: str
    address: str
    city: str
    phone: str
    email: str
    website: str
    timezone: str
    hours: dict[str, list[tuple[time, time]]]
    features: list[str]


@dataclass(frozen=True)
class Member:
    role: str  # vet or admin
    full_name: str
    email: str


async def open_clinic(db: RequestDb, c: ClinicSpec) -> None:
    """createClinic's checks and writes: the clinic, then its settings."""
    spans = [(day, opens, closes) for day, day_spans in c.hours.items() for opens, closes in day_spans]
    problems: list[Problem[Any]] = [
        *staffing.slug(c.slug),
        *validation.text_input("name", c.name, max_len=validation.MAX_NAME, required=True),
        *validation.text_input("address", c.address),
        *validation.text_input("city", c.city),
        *validation.pattern("phone", c.phone, "phone"),
        *validation.pattern("email", c.email, "email"),
        *validation.pattern("website", c.website, "url"),
        *validation.timezone("timezone", c.timezone),
        *validation.business_hours("businessHours", spans),
    ]
    _check(c.slug, problems)
    await staff.insert_clinic(db, c.slug, c.name, c.tier)
    hours = {
        day: [{"open": validation.clock(opens), "close": validation.clock(closes)} for opens, closes in day_spans]
        for day, day_spans in c.hours.items()
    }
    sets = {
        "address": c.address,
        "city": c.city,
        "phone": c.phone,
        "email": c.email,
        "website": c.website,
        "timezone": c.timezone,
        "business_hours": json.dumps(hours),
        "features_enabled": c.features,
    }
    assert await records.update_clinic(db, c.slug, sets) is not None


async def join(db: RequestDb, tenant: str, member: Member, invited_by: uuid.UUID | None) -> uuid.UUID:
    """inviteStaff then acceptInvitation: the member's profile is the one accepting makes."""
    email = member.email.strip().lower()
    _check(email, [*staffing.email("email", email), *staffing.name("fullName", member.full_name)])
    if await staff.email_in_use(db, tenant, email):
        raise DemoRefused(f"{email}: the clinic already has a member with this e-mail")
    code = staffing.new_code()
    expires = datetime.now(UTC) + INVITATION_LIFETIME
    hashed = staffing.code_hash(code)
    await staff.insert_invitation(db, tenant, uuid.uuid4(), email, member.role, hashed, expires, invited_by)
    accepted = await staff.accept_invitation(db, tenant, hashed, member.full_name)
    if accepted["outcome"] != "accepted":
        raise DemoRefused(f"{email}: invitation {accepted['outcome']}")
    return uuid.UUID(str(accepted["profile_id"]))


@dataclass(frozen=True)
class Client:
    id: uuid.UUID
    full_name: str
    email: str
    phone: str
    address: str
    city: str
    contact: str  # preferred contact method
    document: str  # cédula de identidad, as written at the desk (with dots)


async def register_client(db: RequestDb, tenant: str, c: Client) -> None:
    """createOwner's checks and write."""
    phone, problems = desk.phone_problems("phone", c.phone)
    number, found = desk.document("ci", c.document)
    problems += found + desk.email("email", c.email)
    problems += desk.text("fullName", c.full_name, max_len=desk.MAX_NAME, required=True)
    problems += desk.text("addressLine1", c.address) + desk.text("city", c.city)
    _check(c.full_name, problems)
    values = {
        "full_name": c.full_name,
        "document_type": "ci",
        "document_number": number,
        "email": c.email,
        "phone": phone,
        "address_line1": c.address,
        "city": c.city,
        "preferred_contact_method": c.contact,
    }
    await front_desk.insert_owner(db, tenant, values, id=c.id)


@dataclass(frozen=True)
class Patient:
    id: uuid.UUID
    owner: uuid.UUID
    name: str
    species: str
    breed: str | None
    sex: str
    neutered: bool
    born: date | None
    weight_kg: Decimal
    color: str | None
    microchip: str | None
    primary_vet: uuid.UUID
    preferred_time: str
    notes: str | None


async def register_patient(db: RequestDb, tenant: str, p: Patient, today: date) -> None:
    """createPet's checks and write (its weight starts the weight history, by the database's trigger)."""
    problems = desk.text("name", p.name, max_len=desk.MAX_NAME, required=True)
    problems += desk.text("breed", p.breed) + desk.text("color", p.color) + desk.text("microchipId", p.microchip)
    problems += desk.weight("weightKg", float(p.weight_kg)) + desk.birth("dateOfBirth", p.born, today)
    problems += desk.text("behavioralNotes", p.notes, max_len=desk.MAX_TEXT)
    _check(p.name, problems)
    values: dict[str, Any] = {
        "name": p.name,
        "species": p.species,
        "sex": p.sex,
        "is_neutered": p.neutered,
        "weight_kg": p.weight_kg,
        "primary_vet_id": p.primary_vet,
        "preferred_appointment_time": p.preferred_time,
    }
    optional = {"breed": p.breed, "color": p.color, "microchip_id": p.microchip, "date_of_birth": p.born}
    values.update({k: v for k, v in optional.items() if v is not None})
    if p.notes is not None:
        values["behavioral_notes"] = p.notes
    await front_desk.insert_pet(db, tenant, p.owner, values, id=p.id)


async def record_death(db: RequestDb, tenant: str, pet: uuid.UUID, on: date, born: date | None, today: date) -> None:
    """markPetDeceased's checks and write (the database cancels its visits and ends its series)."""
    _check(str(pet), desk.death(on, born, today))
    assert await front_desk.mark_deceased(db, tenant, pet, on, None) is not None
