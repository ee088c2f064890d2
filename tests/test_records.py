"""Patient records through the API: alerts, the problem list, diagnosis-code search, profiles,
clinics, pets and push devices; each rule, each userError, roles, other clinics, and races.

The module works in a clinic of its own (`rec`, created here), so it may edit the clinic,
its people and its pets without disturbing the shared `world`; clinic B of the world is
the foreign clinic whose staff must reach none of it.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from db.session import REQUEST_ROLE, DbError, set_claims
from graph.types.node import to_global_id
from tests.conftest import GQL
from tests.world import World, erase_clinic

Token = Callable[..., str]
ERRORS = "userErrors { field code message }"
ALERT = "id alertType severity title message isActive expiresAt createdBy { id }"
PROBLEM = "id problemName icdCode onsetDate resolvedDate isChronic isActive severity notes diagnosisCode { code term }"


def op(name: str, input_type: str, result: str) -> str:
    return f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ {result} {ERRORS} }} }}"


CREATE_ALERT = op("createPatientAlert", "CreatePatientAlertInput", f"patientAlert {{ {ALERT} }}")
UPDATE_ALERT = op("updatePatientAlert", "UpdatePatientAlertInput", f"patientAlert {{ {ALERT} }}")
DEACTIVATE_ALERT = op("deactivatePatientAlert", "DeactivatePatientAlertInput", f"patientAlert {{ {ALERT} }}")
ADD_PROBLEM = op("addPatientProblem", "AddPatientProblemInput", f"patientProblem {{ {PROBLEM} }}")
UPDATE_PROBLEM = op("updatePatientProblem", "UpdatePatientProblemInput", f"patientProblem {{ {PROBLEM} }}")
RESOLVE_PROBLEM = op("resolvePatientProblem", "ResolvePatientProblemInput", f"patientProblem {{ {PROBLEM} }}")
MARK_CHRONIC = op("markProblemChronic", "MarkProblemChronicInput", f"patientProblem {{ {PROBLEM} }}")
PROFILE = (
    "id phone secondaryPhone addressLine1 addressLine2 city state postalCode country emergencyContactName"
    " emergencyContactPhone preferredContactMethod communicationPreferences { marketing reminders } timezone locale"
)
UPDATE_PROFILE = (
    f"mutation($input: UpdateProfileInput!) {{ updateProfile(input: $input) {{ profile {{ {PROFILE} }} {ERRORS} }} }}"
)
CLINIC = (
    "id name address city phone email website timezone socialLinks { facebook instagram whatsapp }"
    " businessHours { day open close } appointmentSettings notificationSettings { email sms push reminderHoursBefore }"
    " featuresEnabled"
)
UPDATE_CLINIC = (
    f"mutation($input: UpdateClinicInput!) {{ updateClinic(input: $input) {{ clinic {{ {CLINIC} }} {ERRORS} }} }}"
)
PET = "id behavioralNotes preferredAppointmentTime primaryVet { id fullName }"
UPDATE_PET = f"mutation($input: UpdatePetInput!) {{ updatePet(input: $input) {{ pet {{ {PET} }} {ERRORS} }} }}"
DEVICE = "id deviceType deviceName isActive lastUsedAt"
REGISTER = (
    f"mutation($input: RegisterDeviceInput!) {{ registerDevice(input: $input) {{ device {{ {DEVICE} }} {ERRORS} }} }}"
)
TOUCH = f"mutation($input: DeviceInput!) {{ touchDevice(input: $input) {{ device {{ {DEVICE} }} {ERRORS} }} }}"
DEACTIVATE_DEVICE = (
    f"mutation($input: DeviceInput!) {{ deactivateDevice(input: $input) {{ device {{ {DEVICE} }} {ERRORS} }} }}"
)
MY_DEVICES = f"query($active: Boolean! = false) {{ myDevices(activeOnly: $active) {{ {DEVICE} }} }}"
PET_ALERTS = f"query($id: ID!, $active: Boolean!) {{ pet(id: $id) {{ alerts(activeOnly: $active) {{ {ALERT} }} }} }}"
PET_PROBLEMS = f"query($id: ID!) {{ pet(id: $id) {{ problems(activeOnly: true) {{ {PROBLEM} }} }} }}"
CODES = "query($s: String!, $n: Int) { diagnosisCodes(search: $s, first: $n) { id code term } }"


def gid(type_name: str, pk: uuid.UUID) -> str:
    return str(to_global_id(type_name, pk))


def soon(days: int = 1) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


@dataclass
class Rec:
    """The module's own clinic."""

    tenant: str
    admin: uuid.UUID
    vet: uuid.UUID
    owner: uuid.UUID
    other_owner: uuid.UUID
    codes: list[uuid.UUID]


@pytest.fixture(scope="module")
async def rec(database_url: str, world: World) -> AsyncIterator[Rec]:
    r = Rec("records-clinic", uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), [uuid.uuid4() for _ in range(3)])
    conn = await asyncpg.connect(database_url)
    try:
        await erase_clinic(conn, r.tenant)
        await conn.execute("INSERT INTO tenants (id, name) VALUES ($1, 'Clínica Registros')", r.tenant)
        people = [(r.admin, "admin"), (r.vet, "vet"), (r.owner, "owner"), (r.other_owner, "owner")]
        await conn.executemany(
            "INSERT INTO profiles (tenant_id, id, role, full_name) VALUES ($1, $2, $3, $4)",
            [(r.tenant, pid, role, f"{role} {pid.hex[:6]}") for pid, role in people],
        )
        terms = [
            ("REC-DERM-1", "Dermatitis atópica"),
            ("REC-CARD-2", "Insuficiencia cardíaca"),
            ("REC-REN-3", "Enfermedad renal crónica"),
        ]
        await conn.executemany(
            "INSERT INTO diagnosis_codes (id, code, term) VALUES ($1, $2, $3)",
            [(i, c, t) for i, (c, t) in zip(r.codes, terms, strict=True)],
        )
        yield r
    finally:
        await erase_clinic(conn, r.tenant)
        await conn.close()


