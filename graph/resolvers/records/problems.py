"""The problem list: add, edit, resolve entries and mark them chronic; look up diagnosis codes."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

import strawberry

from db import records as sql
from db.session import Row
from domain.problems import Problem
from domain.records import validation as v
from domain.records.errors import RecordsErrorCode as Code
from graph.compiled import roots as compiled
from graph.errors import BadUserInput
from graph.mutations import Info, Write
from graph.resolvers.records.inputs import RECORDS, clean, given
from graph.types.clinical import DiagnosisCode, PatientProblem
from graph.types.records_mutations import (
    AddPatientProblemInput,
    MarkProblemChronicInput,
    PatientProblemPayload,
    ResolvePatientProblemInput,
    UpdatePatientProblemInput,
)

_NO_SUCH_ENTRY = Problem("problemId", Code.NOT_FOUND, "No such problem-list entry.")


def _saved(w: Write[Code], row: Row) -> PatientProblemPayload:
    """The entry as written; the loaders learn it and forget the pet's problem lists."""
    w.forget("PatientProblem")
    w.prime("PatientProblem", row["id"], row)
    return PatientProblemPayload(patient_problem=PatientProblem.from_row(row))


async def add_patient_problem(
    info: Info, input: Annotated[AddPatientProblemInput, strawberry.argument(description="The patient and problem.")]
) -> PatientProblemPayload:
    """Add an entry to a patient's problem list: a coded diagnosis or a free name. Staff only.

    A second active entry for the same pet and code is refused by the database
    (`patient_problems_active_code_key`, in the domain's constraint table), also between concurrent requests.
    """
    pet = RECORDS.id(input.pet_id, "Pet", "petId")
    code = (
        None
        if input.diagnosis_code_id is None
        else RECORDS.id(input.diagnosis_code_id, "DiagnosisCode", "diagnosisCodeId")
    )
    problems = [p for p in (pet, code) if isinstance(p, Problem)]
    given_name = clean(input.problem_name)
    if code is None and given_name is None:
        problems.append(Problem("problemName", Code.REQUIRED, "Give a diagnosisCodeId or a problemName."))
    problems += v.text_input("problemName", given_name, max_len=v.MAX_NAME)
    problems += v.text_input("icdCode", input.icd_code, max_len=20)
    problems += v.text_input("notes", input.notes, max_len=v.MAX_TEXT)

    async def perform(w: Write[Code]) -> PatientProblemPayload:
        assert isinstance(pet, UUID) and not isinstance(code, Problem)
        name = given_name
        found = v.not_future_date("onsetDate", input.onset_date, await sql.clinic_today(w.db, w.tenant))
        if code is not None:
            coded = await sql.diagnosis_code(w.db, code)
            if coded is None:
                found.append(Problem("diagnosisCodeId", Code.NOT_FOUND, "No such diagnosis code."))
            elif name is None:
                name = coded["term"]
        if found:
            w.refuse(*found)
        values = {
            "problem_name": name,
            "diagnosis_code_id": code,
            "icd_code": clean(input.icd_code),
            "onset_date": input.onset_date,
            "is_chronic": input.is_chronic,
            "severity": input.severity.value if input.severity else None,
            "notes": clean(input.notes),
        }
        row = await sql.insert_problem(w.db, w.tenant, pet, values)
        if row is None:
            w.refuse(Problem("petId", Code.NOT_FOUND, "No such pet."))
        return _saved(w, row)

    return await RECORDS.run(info, PatientProblemPayload, perform, problems=problems)


async def _locked_problem(w: Write[Code], global_id: str) -> Row:
    problem = RECORDS.id(global_id, "PatientProblem", "problemId")
    if isinstance(problem, Problem):
        w.refuse(problem)
    row = await sql.problem_for_update(w.db, w.tenant, problem)
    if row is None:
        w.refuse(_NO_SUCH_ENTRY)
    return row


