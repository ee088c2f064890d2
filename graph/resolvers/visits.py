"""Visit notes (write, edit while unsigned, sign, addenda), vaccines given, and vaccines falling due. Staff only."""

from __future__ import annotations

from typing import Annotated, Any, cast
from uuid import UUID

import strawberry

from db import reads
from db import visits as sql
from db.expressions import VACCINES_BY_DUE_DATE
from db.pagination import slice_rows
from domain.problems import Problem
from domain.visits import rules
from domain.visits.errors import CONSTRAINTS
from domain.visits.errors import VisitErrorCode as Code
from graph.compiled import roots as compiled
from graph.errors import BadUserInput
from graph.mutations import Info, Mutations, Write
from graph.paging import After, Before, First, Last, to_page
from graph.permissions import clinic_of
from graph.types.connection import Connection, build_connection
from graph.types.node import uuid_of
from graph.types.visits import MedicalRecord, Vaccine, VisitUserError
from graph.types.visits_mutations import (
    AddMedicalRecordAddendumInput,
    CreateMedicalRecordInput,
    MedicalRecordPayload,
    RecordVaccineInput,
    SignMedicalRecordInput,
    UpcomingVaccinesFilter,
    UpdateMedicalRecordInput,
    VaccinePayload,
)

VISITS = Mutations(Code, VisitUserError, CONSTRAINTS)
MAX_WITHIN_DAYS = 366


def _ids(ids: list[strawberry.ID]) -> list[UUID] | Problem[Code]:
    if len(ids) > rules.MAX_PROBLEMS:
        return Problem("problemIds", Code.OUT_OF_RANGE, f"At most {rules.MAX_PROBLEMS}.")
    found = []
    for i in ids:
        key = VISITS.id(i, "PatientProblem", "problemIds")
        if isinstance(key, Problem):
            return key
        found.append(key)
    return list(dict.fromkeys(found))


def _text_problems(values: dict[str, Any]) -> list[Problem[Code]]:
    problems: list[Problem[Code]] = []
    for column, field in (("subjective", "subjective"), ("objective", "objective"), ("assessment", "assessment"),
                          ("plan", "plan"), ("notes", "notes")):  # fmt: skip
        problems += rules.words(field, values.get(column))
    problems += rules.findings(
        values.get("weight_kg"), values.get("temperature_c"), values.get("heart_rate"), values.get("respiratory_rate")
    )
    return problems


async def _saved(w: Write[Code], record_id: UUID) -> MedicalRecordPayload:
    row = await sql.record(w.db, w.tenant, record_id)
    assert row is not None
    w.prime("MedicalRecord", record_id, row)
    w.forget("MedicalRecordAddendum")
    return MedicalRecordPayload(record=MedicalRecord.from_row(row))


async def create_medical_record(
    info: Info, input: Annotated[CreateMedicalRecordInput, strawberry.argument(description="The note.")]
) -> MedicalRecordPayload:
    """Write a visit note for an appointment or a walk-in, as the caller; `sign: true` signs it at once."""
    pet = VISITS.id(input.pet_id, "Pet", "petId")
    appointment = None if input.appointment_id is None else VISITS.id(input.appointment_id, "Appointment",
                                                                       "appointmentId")  # fmt: skip
    code = None if input.diagnosis_code_id is None else VISITS.id(input.diagnosis_code_id, "DiagnosisCode",
                                                                   "diagnosisCodeId")  # fmt: skip
    problem_ids = _ids(input.problem_ids)
    values: dict[str, Any] = {c: getattr(input, c) for c in sql.RECORD_COLUMNS if c != "problem_ids"}
    values["problem_ids"] = [] if isinstance(problem_ids, Problem) else problem_ids
    problems = [p for p in (pet, appointment, code, problem_ids) if isinstance(p, Problem)]
    problems += rules.words("title", input.title, most=200) + _text_problems(values)

    async def perform(w: Write[Code]) -> MedicalRecordPayload:
        assert isinstance(pet, UUID)
        if not await sql.pet_exists(w.db, w.tenant, pet):
            w.refuse(Problem("petId", Code.NOT_FOUND, "No such pet."))
        if isinstance(appointment, UUID):
            exists, of_pet = await sql.appointment_pet(w.db, w.tenant, appointment)
            if not exists:
                w.refuse(Problem("appointmentId", Code.NOT_FOUND, "No such appointment."))
            if of_pet != pet:
                w.refuse(Problem("appointmentId", Code.APPOINTMENT_NOT_OF_PET, "The appointment is another pet's."))
        record_id = await sql.insert_record(w.db, w.tenant, w.by, {
            **values, "title": input.title.strip(), "pet_id": pet, "appointment_id": appointment,
            "record_type": input.record_type.value, "visit_date": input.visit_date, "diagnosis_code_id": code,
        }, input.sign)  # fmt: skip
        return await _saved(w, record_id)

    return await VISITS.run(info, MedicalRecordPayload, perform, problems=problems)


