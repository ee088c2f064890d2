"""The problem list: add, edit, resolve entries and mark them chronic; look up diagnosis codes."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

import strawberry

from db import records as sql
from db.session import Row
from domain.records import validation as v
from domain.records.errors import RecordsErrorCode as Code
from domain.records.validation import Problem
from graph.errors import BadUserInput
from graph.resolvers.records.inputs import Info, clean, errors, given, uuid
from graph.resolvers.user_errors import tenant_of
from graph.types.clinical import DiagnosisCode, PatientProblem
from graph.types.records_mutations import (
    AddPatientProblemInput,
    MarkProblemChronicInput,
    PatientProblemPayload,
    ResolvePatientProblemInput,
    UpdatePatientProblemInput,
)

_DUPLICATE = Problem(
    "diagnosisCodeId", Code.DUPLICATE_ACTIVE_PROBLEM, "The pet already has an active entry with this diagnosis code."
)
_NO_SUCH_ENTRY = Problem("problemId", Code.NOT_FOUND, "No such problem-list entry.")


def _refused(problems: list[Problem]) -> PatientProblemPayload:
    return PatientProblemPayload(patient_problem=None, user_errors=errors(problems))


async def _saved(info: Info, row: Row) -> PatientProblemPayload:
    """Commit, forget the pet's cached problem list, and answer with the entry."""
    await info.context.db.commit()
    info.context.loaders.forget("patient_problems")
    return PatientProblemPayload(patient_problem=PatientProblem.from_row(row), user_errors=[])


async def add_patient_problem(
    info: Info, input: Annotated[AddPatientProblemInput, strawberry.argument(description="The patient and problem.")]
) -> PatientProblemPayload:
    """Add an entry to a patient's problem list: a coded diagnosis or a free name. Staff only."""
    db, tenant = info.context.db, tenant_of(info)
    pet = uuid(input.pet_id, "Pet", "petId")
    code = (
        None if input.diagnosis_code_id is None else uuid(input.diagnosis_code_id, "DiagnosisCode", "diagnosisCodeId")
    )
    problems = [p for p in (pet, code) if isinstance(p, Problem)]
    name = clean(input.problem_name)
    if code is None and name is None:
        problems.append(Problem("problemName", Code.REQUIRED, "Give a diagnosisCodeId or a problemName."))
    problems += v.text("problemName", name, max_len=v.MAX_NAME)
    problems += v.text("icdCode", input.icd_code, max_len=20)
    problems += v.text("notes", input.notes, max_len=v.MAX_TEXT)
    if problems:
        return _refused(problems)
    problems += v.not_future_date("onsetDate", input.onset_date, await sql.clinic_today(db, tenant))
    if isinstance(code, UUID):
        coded = await sql.diagnosis_code(db, code)
        if coded is None:
            problems.append(Problem("diagnosisCodeId", Code.NOT_FOUND, "No such diagnosis code."))
        elif name is None:
            name = coded["term"]
    if problems or isinstance(pet, Problem):
        return _refused(problems)
    values = {
        "problem_name": name,
        "diagnosis_code_id": code,
        "icd_code": clean(input.icd_code),
        "onset_date": input.onset_date,
        "is_chronic": input.is_chronic,
        "severity": input.severity.value if input.severity else None,
        "notes": clean(input.notes),
    }
    try:
        row = await sql.insert_problem(db, tenant, pet, values)
    except sql.ConstraintViolation as refused:
        if refused.constraint == "patient_problems_active_code_key":
            return _refused([_DUPLICATE])
        raise
    if row is None:
        return _refused([Problem("petId", Code.NOT_FOUND, "No such pet.")])
    return await _saved(info, row)


async def _locked_problem(info: Info, global_id: str) -> Row | Problem:
    problem = uuid(global_id, "PatientProblem", "problemId")
    if isinstance(problem, Problem):
        return problem
    row = await sql.problem_for_update(info.context.db, tenant_of(info), problem)
    return _NO_SUCH_ENTRY if row is None else row


async def update_patient_problem(
    info: Info, input: Annotated[UpdatePatientProblemInput, strawberry.argument(description="The entry and changes.")]
) -> PatientProblemPayload:
    """Edit a problem-list entry. Staff only."""
    db, tenant = info.context.db, tenant_of(info)
    current = await _locked_problem(info, input.problem_id)
    if isinstance(current, Problem):
        return _refused([current])
    problems: list[Problem] = []
    sets: dict[str, Any] = {}
    if given(input.problem_name):
        sets["problem_name"] = clean(input.problem_name)
        problems += v.text("problemName", sets["problem_name"], max_len=v.MAX_NAME, required=True)
    if given(input.icd_code):
        problems += v.text("icdCode", input.icd_code, max_len=20)
        sets["icd_code"] = clean(input.icd_code)
    if given(input.severity):
        sets["severity"] = input.severity.value if input.severity else None
    if given(input.notes):
        problems += v.text("notes", input.notes, max_len=v.MAX_TEXT)
        sets["notes"] = clean(input.notes)
    if given(input.onset_date):
        sets["onset_date"] = input.onset_date
        if input.onset_date is not None:
            problems += v.not_future_date("onsetDate", input.onset_date, await sql.clinic_today(db, tenant))
            resolved = current["resolved_date"]
            if resolved is not None and input.onset_date > resolved:
                problems.append(
                    Problem("onsetDate", Code.RESOLVED_BEFORE_ONSET, "The onset cannot be after the resolved date.")
                )
    if problems:
        return _refused(problems)
    row = await sql.update_problem(db, tenant, current["id"], sets)
    assert row is not None  # locked above
    return await _saved(info, row)


async def resolve_patient_problem(
    info: Info, input: Annotated[ResolvePatientProblemInput, strawberry.argument(description="The entry and date.")]
) -> PatientProblemPayload:
    """Mark a problem resolved: it is no longer active. Staff only."""
    db, tenant = info.context.db, tenant_of(info)
    current = await _locked_problem(info, input.problem_id)
    if isinstance(current, Problem):
        return _refused([current])
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
        return _refused(problems)
    row = await sql.resolve_problem(db, tenant, current["id"], resolved, clean(input.notes))
    assert row is not None
    return await _saved(info, row)


async def mark_problem_chronic(
    info: Info, input: Annotated[MarkProblemChronicInput, strawberry.argument(description="The entry.")]
) -> PatientProblemPayload:
    """Mark a problem chronic, or no longer chronic. Staff only."""
    problem = uuid(input.problem_id, "PatientProblem", "problemId")
    row = None
    if isinstance(problem, UUID):
        row = await sql.update_problem(info.context.db, tenant_of(info), problem, {"is_chronic": input.is_chronic})
    if row is None:
        return _refused([_NO_SUCH_ENTRY])
    return await _saved(info, row)


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
        info.context.loaders.of("DiagnosisCode").prime(row["id"], row)
    return [DiagnosisCode.from_row(r) for r in rows]