async def update_patient_problem(
    info: Info, input: Annotated[UpdatePatientProblemInput, strawberry.argument(description="The entry and changes.")]
) -> PatientProblemPayload:
    """Edit a problem-list entry. Staff only."""

    async def perform(w: Write[Code]) -> PatientProblemPayload:
        current = await _locked_problem(w, input.problem_id)
        problems: list[Problem[Code]] = []
        sets: dict[str, Any] = {}
        if given(input.problem_name):
            sets["problem_name"] = clean(input.problem_name)
            problems += v.text_input("problemName", sets["problem_name"], max_len=v.MAX_NAME, required=True)
        if given(input.icd_code):
            problems += v.text_input("icdCode", input.icd_code, max_len=20)
            sets["icd_code"] = clean(input.icd_code)
        if given(input.severity):
            sets["severity"] = input.severity.value if input.severity else None
        if given(input.notes):
            problems += v.text_input("notes", input.notes, max_len=v.MAX_TEXT)
            sets["notes"] = clean(input.notes)
        if given(input.onset_date):
            sets["onset_date"] = input.onset_date
            if input.onset_date is not None:
                problems += v.not_future_date("onsetDate", input.onset_date, await sql.clinic_today(w.db, w.tenant))
                resolved = current["resolved_date"]
                if resolved is not None and input.onset_date > resolved:
                    problems.append(
                        Problem("onsetDate", Code.RESOLVED_BEFORE_ONSET, "The onset cannot be after the resolved date.")
                    )
        if problems:
            w.refuse(*problems)
        row = await sql.update_problem(w.db, w.tenant, current["id"], sets)
        assert row is not None  # locked above
        return _saved(w, row)

    return await RECORDS.run(info, PatientProblemPayload, perform)


async def resolve_patient_problem(
    info: Info, input: Annotated[ResolvePatientProblemInput, strawberry.argument(description="The entry and date.")]
) -> PatientProblemPayload:
    """Mark a problem resolved: it is no longer active. Staff only."""

    async def perform(w: Write[Code]) -> PatientProblemPayload:
        current = await _locked_problem(w, input.problem_id)
        today = await sql.clinic_today(w.db, w.tenant)
        resolved: date = input.resolved_date or today
        problems = v.text_input("notes", input.notes, max_len=v.MAX_TEXT)
        if not current["is_active"] or current["resolved_date"] is not None:
            problems.append(Problem("problemId", Code.ALREADY_RESOLVED, "The entry is already resolved."))
        elif current["onset_date"] is not None and resolved < current["onset_date"]:
            problems.append(
                Problem("resolvedDate", Code.RESOLVED_BEFORE_ONSET, "A problem cannot resolve before its onset.")
            )
        problems += v.not_future_date("resolvedDate", resolved, today)
        if problems:
            w.refuse(*problems)
        row = await sql.resolve_problem(w.db, w.tenant, current["id"], resolved, clean(input.notes))
        assert row is not None
        return _saved(w, row)

    return await RECORDS.run(info, PatientProblemPayload, perform)


async def mark_problem_chronic(
    info: Info, input: Annotated[MarkProblemChronicInput, strawberry.argument(description="The entry.")]
) -> PatientProblemPayload:
    """Mark a problem chronic, or no longer chronic. Staff only."""
    problem = RECORDS.id(input.problem_id, "PatientProblem", "problemId")

    async def perform(w: Write[Code]) -> PatientProblemPayload:
        assert isinstance(problem, UUID)
        row = await sql.update_problem(w.db, w.tenant, problem, {"is_chronic": input.is_chronic})
        if row is None:
            w.refuse(_NO_SUCH_ENTRY)
        return _saved(w, row)

    problems = [] if isinstance(problem, UUID) else [_NO_SUCH_ENTRY]  # not an entry's ID: no such entry
    return await RECORDS.run(info, PatientProblemPayload, perform, problems=problems)


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
    return await compiled.listed(info, sql.diagnosis_code_search(text, first), DiagnosisCode)