async def new_pet(database_url: str, rec: Rec, name: str = "Paciente") -> uuid.UUID:
    pet = uuid.uuid4()
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(
            "INSERT INTO pets (tenant_id, id, owner_id, name, species) VALUES ($1, $2, $3, $4, 'dog')",
            rec.tenant,
            pet,
            rec.owner,
            name,
        )
    finally:
        await conn.close()
    return pet


async def scalar(database_url: str, sql: str, *args: Any) -> Any:
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()


def vet(rec: Rec, token: Token) -> str:
    return token(rec.vet, rec.tenant, "vet")


def codes(payload: dict[str, Any]) -> list[tuple[str | None, str]]:
    return [(e["field"], e["code"]) for e in payload["userErrors"]]


# -- patient alerts -----------------------------------------------------------------------------


async def test_staff_creates_alert_that_drops_out_of_active_only_once_expired(
    gql: GQL, rec: Rec, token: Token, database_url: str
) -> None:
    pet = await new_pet(database_url, rec)
    data = await gql.data(
        CREATE_ALERT,
        {
            "input": {
                "petId": gid("Pet", pet),
                "alertType": "AGGRESSIVE",
                "severity": "DANGER",
                "title": "  Muerde  ",
                "message": "Usar bozal",
                "expiresAt": soon(),
            }
        },
        vet(rec, token),
    )
    payload = data["createPatientAlert"]
    assert payload["userErrors"] == []
    alert = payload["patientAlert"]
    assert (alert["alertType"], alert["severity"], alert["title"], alert["isActive"]) == (
        "AGGRESSIVE",
        "DANGER",
        "Muerde",
        True,
    )
    assert alert["createdBy"]["id"] == gid("Profile", rec.vet)  # from the token, not the input
    active = await gql.data(PET_ALERTS, {"id": gid("Pet", pet), "active": True}, vet(rec, token))
    assert [a["id"] for a in active["pet"]["alerts"]] == [alert["id"]]
    # time passes (the expiry moves into the past): no job runs, yet the alert is no longer active
    await scalar(
        database_url, "UPDATE patient_alerts SET expires_at = now() - interval '1 minute' WHERE pet_id = $1", pet
    )
    active = await gql.data(PET_ALERTS, {"id": gid("Pet", pet), "active": True}, vet(rec, token))
    assert active["pet"]["alerts"] == []
    every = await gql.data(PET_ALERTS, {"id": gid("Pet", pet), "active": False}, vet(rec, token))
    assert [a["isActive"] for a in every["pet"]["alerts"]] == [False]


async def test_create_alert_refuses_blank_or_long_title_past_expiry_and_writes_nothing(
    gql: GQL, rec: Rec, token: Token, database_url: str
) -> None:
    pet = await new_pet(database_url, rec)
    cases = [
        ({"title": "   "}, [("title", "REQUIRED")]),
        ({"title": "x" * 201}, [("title", "TOO_LONG")]),
        (
            {"title": "ok", "expiresAt": (datetime.now(UTC) - timedelta(hours=1)).isoformat()},
            [("expiresAt", "NOT_IN_FUTURE")],
        ),
        ({"title": "ok", "expiresAt": "2999-01-01T00:00:00"}, [("expiresAt", "INVALID")]),
        ({"title": "ok", "message": "m" * 4001}, [("message", "TOO_LONG")]),
    ]
    for extra, expected in cases:
        data = await gql.data(
            CREATE_ALERT, {"input": {"petId": gid("Pet", pet), "alertType": "ALLERGY", **extra}}, vet(rec, token)
        )
        assert codes(data["createPatientAlert"]) == expected, extra
        assert data["createPatientAlert"]["patientAlert"] is None
    assert await scalar(database_url, "SELECT count(*) FROM patient_alerts WHERE pet_id = $1", pet) == 0


async def test_update_and_deactivate_alert(gql: GQL, rec: Rec, token: Token, database_url: str) -> None:
    pet = await new_pet(database_url, rec)
    created = await gql.data(
        CREATE_ALERT,
        {"input": {"petId": gid("Pet", pet), "alertType": "ALLERGY", "title": "Penicilina"}},
        vet(rec, token),
    )
    alert_id = created["createPatientAlert"]["patientAlert"]["id"]
    updated = await gql.data(
        UPDATE_ALERT,
        {"input": {"alertId": alert_id, "severity": "DANGER", "message": "Anafilaxia", "expiresAt": soon(10)}},
        vet(rec, token),
    )
    alert = updated["updatePatientAlert"]["patientAlert"]
    assert (alert["severity"], alert["title"], alert["message"], alert["alertType"]) == (
        "DANGER",
        "Penicilina",
        "Anafilaxia",
        "ALLERGY",
    )
    refused = await gql.data(
        UPDATE_ALERT, {"input": {"alertId": alert_id, "title": None, "expiresAt": soon(-1)}}, vet(rec, token)
    )
    assert codes(refused["updatePatientAlert"]) == [("title", "REQUIRED"), ("expiresAt", "NOT_IN_FUTURE")]
    cleared = await gql.data(
        UPDATE_ALERT, {"input": {"alertId": alert_id, "message": None, "expiresAt": None}}, vet(rec, token)
    )
    assert cleared["updatePatientAlert"]["patientAlert"]["message"] is None
    assert cleared["updatePatientAlert"]["patientAlert"]["expiresAt"] is None
    off = await gql.data(DEACTIVATE_ALERT, {"input": {"alertId": alert_id}}, vet(rec, token))
    assert off["deactivatePatientAlert"]["patientAlert"]["isActive"] is False
    active = await gql.data(PET_ALERTS, {"id": gid("Pet", pet), "active": True}, vet(rec, token))
    assert active["pet"]["alerts"] == []
    bad = await gql.data(DEACTIVATE_ALERT, {"input": {"alertId": gid("Pet", pet)}}, vet(rec, token))
    assert codes(bad["deactivatePatientAlert"]) == [("alertId", "NOT_FOUND")]