async def update_medical_record(
    info: Info, input: Annotated[UpdateMedicalRecordInput, strawberry.argument(description="The note and changes.")]
) -> MedicalRecordPayload:
    """Edit a note that is not signed yet."""
    record_id = VISITS.id(input.record_id, "MedicalRecord", "recordId")
    problem_ids = None if input.problem_ids is None else _ids(input.problem_ids)
    changes = {c: getattr(input, c) for c in sql.RECORD_COLUMNS if c not in ("problem_ids", "title")}
    changes = {c: v for c, v in changes.items() if v is not strawberry.UNSET}
    problems = [p for p in (record_id, problem_ids) if isinstance(p, Problem)]
    problems += rules.words("title", input.title, most=200) + _text_problems(changes)

    async def perform(w: Write[Code]) -> MedicalRecordPayload:
        assert isinstance(record_id, UUID)
        row = await sql.record(w.db, w.tenant, record_id, lock=True)
        if row is None:
            w.refuse(Problem("recordId", Code.NOT_FOUND, "No such visit note."))
        if row["is_signed"]:
            w.refuse(Problem("recordId", Code.RECORD_SIGNED, "A signed note is never edited; add an addendum."))
        values = {c: row[c] for c in sql.RECORD_COLUMNS} | changes
        if input.title is not None:
            values["title"] = input.title.strip()
        if isinstance(problem_ids, list):
            values["problem_ids"] = problem_ids
        await sql.update_record(w.db, w.tenant, record_id, values)
        return await _saved(w, record_id)

    return await VISITS.run(info, MedicalRecordPayload, perform, problems=problems)


async def sign_medical_record(
    info: Info, input: Annotated[SignMedicalRecordInput, strawberry.argument(description="The note.")]
) -> MedicalRecordPayload:
    """Sign a note: from now on it is never edited; corrections are addenda."""
    record_id = VISITS.id(input.record_id, "MedicalRecord", "recordId")

    async def perform(w: Write[Code]) -> MedicalRecordPayload:
        assert isinstance(record_id, UUID)
        row = await sql.record(w.db, w.tenant, record_id, lock=True)
        if row is None:
            w.refuse(Problem("recordId", Code.NOT_FOUND, "No such visit note."))
        if row["is_signed"]:
            w.refuse(Problem("recordId", Code.RECORD_SIGNED, "Already signed."))
        await sql.sign(w.db, w.tenant, record_id, w.by)
        return await _saved(w, record_id)

    problems = [record_id] if isinstance(record_id, Problem) else []
    return await VISITS.run(info, MedicalRecordPayload, perform, problems=problems)


async def add_medical_record_addendum(
    info: Info, input: Annotated[AddMedicalRecordAddendumInput, strawberry.argument(description="The addendum.")]
) -> MedicalRecordPayload:
    """Add a correction or addition to a note, signed or not, with the caller as author and now as time."""
    record_id = VISITS.id(input.record_id, "MedicalRecord", "recordId")
    problems = ([record_id] if isinstance(record_id, Problem) else []) + rules.words("body", input.body)

    async def perform(w: Write[Code]) -> MedicalRecordPayload:
        assert isinstance(record_id, UUID)
        if await sql.record(w.db, w.tenant, record_id) is None:
            w.refuse(Problem("recordId", Code.NOT_FOUND, "No such visit note."))
        await sql.add_addendum(w.db, w.tenant, record_id, w.by, input.body.strip())
        return await _saved(w, record_id)

    return await VISITS.run(info, MedicalRecordPayload, perform, problems=problems)


