"""Visit notes and vaccines through the API: SOAP notes, signing, addenda, vaccines and what falls due."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import asyncpg
import pytest

from db.session import REQUEST_ROLE, set_claims
from tests.conftest import GQL
from tests.test_till import Till, Token, _clinic, errors, gid, run

NOTE = """id title isSigned signedAt weightKg temperatureC heartRate subjective objective assessment plan problemIds
vet { fullName } signedBy { fullName } appointment { id } addenda { body author { fullName } createdAt }"""
CREATE = f"""mutation($input: CreateMedicalRecordInput!) {{ createMedicalRecord(input: $input) {{
  record {{ {NOTE} }} userErrors {{ field code message }} }} }}"""
UPDATE = f"""mutation($input: UpdateMedicalRecordInput!) {{ updateMedicalRecord(input: $input) {{
  record {{ {NOTE} }} userErrors {{ field code message }} }} }}"""
SIGN = f"""mutation($input: SignMedicalRecordInput!) {{ signMedicalRecord(input: $input) {{
  record {{ {NOTE} }} userErrors {{ field code message }} }} }}"""
ADDENDUM = f"""mutation($input: AddMedicalRecordAddendumInput!) {{ addMedicalRecordAddendum(input: $input) {{
  record {{ {NOTE} }} userErrors {{ field code message }} }} }}"""
VACCINE = """mutation($input: RecordVaccineInput!) { recordVaccine(input: $input) {
  vaccine { id name lot lotExpiry dose route site administeredDate nextDoseDate administeredBy { fullName }
            pet { name nextVisitDue } }
  userErrors { field code message } } }"""
UPCOMING = """query($within: Int, $filter: UpcomingVaccinesFilter) { upcomingVaccines(within: $within, filter: $filter,
  first: 50) { totalCount edges { node { id name nextDoseDate pet { name } } } } }"""


@pytest.fixture(scope="module")
async def clinic(database_url: str) -> Till:
    return await _clinic(database_url)


async def _problem(database_url: str, c: Till, pet: uuid.UUID) -> uuid.UUID:
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetchval(  # type: ignore[no-any-return]
            "INSERT INTO patient_problems (tenant_id, pet_id, problem_name) VALUES ($1, $2, 'Otitis') RETURNING id",
            c.tenant, pet,
        )  # fmt: skip
    finally:
        await conn.close()


async def _appointment(database_url: str, c: Till, pet: uuid.UUID) -> uuid.UUID:
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetchval(  # type: ignore[no-any-return]
            "INSERT INTO appointments (tenant_id, pet_id, start_time, end_time, status)"
            " VALUES ($1, $2, now(), now() + interval '30 minutes', 'in_progress') RETURNING id", c.tenant, pet,
        )  # fmt: skip
    finally:
        await conn.close()


async def test_a_vet_writes_signs_and_amends_a_visit_note(
    gql: GQL, token: Token, clinic: Till, database_url: str
) -> None:
    vet = token(clinic.vet, clinic.tenant, "vet")
    problem = await _problem(database_url, clinic, clinic.pet)
    visit = await _appointment(database_url, clinic, clinic.pet)
    made = await run(gql, CREATE, vet, "createMedicalRecord", petId=gid("Pet", clinic.pet),
                     appointmentId=gid("Appointment", visit), title="Control de oído",
                     subjective="Se rasca la oreja", objective="Conducto eritematoso", weightKg=24.5,
                     temperatureC=38.6, heartRate=96, assessment="Otitis externa",
                     problemIds=[gid("PatientProblem", problem)], plan="Limpieza y gotas 7 días")  # fmt: skip
    assert made["userErrors"] == []
    note = made["record"]
    assert note["isSigned"] is False and note["vet"]["fullName"] == "Dra. Caja"
    assert note["problemIds"] == [gid("PatientProblem", problem)] and note["appointment"]["id"] == gid(
        "Appointment", visit)  # fmt: skip
    edited = await run(gql, UPDATE, vet, "updateMedicalRecord", recordId=note["id"], plan="Gotas 10 días")
    assert edited["userErrors"] == [] and edited["record"]["plan"] == "Gotas 10 días"
    assert edited["record"]["weightKg"] == 24.5  # kept
    signed = await run(gql, SIGN, vet, "signMedicalRecord", recordId=note["id"])
    assert signed["record"]["isSigned"] is True and signed["record"]["signedBy"]["fullName"] == "Dra. Caja"
    refused = await run(gql, UPDATE, vet, "updateMedicalRecord", recordId=note["id"], plan="Otra cosa")
    assert errors(refused) == [("recordId", "RECORD_SIGNED")]
    again = await run(gql, SIGN, vet, "signMedicalRecord", recordId=note["id"])
    assert errors(again) == [("recordId", "RECORD_SIGNED")]
    admin = token(clinic.admin, clinic.tenant, "admin")
    amended = await run(gql, ADDENDUM, admin, "addMedicalRecordAddendum", recordId=note["id"],
                        body="Corrección: 12 días de gotas")  # fmt: skip
    assert amended["userErrors"] == []
    assert [(a["body"], a["author"]["fullName"]) for a in amended["record"]["addenda"]] == [
        ("Corrección: 12 días de gotas", "Admin")]  # fmt: skip
    assert amended["record"]["plan"] == "Gotas 10 días"

    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():  # no route edits a signed note, nor an addendum
            await conn.execute(REQUEST_ROLE)
            claims = f'{{"tenant_id": "{clinic.tenant}", "role": "admin", "sub": "{clinic.admin}"}}'
            await conn.execute(set_claims(claims))
            key = uuid.UUID(_key(note["id"]))
            assert await conn.execute("UPDATE medical_record_addenda SET body = 'x' WHERE record_id = $1",
                                      key) == "UPDATE 0"  # fmt: skip
            with pytest.raises(asyncpg.CheckViolationError, match="never edited"):
                await conn.execute("UPDATE medical_records SET plan = 'x' WHERE id = $1", key)
    finally:
        await conn.close()


def _key(global_id: str) -> str:
    import base64

    return base64.urlsafe_b64decode(global_id.encode()).decode().partition(":")[2]


async def test_pet_medical_records_are_newest_first_and_by_node(
    gql: GQL, token: Token, clinic: Till
) -> None:
    vet = token(clinic.vet, clinic.tenant, "vet")
    ids = []
    for days, title in ((10, "Antes"), (1, "Después"), (5, "Entre")):
        made = await run(gql, CREATE, vet, "createMedicalRecord", petId=gid("Pet", clinic.other_pet), title=title,
                         visitDate=(date.today() - timedelta(days=days)).isoformat())  # fmt: skip
        ids.append(made["record"]["id"])
    listed = await gql.data(
        "query($id: ID!) { pet(id: $id) { medicalRecords(first: 2) { totalCount pageInfo { hasNextPage }"
        " edges { node { title } } } } }", {"id": gid("Pet", clinic.other_pet)}, vet,
    )  # fmt: skip
    records = listed["pet"]["medicalRecords"]
    assert records["totalCount"] == 3 and records["pageInfo"]["hasNextPage"]
    assert [e["node"]["title"] for e in records["edges"]] == ["Después", "Entre"]
    node = await gql.data("query($id: ID!) { node(id: $id) { ... on MedicalRecord { title } } }", {"id": ids[0]}, vet)
    assert node["node"] == {"title": "Antes"}
    owner = token(clinic.other_owner, clinic.tenant, "owner")
    assert (await gql.data("query($id: ID!) { node(id: $id) { id } }", {"id": ids[0]}, owner))["node"] is None


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"temperatureC": 50}, ("temperatureC", "OUT_OF_RANGE")),
        ({"weightKg": -1}, ("weightKg", "OUT_OF_RANGE")),
        ({"title": " "}, ("title", "OUT_OF_RANGE")),
        ({"problemIds": ["bm90LWFuLWlk"]}, ("problemIds", "NOT_FOUND")),
    ],
)
async def test_bad_notes_are_user_errors(
    gql: GQL, token: Token, clinic: Till, fields: dict[str, Any], expected: tuple[str, str]
) -> None:
    made = await run(gql, CREATE, token(clinic.vet, clinic.tenant, "vet"), "createMedicalRecord",
                     **{"petId": gid("Pet", clinic.pet), "title": "Mal", **fields})  # fmt: skip
    assert made["record"] is None and expected in errors(made)


async def test_a_note_links_only_its_pets_problems_and_appointments(
    gql: GQL, token: Token, clinic: Till, database_url: str, world: Any
) -> None:
    vet = token(clinic.vet, clinic.tenant, "vet")
    others = await _problem(database_url, clinic, clinic.other_pet)
    wrong = await run(gql, CREATE, vet, "createMedicalRecord", petId=gid("Pet", clinic.pet), title="x",
                      problemIds=[gid("PatientProblem", others)])  # fmt: skip
    assert errors(wrong) == [("problemIds", "PROBLEM_NOT_OF_PET")]
    visit = await _appointment(database_url, clinic, clinic.other_pet)
    wrong = await run(gql, CREATE, vet, "createMedicalRecord", petId=gid("Pet", clinic.pet), title="x",
                      appointmentId=gid("Appointment", visit))  # fmt: skip
    assert errors(wrong) == [("appointmentId", "APPOINTMENT_NOT_OF_PET")]
    stranger = token(world.b.vet, world.b.tenant, "vet")
    assert errors(await run(gql, CREATE, stranger, "createMedicalRecord", petId=gid("Pet", clinic.pet),
                            title="x")) == [("petId", "NOT_FOUND")]  # fmt: skip
    owner = token(clinic.owner, clinic.tenant, "owner")
    for query, variables in [
        (CREATE, {"input": {"petId": gid("Pet", clinic.pet), "title": "x"}}),
        (VACCINE, {"input": {"petId": gid("Pet", clinic.pet), "name": "x", "administeredDate": "2025-01-01"}}),
        (UPCOMING, {}),
    ]:
        body = await gql(query, variables, owner)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]


async def test_vaccines_are_recorded_fall_due_and_feed_the_next_visit(
    gql: GQL, token: Token, database_url: str
) -> None:
    c = await _clinic(database_url)
    vet = token(c.vet, c.tenant, "vet")
    today = date.today()
    given = await run(gql, VACCINE, vet, "recordVaccine", petId=gid("Pet", c.pet), name="Antirrábica",
                      manufacturer="Zoetis", lot="L-2231", lotExpiry=(today + timedelta(days=200)).isoformat(),
                      dose="1 mL", route="SUBCUTANEOUS", site="Escápula derecha",
                      administeredDate=(today - timedelta(days=345)).isoformat(),
                      nextDoseDate=(today + timedelta(days=20)).isoformat())  # fmt: skip
    assert given["userErrors"] == []
    v = given["vaccine"]
    assert v["route"] == "SUBCUTANEOUS" and v["administeredBy"]["fullName"] == "Dra. Caja"
    assert v["pet"]["nextVisitDue"] == (today + timedelta(days=20)).isoformat()
    later = await run(gql, VACCINE, vet, "recordVaccine", petId=gid("Pet", c.other_pet), name="Séxtuple",
                      administeredDate=today.isoformat(),
                      nextDoseDate=(today + timedelta(days=90)).isoformat())  # fmt: skip
    assert later["userErrors"] == []
    soon = (await gql.data(UPCOMING, {"within": 30}, vet))["upcomingVaccines"]
    assert [e["node"]["name"] for e in soon["edges"]] == ["Antirrábica"]
    both = (await gql.data(UPCOMING, {"within": 120}, vet))["upcomingVaccines"]
    assert [e["node"]["name"] for e in both["edges"]] == ["Antirrábica", "Séxtuple"]
    one_pet = await gql.data(UPCOMING, {"within": 120, "filter": {"petId": gid("Pet", c.other_pet)}}, vet)
    assert one_pet["upcomingVaccines"]["totalCount"] == 1
    owner = token(c.owner, c.tenant, "owner")
    mine = await gql.data(
        "query($id: ID!) { pet(id: $id) { vaccines { name lot } } }", {"id": gid("Pet", c.pet)}, owner
    )
    assert mine["pet"]["vaccines"] == [{"name": "Antirrábica", "lot": "L-2231"}]

    bad = await run(gql, VACCINE, vet, "recordVaccine", petId=gid("Pet", c.pet), name="x",
                    administeredDate=today.isoformat(), nextDoseDate=(today - timedelta(days=1)).isoformat(),
                    lotExpiry=(today - timedelta(days=1)).isoformat())  # fmt: skip
    assert errors(bad) == [("nextDoseDate", "NEXT_DOSE_BEFORE_GIVEN"), ("lotExpiry", "LOT_EXPIRED")]
    by_owner = await run(gql, VACCINE, vet, "recordVaccine", petId=gid("Pet", c.pet), name="x",
                         administeredDate=today.isoformat(), administeredById=gid("Profile", c.owner))  # fmt: skip
    assert errors(by_owner) == [("administeredById", "NOT_STAFF")]


async def test_upcoming_vaccines_read_the_seeds_index(database_url: str, world: Any) -> None:
    """The statement `upcomingVaccines` sends is a range scan of idx_vaccines_upcoming (tenant_id, next_dose_date)."""
    from db import visits
    from db.expressions import VACCINES_BY_DUE_DATE
    from db.pagination import Page, keyset_sql
    from db.session import driver_form

    query = visits.upcoming_query(world.a.tenant, 30, None)
    conditions, order_by, params, _ = keyset_sql(VACCINES_BY_DUE_DATE, Page(first=20), "c")
    statement, names = driver_form(
        f"SELECT c.* FROM vaccines c WHERE {query.where} AND {conditions} ORDER BY {order_by} LIMIT 21"
    )
    values = {**query.params, **params}
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            await conn.execute("SET LOCAL enable_seqscan = off")  # the test clinic is too small to need it
            plan = "\n".join(r[0] for r in await conn.fetch(f"EXPLAIN {statement}", *[values[n] for n in names]))
    finally:
        await conn.close()
    assert "idx_vaccines_upcoming" in plan, plan