STAFF_ONLY = [
    (CREATE_ALERT, "createPatientAlert", {"petId": "x", "alertType": "VIP", "title": "t"}),
    (UPDATE_ALERT, "updatePatientAlert", {"alertId": "x"}),
    (DEACTIVATE_ALERT, "deactivatePatientAlert", {"alertId": "x"}),
    (ADD_PROBLEM, "addPatientProblem", {"petId": "x", "problemName": "p"}),
    (UPDATE_PROBLEM, "updatePatientProblem", {"problemId": "x"}),
    (RESOLVE_PROBLEM, "resolvePatientProblem", {"problemId": "x"}),
    (MARK_CHRONIC, "markProblemChronic", {"problemId": "x"}),
    (UPDATE_PET, "updatePet", {"petId": "x"}),
]


@pytest.mark.parametrize(("mutation", "name", "input"), STAFF_ONLY, ids=[m[1] for m in STAFF_ONLY])
async def test_owner_token_where_staff_is_required_is_forbidden(
    gql: GQL, rec: Rec, token: Token, database_url: str, mutation: str, name: str, input: dict[str, Any]
) -> None:
    pet = await new_pet(database_url, rec)
    input = {k: (gid("Pet", pet) if v == "x" else v) for k, v in input.items()}
    body = await gql(mutation, {"input": input}, token(rec.owner, rec.tenant, "owner"))
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert body["data"] is None
    assert await scalar(database_url, "SELECT count(*) FROM patient_alerts WHERE pet_id = $1", pet) == 0
    assert await scalar(database_url, "SELECT count(*) FROM patient_problems WHERE pet_id = $1", pet) == 0


async def test_vet_cannot_update_clinic_and_anonymous_cannot_search_codes(gql: GQL, rec: Rec, token: Token) -> None:
    body = await gql(UPDATE_CLINIC, {"input": {"name": "Otra"}}, vet(rec, token))
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body = await gql(CODES, {"s": "derm"})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    body = await gql(UPDATE_PROFILE, {"input": {"city": "Luque"}}, token(uuid.uuid4(), None, "platform"))
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_foreign_clinic_ids_are_not_found_and_nothing_is_written(
    gql: GQL, world: World, rec: Rec, token: Token, database_url: str
) -> None:
    pet = await new_pet(database_url, rec, "Ajeno")
    own = vet(rec, token)
    alert = (
        await gql.data(CREATE_ALERT, {"input": {"petId": gid("Pet", pet), "alertType": "VIP", "title": "VIP"}}, own)
    )["createPatientAlert"]["patientAlert"]["id"]
    problem = (await gql.data(ADD_PROBLEM, {"input": {"petId": gid("Pet", pet), "problemName": "Otitis"}}, own))[
        "addPatientProblem"
    ]["patientProblem"]["id"]
    before = await scalar(
        database_url,
        "SELECT row(a.*, p.*, pe.*)::text FROM patient_alerts a"
        " JOIN patient_problems p ON p.tenant_id = a.tenant_id AND p.pet_id = a.pet_id"
        " JOIN pets pe ON pe.tenant_id = a.tenant_id AND pe.id = a.pet_id WHERE a.tenant_id = $2 AND a.pet_id = $1",
        pet,
        rec.tenant,
    )
    for role, who in (("vet", world.b.vet), ("admin", world.b.admin)):
        foreign = token(who, world.b.tenant, role)
        calls = [
            (CREATE_ALERT, "createPatientAlert", {"petId": gid("Pet", pet), "alertType": "VIP", "title": "x"}, "petId"),
            (UPDATE_ALERT, "updatePatientAlert", {"alertId": alert, "title": "x"}, "alertId"),
            (DEACTIVATE_ALERT, "deactivatePatientAlert", {"alertId": alert}, "alertId"),
            (ADD_PROBLEM, "addPatientProblem", {"petId": gid("Pet", pet), "problemName": "x"}, "petId"),
            (UPDATE_PROBLEM, "updatePatientProblem", {"problemId": problem, "notes": "x"}, "problemId"),
            (RESOLVE_PROBLEM, "resolvePatientProblem", {"problemId": problem}, "problemId"),
            (MARK_CHRONIC, "markProblemChronic", {"problemId": problem}, "problemId"),
            (UPDATE_PET, "updatePet", {"petId": gid("Pet", pet), "behavioralNotes": "x"}, "petId"),
            (UPDATE_PROFILE, "updateProfile", {"profileId": gid("Profile", rec.owner), "city": "x"}, "profileId"),
        ]
        for mutation, name, input, field in calls:
            data = await gql.data(mutation, {"input": input}, foreign)
            assert codes(data[name]) == [(field, "NOT_FOUND")], (role, name)
    after = await scalar(
        database_url,
        "SELECT row(a.*, p.*, pe.*)::text FROM patient_alerts a"
        " JOIN patient_problems p ON p.tenant_id = a.tenant_id AND p.pet_id = a.pet_id"
        " JOIN pets pe ON pe.tenant_id = a.tenant_id AND pe.id = a.pet_id WHERE a.tenant_id = $2 AND a.pet_id = $1",
        pet,
        rec.tenant,
    )
    assert after == before
    assert await scalar(database_url, "SELECT count(*) FROM patient_alerts WHERE pet_id = $1", pet) == 1
    assert await scalar(database_url, "SELECT city FROM profiles WHERE id = $1", rec.owner) is None


# -- problem list ---------------------------------------------------------------------------------