async def record_vaccine(
    info: Info, input: Annotated[RecordVaccineInput, strawberry.argument(description="The vaccine given.")]
) -> VaccinePayload:
    """Record a vaccine given; its next dose (after the day given) feeds the pet's next visit due."""
    pet = VISITS.id(input.pet_id, "Pet", "petId")
    product = None if input.product_id is None else VISITS.id(input.product_id, "Product", "productId")
    by = None if input.administered_by_id is None else VISITS.id(input.administered_by_id, "Profile",
                                                                  "administeredById")  # fmt: skip
    record = None if input.medical_record_id is None else VISITS.id(input.medical_record_id, "MedicalRecord",
                                                                     "medicalRecordId")  # fmt: skip
    problems = [p for p in (pet, product, by, record) if isinstance(p, Problem)]
    if input.name is None and input.product_id is None:
        problems.append(Problem("name", Code.INVALID, "Name the vaccine or give its product."))
    for field in ("name", "manufacturer", "lot", "dose", "site", "notes"):
        problems += rules.words(field, getattr(input, field), most=200 if field != "notes" else 2000)
    problems += rules.vaccine_dates(input.administered_date, input.next_dose_date, input.lot_expiry)

    async def perform(w: Write[Code]) -> VaccinePayload:
        assert isinstance(pet, UUID)
        if not await sql.pet_exists(w.db, w.tenant, pet):
            w.refuse(Problem("petId", Code.NOT_FOUND, "No such pet."))
        name = input.name
        if isinstance(product, UUID):
            item = await sql.product(w.db, w.tenant, product)
            if item is None:
                w.refuse(Problem("productId", Code.NOT_FOUND, "No such product."))
            name = name or item["name"]
        giver = by if isinstance(by, UUID) else w.by
        if not await sql.staff_member(w.db, w.tenant, giver):
            w.refuse(Problem("administeredById", Code.NOT_STAFF, "Vaccines are given by the clinic's staff."))
        if isinstance(record, UUID):
            found = await sql.record(w.db, w.tenant, record)
            if found is None or found["pet_id"] != pet:
                w.refuse(Problem("medicalRecordId", Code.NOT_FOUND, "No such visit note of this pet."))
        row = await sql.insert_vaccine(w.db, w.tenant, {
            "pet_id": pet, "name": name, "product_id": product, "manufacturer": input.manufacturer, "lot": input.lot,
            "lot_expiry": input.lot_expiry, "dose": input.dose, "route": None if input.route is None else
            input.route.value, "site": input.site, "administered_date": input.administered_date,
            "next_dose_date": input.next_dose_date, "administered_by": giver, "medical_record_id": record,
            "notes": input.notes,
        })  # fmt: skip
        w.prime("Vaccine", row["id"], row)
        w.forget("Pet")
        return VaccinePayload(vaccine=Vaccine.from_row(row))

    return await VISITS.run(info, VaccinePayload, perform, problems=problems)


async def upcoming_vaccines(
    info: Info,
    within: Annotated[int, strawberry.argument(description=f"Days from today, 0-{MAX_WITHIN_DAYS}.")] = 30,
    filter: Annotated[UpcomingVaccinesFilter | None, strawberry.argument(description="Conditions.")] = None,
    first: First = None,
    after: After = None,
    last: Last = None,
    before: Before = None,
) -> Connection[Vaccine]:
    """Vaccines whose next dose falls due from today (the clinic's day) to `within` days on, soonest first."""
    if not 0 <= within <= MAX_WITHIN_DAYS:
        raise BadUserInput(f"within: 0 to {MAX_WITHIN_DAYS} days")
    pet = None if filter is None or filter.pet_id is None else uuid_of(filter.pet_id, "Pet")
    page = to_page(VACCINES_BY_DUE_DATE, first, after, last, before)
    query = sql.upcoming_query(clinic_of(info), within, pet)
    fast = await compiled.connection(info, query, VACCINES_BY_DUE_DATE, page)
    if fast is not None:
        return cast(Connection[Vaccine], fast)
    db = info.context.db
    rows = await reads.list_page(db, query, VACCINES_BY_DUE_DATE, page)

    async def count() -> int:
        return await reads.list_count(db, query)

    return build_connection(slice_rows(rows, page), VACCINES_BY_DUE_DATE, Vaccine.from_row, count)
