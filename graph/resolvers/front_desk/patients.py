"""Patients: createPet, transferPet (same clinic only), markPetDeceased, archivePet, restorePet."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import strawberry

from db import front_desk as sql
from domain.front_desk import rules
from domain.front_desk.errors import FrontDeskErrorCode as Code
from domain.problems import Problem
from graph.mutations import Info, Write
from graph.resolvers.front_desk.owners import FRONT_DESK, clean
from graph.types.front_desk import CreatePetInput, MarkPetDeceasedInput, PatientPayload, PetInput, TransferPetInput
from graph.types.pet import Pet

_NO_PET = Problem("petId", Code.NOT_FOUND, "No such patient in this clinic.")
_NO_OWNER = Problem("ownerId", Code.NOT_FOUND, "No such client in this clinic.")


async def _owner_for_pets(w: Write[Code], owner: UUID) -> None:
    """The owner must be a current client of the caller's clinic (another clinic's is simply not found)."""
    state = await sql.owner_state(w.db, w.tenant, owner)
    if state is None:
        w.refuse(_NO_OWNER)
    if state["archived_at"] is not None:
        w.refuse(Problem("ownerId", Code.ARCHIVED, "The client is archived; restore them first."))


async def create_pet(
    info: Info, input: Annotated[CreatePetInput, strawberry.argument(description="The new patient.")]
) -> PatientPayload:
    """Register a patient of a client of the caller's clinic. Staff only."""
    owner = FRONT_DESK.id(input.owner_id, "Profile", "ownerId")
    problems: list[Problem[Code]] = [owner] if isinstance(owner, Problem) else []
    values: dict[str, Any] = {
        "name": clean(input.name),
        "species": input.species.value,
        "sex": input.sex.value,
        "is_neutered": input.is_neutered,
    }
    problems += rules.text("name", values["name"], max_len=rules.MAX_NAME, required=True)
    for name in ("breed", "color", "microchip_id"):
        value = clean(getattr(input, name))
        if value is not None:
            values[name] = value.upper() if name == "microchip_id" else value
            problems += rules.text(name if name != "microchip_id" else "microchipId", value, max_len=rules.MAX_SHORT)
    if input.weight_kg is not None:
        problems += rules.weight("weightKg", input.weight_kg)
        values["weight_kg"] = input.weight_kg
    if input.date_of_birth is not None:
        values["date_of_birth"] = input.date_of_birth
    if input.primary_vet_id is not None:
        vet = FRONT_DESK.id(input.primary_vet_id, "Profile", "primaryVetId")
        problems += [vet] if isinstance(vet, Problem) else []
        values["primary_vet_id"] = vet
    if input.behavioral_notes is not None:
        values["behavioral_notes"] = clean(input.behavioral_notes)
        problems += rules.text("behavioralNotes", values["behavioral_notes"], max_len=rules.MAX_TEXT)
    if input.preferred_appointment_time is not None:
        values["preferred_appointment_time"] = input.preferred_appointment_time.value

    async def perform(w: Write[Code]) -> PatientPayload:
        assert isinstance(owner, UUID)
        await _owner_for_pets(w, owner)
        if input.date_of_birth is not None:
            found = rules.birth("dateOfBirth", input.date_of_birth, await sql.clinic_today(w.db, w.tenant))
            if found:
                w.refuse(*found)
        row = await sql.insert_pet(w.db, w.tenant, owner, values)  # microchip: a unique index decides
        w.prime("Pet", row["id"], row)
        w.forget("PetWeight")
        return PatientPayload(pet=Pet.from_row(row))

    return await FRONT_DESK.run(info, PatientPayload, perform, problems=problems)


async def transfer_pet(
    info: Info, input: Annotated[TransferPetInput, strawberry.argument(description="The pet and its new owner.")]
) -> PatientPayload:
    """Move a patient to another client of the same clinic. Staff only."""
    pet = FRONT_DESK.id(input.pet_id, "Pet", "petId")
    owner = FRONT_DESK.id(input.owner_id, "Profile", "ownerId")
    problems = [p for p in (pet, owner) if isinstance(p, Problem)]

    async def perform(w: Write[Code]) -> PatientPayload:
        assert isinstance(pet, UUID) and isinstance(owner, UUID)
        if await sql.pet_for_update(w.db, w.tenant, pet) is None:
            w.refuse(_NO_PET)
        await _owner_for_pets(w, owner)
        row = await sql.transfer_pet(w.db, w.tenant, pet, owner)
        assert row is not None
        w.prime("Pet", pet, row)
        w.forget("Pet")  # both owners' lists of pets changed
        return PatientPayload(pet=Pet.from_row(row))

    return await FRONT_DESK.run(info, PatientPayload, perform, problems=problems)


async def mark_pet_deceased(
    info: Info, input: Annotated[MarkPetDeceasedInput, strawberry.argument(description="The pet, date and cause.")]
) -> PatientPayload:
    """Record a patient's death: its future visits are cancelled and its recurring series ended. Staff only."""
    pet = FRONT_DESK.id(input.pet_id, "Pet", "petId")
    problems: list[Problem[Code]] = [pet] if isinstance(pet, Problem) else []
    cause = clean(input.cause)
    problems += rules.text("cause", cause, max_len=rules.MAX_TEXT)

    async def perform(w: Write[Code]) -> PatientPayload:
        assert isinstance(pet, UUID)
        current = await sql.pet_for_update(w.db, w.tenant, pet)
        if current is None:
            w.refuse(_NO_PET)
        if current["is_deceased"]:
            w.refuse(Problem("petId", Code.DECEASED, "The pet's death is already recorded."))
        today = await sql.clinic_today(w.db, w.tenant)
        found = rules.death(input.deceased_on, current["date_of_birth"], today)
        if found:
            w.refuse(*found)
        row = await sql.mark_deceased(w.db, w.tenant, pet, input.deceased_on, cause)
        assert row is not None
        w.prime("Pet", pet, row)
        w.forget("Appointment")
        w.forget("AppointmentRecurrence")
        return PatientPayload(pet=Pet.from_row(row))

    return await FRONT_DESK.run(info, PatientPayload, perform, problems=problems)


async def _set_archived(info: Info, input: PetInput, archived: bool) -> PatientPayload:
    pet = FRONT_DESK.id(input.pet_id, "Pet", "petId")
    problems = [pet] if isinstance(pet, Problem) else []

    async def perform(w: Write[Code]) -> PatientPayload:
        assert isinstance(pet, UUID)
        row = await sql.set_pet_archived(w.db, w.tenant, pet, archived)
        if row is None:
            w.refuse(_NO_PET)
        w.prime("Pet", pet, row)
        w.forget("Pet")
        return PatientPayload(pet=Pet.from_row(row))

    return await FRONT_DESK.run(info, PatientPayload, perform, problems=problems)


async def archive_pet(
    info: Info, input: Annotated[PetInput, strawberry.argument(description="The pet to archive.")]
) -> PatientPayload:
    """Archive a patient: kept with its whole record, hidden from lists and search, not bookable. Staff only."""
    return await _set_archived(info, input, True)


async def restore_pet(
    info: Info, input: Annotated[PetInput, strawberry.argument(description="The pet to restore.")]
) -> PatientPayload:
    """Bring an archived patient back. Admin only."""
    return await _set_archived(info, input, False)