async def test_add_problem_coded_or_free_and_each_refusal(gql: GQL, rec: Rec, token: Token, database_url: str) -> None:
    pet = await new_pet(database_url, rec)
    coded = await gql.data(
        ADD_PROBLEM,
        {
            "input": {
                "petId": gid("Pet", pet),
                "diagnosisCodeId": gid("DiagnosisCode", rec.codes[0]),
                "severity": "MODERATE",
                "onsetDate": "2024-03-01",
                "isChronic": True,
            }
        },
        vet(rec, token),
    )
    entry = coded["addPatientProblem"]["patientProblem"]
    assert entry["problemName"] == "Dermatitis atópica"  # the code's term by default
    assert entry["diagnosisCode"] == {"code": "REC-DERM-1", "term": "Dermatitis atópica"}
    assert (entry["isActive"], entry["isChronic"], entry["severity"]) == (True, True, "MODERATE")
    free = await gql.data(ADD_PROBLEM, {"input": {"petId": gid("Pet", pet), "problemName": "Cojera"}}, vet(rec, token))
    assert free["addPatientProblem"]["patientProblem"]["diagnosisCode"] is None
    cases = [
        ({}, [("problemName", "REQUIRED")]),
        ({"problemName": "p" * 201}, [("problemName", "TOO_LONG")]),
        ({"diagnosisCodeId": gid("DiagnosisCode", uuid.uuid4())}, [("diagnosisCodeId", "NOT_FOUND")]),
        ({"diagnosisCodeId": gid("Pet", pet)}, [("diagnosisCodeId", "NOT_FOUND")]),
        (
            {"problemName": "x", "onsetDate": (date.today() + timedelta(days=3)).isoformat()},
            [("onsetDate", "DATE_IN_FUTURE")],
        ),
    ]
    for extra, expected in cases:
        data = await gql.data(ADD_PROBLEM, {"input": {"petId": gid("Pet", pet), **extra}}, vet(rec, token))
        assert codes(data["addPatientProblem"]) == expected, extra
    missing = await gql.data(
        ADD_PROBLEM, {"input": {"petId": gid("Pet", uuid.uuid4()), "problemName": "x"}}, vet(rec, token)
    )
    assert codes(missing["addPatientProblem"]) == [("petId", "NOT_FOUND")]
    assert await scalar(database_url, "SELECT count(*) FROM patient_problems WHERE pet_id = $1", pet) == 2


async def test_second_active_entry_with_same_code_is_refused_until_the_first_is_resolved(
    gql: GQL, rec: Rec, token: Token, database_url: str
) -> None:
    pet = await new_pet(database_url, rec)
    input = {"petId": gid("Pet", pet), "diagnosisCodeId": gid("DiagnosisCode", rec.codes[1])}
    first = (await gql.data(ADD_PROBLEM, {"input": input}, vet(rec, token)))["addPatientProblem"]
    assert first["userErrors"] == []
    second = (await gql.data(ADD_PROBLEM, {"input": {**input, "problemName": "Otra vez"}}, vet(rec, token)))[
        "addPatientProblem"
    ]
    assert codes(second) == [("diagnosisCodeId", "DUPLICATE_ACTIVE_PROBLEM")]
    assert second["patientProblem"] is None
    # the request after a refused write runs normally (the refused transaction was rolled back)
    listed = await gql.data(PET_PROBLEMS, {"id": gid("Pet", pet)}, vet(rec, token))
    assert [p["id"] for p in listed["pet"]["problems"]] == [first["patientProblem"]["id"]]
    await gql.data(RESOLVE_PROBLEM, {"input": {"problemId": first["patientProblem"]["id"]}}, vet(rec, token))
    again = (await gql.data(ADD_PROBLEM, {"input": input}, vet(rec, token)))["addPatientProblem"]
    assert again["userErrors"] == []


async def test_concurrent_adds_of_one_code_leave_exactly_one_active_entry(
    gql: GQL, rec: Rec, token: Token, database_url: str
) -> None:
    pet = await new_pet(database_url, rec)
    input = {"petId": gid("Pet", pet), "diagnosisCodeId": gid("DiagnosisCode", rec.codes[2])}
    results = await asyncio.gather(*(gql.data(ADD_PROBLEM, {"input": input}, vet(rec, token)) for _ in range(8)))
    payloads = [r["addPatientProblem"] for r in results]
    winners = [p for p in payloads if p["patientProblem"] is not None]
    assert len(winners) == 1
    assert all(codes(p) == [("diagnosisCodeId", "DUPLICATE_ACTIVE_PROBLEM")] for p in payloads if p not in winners)
    assert await scalar(database_url, "SELECT count(*) FROM patient_problems WHERE pet_id = $1", pet) == 1


async def test_concurrent_transactions_cannot_both_insert_an_active_code(rec: Rec, database_url: str) -> None:
    """The rule is the database's: two raw transactions as vetql_app, the second waits and is refused."""
    pet = await new_pet(database_url, rec)
    claims = f'{{"sub": "{rec.vet}", "tenant_id": "{rec.tenant}", "role": "vet"}}'
    conns = [await asyncpg.connect(database_url) for _ in range(2)]
    insert = "INSERT INTO patient_problems (pet_id, problem_name, diagnosis_code_id) VALUES ($1, 'x', $2)"
    try:
        txs = [c.transaction() for c in conns]
        for conn, tx in zip(conns, txs, strict=True):
            await tx.start()
            await conn.execute(REQUEST_ROLE)
            await conn.execute(set_claims(claims))
        await conns[0].execute(insert, pet, rec.codes[0])
        second = asyncio.create_task(conns[1].execute(insert, pet, rec.codes[0]))
        await asyncio.sleep(0.2)
        assert not second.done()  # waits for the first transaction
        await txs[0].commit()
        with pytest.raises(asyncpg.UniqueViolationError) as refused:
            await second
        assert DbError(refused.value).constraint == "patient_problems_active_code_key"  # shard suffix and all
        await txs[1].rollback()
    finally:
        for conn in conns:
            await conn.close()
    assert await scalar(database_url, "SELECT count(*) FROM patient_problems WHERE pet_id = $1", pet) == 1


async def test_resolve_sets_inactive_and_refuses_before_onset_future_or_twice(
    gql: GQL, rec: Rec, token: Token, database_url: str
) -> None:
    pet = await new_pet(database_url, rec)
    added = await gql.data(
        ADD_PROBLEM,
        {"input": {"petId": gid("Pet", pet), "problemName": "Gastritis", "onsetDate": "2025-01-10"}},
        vet(rec, token),
    )
    problem = added["addPatientProblem"]["patientProblem"]["id"]
    early = await gql.data(
        RESOLVE_PROBLEM, {"input": {"problemId": problem, "resolvedDate": "2025-01-09"}}, vet(rec, token)
    )
    assert codes(early["resolvePatientProblem"]) == [("resolvedDate", "RESOLVED_BEFORE_ONSET")]
    future = await gql.data(
        RESOLVE_PROBLEM,
        {"input": {"problemId": problem, "resolvedDate": (date.today() + timedelta(days=5)).isoformat()}},
        vet(rec, token),
    )
    assert codes(future["resolvePatientProblem"]) == [("resolvedDate", "DATE_IN_FUTURE")]
    assert await scalar(database_url, "SELECT is_active FROM patient_problems WHERE pet_id = $1", pet) is True
    done = await gql.data(
        RESOLVE_PROBLEM,
        {"input": {"problemId": problem, "resolvedDate": "2025-01-10", "notes": "Alta"}},
        vet(rec, token),
    )
    entry = done["resolvePatientProblem"]["patientProblem"]
    assert (entry["isActive"], entry["resolvedDate"], entry["notes"]) == (False, "2025-01-10", "Alta")
    twice = await gql.data(RESOLVE_PROBLEM, {"input": {"problemId": problem}}, vet(rec, token))
    assert codes(twice["resolvePatientProblem"]) == [("problemId", "ALREADY_RESOLVED")]
    # and an edit cannot move the onset after the resolution
    late = await gql.data(UPDATE_PROBLEM, {"input": {"problemId": problem, "onsetDate": "2025-02-01"}}, vet(rec, token))
    assert codes(late["updatePatientProblem"]) == [("onsetDate", "RESOLVED_BEFORE_ONSET")]


async def test_update_problem_and_mark_chronic(gql: GQL, rec: Rec, token: Token, database_url: str) -> None:
    pet = await new_pet(database_url, rec)
    added = await gql.data(
        ADD_PROBLEM, {"input": {"petId": gid("Pet", pet), "problemName": "Soplo", "notes": "leve"}}, vet(rec, token)
    )
    problem = added["addPatientProblem"]["patientProblem"]["id"]
    edited = await gql.data(
        UPDATE_PROBLEM,
        {
            "input": {
                "problemId": problem,
                "problemName": "Soplo cardíaco",
                "severity": "SEVERE",
                "icdCode": "I34",
                "notes": None,
            }
        },
        vet(rec, token),
    )
    entry = edited["updatePatientProblem"]["patientProblem"]
    assert (entry["problemName"], entry["severity"], entry["icdCode"], entry["notes"]) == (
        "Soplo cardíaco",
        "SEVERE",
        "I34",
        None,
    )
    blank = await gql.data(UPDATE_PROBLEM, {"input": {"problemId": problem, "problemName": " "}}, vet(rec, token))
    assert codes(blank["updatePatientProblem"]) == [("problemName", "REQUIRED")]
    chronic = await gql.data(MARK_CHRONIC, {"input": {"problemId": problem}}, vet(rec, token))
    assert chronic["markProblemChronic"]["patientProblem"]["isChronic"] is True
    back = await gql.data(MARK_CHRONIC, {"input": {"problemId": problem, "isChronic": False}}, vet(rec, token))
    assert back["markProblemChronic"]["patientProblem"]["isChronic"] is False
    missing = await gql.data(
        MARK_CHRONIC, {"input": {"problemId": gid("PatientProblem", uuid.uuid4())}}, vet(rec, token)
    )
    assert codes(missing["markProblemChronic"]) == [("problemId", "NOT_FOUND")]


async def test_diagnosis_codes_match_term_code_and_misspelling_for_any_signed_in_user(
    gql: GQL, rec: Rec, token: Token
) -> None:
    owner = token(rec.owner, rec.tenant, "owner")
    by_term = await gql.data(CODES, {"s": "cardíaca"}, owner)
    assert "REC-CARD-2" in [c["code"] for c in by_term["diagnosisCodes"]]
    by_code = await gql.data(CODES, {"s": "rec-ren"}, vet(rec, token))
    assert [c["code"] for c in by_code["diagnosisCodes"]] == ["REC-REN-3"]
    misspelt = await gql.data(CODES, {"s": "Dermatitis atopica"}, vet(rec, token))
    assert misspelt["diagnosisCodes"][0]["code"] == "REC-DERM-1"
    one = await gql.data(CODES, {"s": "REC", "n": 1}, vet(rec, token))
    assert len(one["diagnosisCodes"]) == 1
    for bad in ({"s": " "}, {"s": "x", "n": 0}, {"s": "x", "n": 101}):
        body = await gql(CODES, bad, vet(rec, token))
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


# -- profiles --------------------------------------------------------------------------------------


async def test_owner_edits_own_profile_contact_and_preferences(gql: GQL, rec: Rec, token: Token) -> None:
    owner = token(rec.owner, rec.tenant, "owner")
    data = await gql.data(
        UPDATE_PROFILE,
        {
            "input": {
                "phone": "+595 981 111222",
                "addressLine1": "Av. Mcal. López 1234",
                "city": "Asunción",
                "country": "py",
                "emergencyContactName": "Ana",
                "emergencyContactPhone": "+595 971 333444",
                "preferredContactMethod": "WHATSAPP",
                "communicationPreferences": {"marketing": False},
                "timezone": "America/Asuncion",
                "locale": "es-PY",
            }
        },
        owner,
    )
    profile = data["updateProfile"]["profile"]
    assert data["updateProfile"]["userErrors"] == []
    assert profile["id"] == gid("Profile", rec.owner)
    assert (profile["city"], profile["country"], profile["preferredContactMethod"]) == ("Asunción", "PY", "WHATSAPP")
    assert profile["communicationPreferences"] == {"marketing": False, "reminders": True}  # merged, not replaced
    again = await gql.data(
        UPDATE_PROFILE, {"input": {"communicationPreferences": {"reminders": False}, "locale": "gn"}}, owner
    )
    assert again["updateProfile"]["profile"]["communicationPreferences"] == {"marketing": False, "reminders": False}
    assert again["updateProfile"]["profile"]["phone"] == "+595 981 111222"  # left out: kept


async def test_update_profile_refusals(gql: GQL, rec: Rec, token: Token, database_url: str) -> None:
    owner = token(rec.owner, rec.tenant, "owner")
    before = await scalar(database_url, "SELECT row(p.*)::text FROM profiles p WHERE id = $1", rec.owner)
    cases = [
        ({"timezone": "Mars/Olympus"}, [("timezone", "INVALID_TIMEZONE")]),
        ({"locale": "spanish please"}, [("locale", "INVALID_LOCALE")]),
        ({"phone": "call me"}, [("phone", "INVALID")]),
        ({"country": "PRY"}, [("country", "INVALID")]),
        ({"timezone": None}, [("timezone", "REQUIRED")]),
        ({"city": "c" * 201}, [("city", "TOO_LONG")]),
        ({"communicationPreferences": {"marketing": None}}, [("communicationPreferences.marketing", "REQUIRED")]),
        ({"profileId": gid("Profile", rec.other_owner), "city": "Luque"}, [("profileId", "NOT_FOUND")]),
    ]
    for input, expected in cases:
        data = await gql.data(UPDATE_PROFILE, {"input": input}, owner)
        assert codes(data["updateProfile"]) == expected, input
    assert await scalar(database_url, "SELECT row(p.*)::text FROM profiles p WHERE id = $1", rec.owner) == before
    assert await scalar(database_url, "SELECT city FROM profiles WHERE id = $1", rec.other_owner) is None


async def test_staff_edit_profiles_of_their_clinic(gql: GQL, rec: Rec, token: Token) -> None:
    data = await gql.data(
        UPDATE_PROFILE, {"input": {"profileId": gid("Profile", rec.other_owner), "state": "Central"}}, vet(rec, token)
    )
    assert data["updateProfile"]["profile"]["state"] == "Central"


async def test_owner_cannot_change_own_role_by_sql_but_can_edit_contact(rec: Rec, database_url: str) -> None:
    """The owner's UPDATE policy holds on any route into the database, and it cannot promote anyone."""
    conn = await asyncpg.connect(database_url)
    tx = conn.transaction()
    await tx.start()
    try:
        await conn.execute(REQUEST_ROLE)
        claims = f'{{"sub": "{rec.other_owner}", "tenant_id": "{rec.tenant}", "role": "owner"}}'
        await conn.execute(set_claims(claims))
        assert (
            await conn.execute("UPDATE profiles SET postal_code = '1209' WHERE id = $1", rec.other_owner) == "UPDATE 1"
        )
        assert await conn.execute("UPDATE profiles SET city = 'x' WHERE id = $1", rec.owner) == "UPDATE 0"
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            async with conn.transaction():
                await conn.execute("UPDATE profiles SET role = 'admin' WHERE id = $1", rec.other_owner)
    finally:
        await tx.rollback()
        await conn.close()


# -- clinic ------------------------------------------------------------------------------------------


async def test_admin_updates_clinic_settings_with_typed_shapes(gql: GQL, rec: Rec, token: Token) -> None:
    admin = token(rec.admin, rec.tenant, "admin")
    data = await gql.data(
        UPDATE_CLINIC,
        {
            "input": {
                "phone": "+595 21 600600",
                "email": "hola@registros.example.com",
                "website": "https://registros.example.com",
                "socialLinks": {"instagram": "https://instagram.com/registros", "whatsapp": "+595 981 000111"},
                "businessHours": [
                    {"day": "SAT", "open": "08:00:00", "close": "12:00:00"},
                    {"day": "MON", "open": "08:00:00", "close": "18:30:00"},
                ],
                "appointmentSettings": {"slotDuration": 20, "cancellationHours": 12},
                "notificationSettings": {"email": True, "push": True, "reminderHoursBefore": 24},
                "featuresEnabled": ["APPOINTMENTS", "ANESTHESIA", "APPOINTMENTS"],
            }
        },
        admin,
    )
    payload = data["updateClinic"]
    assert payload["userErrors"] == []
    clinic = payload["clinic"]
    assert clinic["businessHours"] == [
        {"day": "MON", "open": "08:00", "close": "18:30"},
        {"day": "SAT", "open": "08:00", "close": "12:00"},
    ]
    assert clinic["socialLinks"] == {
        "facebook": None,
        "instagram": "https://instagram.com/registros",
        "whatsapp": "+595 981 000111",
    }
    settings = clinic["appointmentSettings"]
    assert (settings["slot_duration"], settings["cancellation_hours"], settings["buffer_time"]) == (20, 12, 0)
    assert clinic["notificationSettings"] == {"email": True, "sms": None, "push": True, "reminderHoursBefore": 24}
    assert clinic["featuresEnabled"] == ["ANESTHESIA", "APPOINTMENTS"]


async def test_update_clinic_refusals_write_nothing(gql: GQL, rec: Rec, token: Token, database_url: str) -> None:
    admin = token(rec.admin, rec.tenant, "admin")
    before = await scalar(database_url, "SELECT row(t.*)::text FROM tenants t WHERE id = $1", rec.tenant)
    cases = [
        (
            {"businessHours": [{"day": "MON", "open": "18:00:00", "close": "08:00:00"}]},
            [("businessHours.0.close", "INVALID_HOURS")],
        ),
        (
            {
                "businessHours": [
                    {"day": "TUE", "open": "08:00:00", "close": "12:00:00"},
                    {"day": "TUE", "open": "11:00:00", "close": "18:00:00"},
                ]
            },
            [("businessHours.1", "INVALID_HOURS")],  # a split shift may not overlap itself
        ),
        (
            {"businessHours": [{"day": "MON", "open": "08:00:00", "close": "09:00:00"}] * 29},  # 28 spans a week
            [("businessHours", "TOO_MANY")],
        ),
        ({"appointmentSettings": {"slotDuration": 1}}, [("appointmentSettings.slotDuration", "OUT_OF_RANGE")]),
        (
            {"appointmentSettings": {"maxAdvanceDays": 5000, "requireConfirmation": None}},
            [
                ("appointmentSettings.maxAdvanceDays", "OUT_OF_RANGE"),
                ("appointmentSettings.requireConfirmation", "REQUIRED"),
            ],
        ),
        (
            {"notificationSettings": {"reminderHoursBefore": 0}},
            [("notificationSettings.reminderHoursBefore", "OUT_OF_RANGE")],
        ),
        ({"timezone": "GMT+3"}, [("timezone", "INVALID_TIMEZONE")]),
        ({"website": "javascript:alert(1)"}, [("website", "INVALID")]),
        ({"socialLinks": {"facebook": "not a url"}}, [("socialLinks.facebook", "INVALID")]),
        ({"name": ""}, [("name", "REQUIRED")]),
    ]
    for input, expected in cases:
        data = await gql.data(UPDATE_CLINIC, {"input": input}, admin)
        assert codes(data["updateClinic"]) == expected, input
    assert await scalar(database_url, "SELECT row(t.*)::text FROM tenants t WHERE id = $1", rec.tenant) == before
    body = await gql(UPDATE_CLINIC, {"input": {"featuresEnabled": ["TELEPORTATION"]}}, admin)
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"  # not a known feature


# -- pets ---------------------------------------------------------------------------------------------


async def test_update_pet_primary_vet_policy_notes_and_time(
    gql: GQL, rec: Rec, token: Token, database_url: str, world: World
) -> None:
    pet, other_pet = await new_pet(database_url, rec), await new_pet(database_url, rec)
    policies = [uuid.uuid4(), uuid.uuid4()]
    conn = await asyncpg.connect(database_url)
    try:
        await conn.executemany(
            "INSERT INTO pet_insurance_policies (tenant_id, id, pet_id, provider, policy_number, starts_on)"
            " VALUES ($1, $2, $3, 'Seguros PY', $4, '2025-01-01')",
            [
                (rec.tenant, policies[0], pet, f"P-{policies[0].hex[:8]}"),
                (rec.tenant, policies[1], other_pet, f"P-{policies[1].hex[:8]}"),
            ],
        )
    finally:
        await conn.close()
    input = {
        "petId": gid("Pet", pet),
        "primaryVetId": gid("Profile", rec.vet),
        "insurancePolicyId": gid("InsurancePolicy", policies[0]),
        "behavioralNotes": "Nervioso con gatos",
        "preferredAppointmentTime": "MORNING",
    }
    data = await gql.data(UPDATE_PET, {"input": input}, vet(rec, token))
    assert data["updatePet"]["userErrors"] == []
    assert data["updatePet"]["pet"] == {
        "id": gid("Pet", pet),
        "behavioralNotes": "Nervioso con gatos",
        "preferredAppointmentTime": "MORNING",
        "primaryVet": {"id": gid("Profile", rec.vet), "fullName": f"vet {rec.vet.hex[:6]}"},
    }
    assert await scalar(database_url, "SELECT insurance_policy_id FROM pets WHERE id = $1", pet) == policies[0]
    cases = [
        ({"primaryVetId": gid("Profile", rec.owner)}, [("primaryVetId", "NOT_STAFF")]),
        ({"primaryVetId": gid("Profile", world.b.vet)}, [("primaryVetId", "NOT_STAFF")]),
        ({"insurancePolicyId": gid("InsurancePolicy", policies[1])}, [("insurancePolicyId", "POLICY_NOT_OF_PET")]),
        ({"behavioralNotes": "n" * 4001}, [("behavioralNotes", "TOO_LONG")]),
        ({"petId": gid("Pet", uuid.uuid4()), "behavioralNotes": "x"}, [("petId", "NOT_FOUND")]),
    ]
    for extra, expected in cases:
        refused = await gql.data(UPDATE_PET, {"input": {"petId": gid("Pet", pet), **extra}}, vet(rec, token))
        assert codes(refused["updatePet"]) == expected, extra
    row = await scalar(
        database_url, "SELECT row(primary_vet_id, insurance_policy_id)::text FROM pets WHERE id = $1", pet
    )
    assert row == f"({rec.vet},{policies[0]})"
    cleared = await gql.data(
        UPDATE_PET,
        {"input": {"petId": gid("Pet", pet), "primaryVetId": None, "preferredAppointmentTime": None}},
        vet(rec, token),
    )
    assert cleared["updatePet"]["pet"]["primaryVet"] is None
    assert cleared["updatePet"]["pet"]["preferredAppointmentTime"] is None
    assert cleared["updatePet"]["pet"]["behavioralNotes"] == "Nervioso con gatos"


# -- devices ------------------------------------------------------------------------------------------


async def test_register_touch_deactivate_and_list_my_devices(gql: GQL, rec: Rec, token: Token) -> None:
    owner = token(rec.owner, rec.tenant, "owner")
    fcm = f"fcm-{uuid.uuid4()}"
    first = await gql.data(REGISTER, {"input": {"fcmToken": fcm, "deviceType": "ANDROID", "deviceName": "Moto"}}, owner)
    device = first["registerDevice"]["device"]
    assert (device["deviceType"], device["deviceName"], device["isActive"]) == ("ANDROID", "Moto", True)
    again = await gql.data(
        REGISTER, {"input": {"fcmToken": fcm, "deviceType": "ANDROID", "deviceName": "Moto G"}}, owner
    )
    assert again["registerDevice"]["device"]["id"] == device["id"]  # upsert: the same row
    mine = await gql.data(MY_DEVICES, {}, owner)
    assert [d["id"] for d in mine["myDevices"] if d["id"] == device["id"]] == [device["id"]]
    touched = await gql.data(TOUCH, {"input": {"deviceId": device["id"]}}, owner)
    assert touched["touchDevice"]["device"]["lastUsedAt"] >= device["lastUsedAt"]
    off = await gql.data(DEACTIVATE_DEVICE, {"input": {"deviceId": device["id"]}}, owner)
    assert off["deactivateDevice"]["device"]["isActive"] is False
    active = await gql.data(MY_DEVICES, {"active": True}, owner)
    assert device["id"] not in [d["id"] for d in active["myDevices"]]
    # someone else's device id: not found, untouched
    other = token(rec.other_owner, rec.tenant, "owner")
    for mutation, name in ((TOUCH, "touchDevice"), (DEACTIVATE_DEVICE, "deactivateDevice")):
        data = await gql.data(mutation, {"input": {"deviceId": device["id"]}}, other)
        assert codes(data[name]) == [("deviceId", "NOT_FOUND")]
    refused = await gql.data(REGISTER, {"input": {"fcmToken": " "}}, owner)
    assert codes(refused["registerDevice"]) == [("fcmToken", "REQUIRED")]
    long = await gql.data(REGISTER, {"input": {"fcmToken": "t" * 4097}}, owner)
    assert codes(long["registerDevice"]) == [("fcmToken", "TOO_LONG")]


async def test_a_token_registered_by_another_user_moves_to_them(
    gql: GQL, rec: Rec, token: Token, database_url: str
) -> None:
    fcm = f"fcm-{uuid.uuid4()}"
    first, second = token(rec.owner, rec.tenant, "owner"), token(rec.vet, rec.tenant, "vet")
    old = (await gql.data(REGISTER, {"input": {"fcmToken": fcm, "deviceType": "IOS"}}, first))["registerDevice"][
        "device"
    ]
    await gql.data(DEACTIVATE_DEVICE, {"input": {"deviceId": old["id"]}}, first)
    moved = await gql.data(
        REGISTER, {"input": {"fcmToken": fcm, "deviceType": "IOS", "deviceName": "iPhone clínica"}}, second
    )
    device = moved["registerDevice"]["device"]
    assert moved["registerDevice"]["userErrors"] == []
    assert device["isActive"] is True  # registering reactivates
    assert device["id"] in [d["id"] for d in (await gql.data(MY_DEVICES, {}, second))["myDevices"]]
    assert device["id"] not in [d["id"] for d in (await gql.data(MY_DEVICES, {}, first))["myDevices"]]
    owners = await scalar(database_url, "SELECT array_agg(user_id) FROM user_devices WHERE fcm_token = $1", fcm)
    assert owners == [rec.vet]


async def test_concurrent_registrations_of_one_token_leave_one_row(
    gql: GQL, rec: Rec, token: Token, database_url: str
) -> None:
    fcm = f"fcm-{uuid.uuid4()}"
    users = [rec.owner, rec.other_owner, rec.vet, rec.admin] * 2
    roles = {rec.owner: "owner", rec.other_owner: "owner", rec.vet: "vet", rec.admin: "admin"}
    results = await asyncio.gather(
        *(gql.data(REGISTER, {"input": {"fcmToken": fcm}}, token(u, rec.tenant, roles[u])) for u in users)
    )
    assert all(r["registerDevice"]["userErrors"] == [] for r in results)
    assert await scalar(database_url, "SELECT count(*) FROM user_devices WHERE fcm_token = $1", fcm) == 1


async def test_a_device_unused_for_270_days_is_inactive(gql: GQL, rec: Rec, token: Token, database_url: str) -> None:
    owner = token(rec.other_owner, rec.tenant, "owner")
    fcm = f"fcm-{uuid.uuid4()}"
    device = (await gql.data(REGISTER, {"input": {"fcmToken": fcm}}, owner))["registerDevice"]["device"]
    await scalar(
        database_url, "UPDATE user_devices SET last_used_at = now() - interval '271 days' WHERE fcm_token = $1", fcm
    )
    listed = {d["id"]: d for d in (await gql.data(MY_DEVICES, {}, owner))["myDevices"]}
    assert listed[device["id"]]["isActive"] is False
    assert device["id"] not in [d["id"] for d in (await gql.data(MY_DEVICES, {"active": True}, owner))["myDevices"]]
    touched = await gql.data(TOUCH, {"input": {"deviceId": device["id"]}}, owner)
    assert touched["touchDevice"]["device"]["isActive"] is True
    node = await gql.data(
        "query($id: ID!) { node(id: $id) { id ... on UserDevice { isActive } } }", {"id": device["id"]}, owner
    )
    assert node["node"] == {"id": device["id"], "isActive": True}
    hidden = await gql.data(
        "query($id: ID!) { node(id: $id) { id } }", {"id": device["id"]}, token(rec.owner, rec.tenant, "owner")
    )
    assert hidden["node"] is None
