"""Anesthesia mutations in process: recording readings (validation, idempotent retries), the log's
lifecycle (start, phases, completion) and alarm transitions on a scripted surgery.

Every test that writes opens its own anesthesia log, so tests neither see nor disturb each other's
readings; `world.a.open_log` is left alone.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import orjson
import pytest

from graph.types.node import to_global_id
from tests.conftest import GQL
from tests.world import World

Token = Callable[..., str]

VITAL_FIELDS = (
    "id recordedAt heartRate respiratoryRate spo2 etco2 bloodPressureSystolic bloodPressureDiastolic"
    " bloodPressureMean temperature anesthesiaDepth ivFluidsRate notes"
)
ALARM_FIELDS = "id kind severity message value threshold raisedAt clearedAt isActive"
RECORD = f"""
mutation($input: RecordVitalsInput!) {{
  recordVitals(input: $input) {{
    vitals {{ {VITAL_FIELDS} }}
    duplicates
    alarmEvents {{ transition occurredAt sequence anesthesiaLogId alarm {{ {ALARM_FIELDS} }} }}
    userErrors {{ field code message }}
  }}
}}
"""
LOG_FIELDS = (
    "id procedureName anesthesiaProtocol preAnesthesiaAssessment inductionTime maintenanceStart recoveryStart"
    " extubationTime fullRecoveryTime complications outcome completedAt notes createdAt pet { id name }"
)
START = f"""
mutation($input: StartAnesthesiaInput!) {{
  startAnesthesia(input: $input) {{ anesthesiaLog {{ {LOG_FIELDS} }} userErrors {{ field code message }} }}
}}
"""
PHASE = f"""
mutation($input: RecordAnesthesiaPhaseInput!) {{
  recordAnesthesiaPhase(input: $input) {{ anesthesiaLog {{ {LOG_FIELDS} }} userErrors {{ field code message }} }}
}}
"""
COMPLETE = f"""
mutation($input: CompleteAnesthesiaInput!) {{
  completeAnesthesia(input: $input) {{ anesthesiaLog {{ {LOG_FIELDS} }} userErrors {{ field code message }} }}
}}
"""
LOG_ALARMS = f"""
query($id: ID!) {{
  node(id: $id) {{
    ... on AnesthesiaLog {{
      all: alarms {{ {ALARM_FIELDS} }}
      active: alarms(activeOnly: true) {{ {ALARM_FIELDS} }}
    }}
  }}
}}
"""
LOG_VITALS = f"""
query($id: ID!) {{
  node(id: $id) {{ ... on AnesthesiaLog {{ vitals(first: 100) {{ totalCount nodes {{ {VITAL_FIELDS} }} }} }} }}
}}
"""
ALARM_NODE = f"query($id: ID!) {{ node(id: $id) {{ __typename ... on AnesthesiaAlarm {{ {ALARM_FIELDS} }} }} }}"


# -- helpers ----------------------------------------------------------------------------------


def gid(type_name: str, pk: uuid.UUID) -> str:
    return str(to_global_id(type_name, pk))


def log_uuid(global_id: str) -> uuid.UUID:
    import base64

    return uuid.UUID(base64.urlsafe_b64decode(global_id.encode()).decode().partition(":")[2])


def iso(at: datetime) -> str:
    return at.isoformat()


def parse(at: str) -> datetime:
    return datetime.fromisoformat(at)


def vet(world: World, token: Token, clinic: str = "a") -> str:
    c = getattr(world, clinic)
    return token(c.vet, c.tenant, "vet")


async def start_log(gql: GQL, staff: str, pet: uuid.UUID, procedure: str = "Cirugía de prueba") -> str:
    """A new open anesthesia log of `pet`; its global ID."""
    data = await gql.data(START, {"input": {"petId": gid("Pet", pet), "procedureName": procedure}}, staff)
    payload = data["startAnesthesia"]
    assert payload["userErrors"] == [], payload
    log_id: str = payload["anesthesiaLog"]["id"]
    return log_id


async def record(gql: GQL, staff: str, log_id: str, vitals: list[dict[str, Any]]) -> dict[str, Any]:
    """The `recordVitals` payload (no top-level errors allowed)."""
    data = await gql.data(RECORD, {"input": {"anesthesiaLogId": log_id, "vitals": vitals}}, staff)
    payload: dict[str, Any] = data["recordVitals"]
    return payload


async def recorded_ok(gql: GQL, staff: str, log_id: str, vitals: list[dict[str, Any]]) -> dict[str, Any]:
    payload = await record(gql, staff, log_id, vitals)
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload


async def superuser(database_url: str) -> asyncpg.Connection:
    return await asyncpg.connect(database_url)


async def count_vitals(database_url: str, log_id: str) -> int:
    conn = await superuser(database_url)
    try:
        n = await conn.fetchval("SELECT count(*) FROM anesthesia_vitals WHERE anesthesia_log_id = $1", log_uuid(log_id))
    finally:
        await conn.close()
    return int(n)


def errors_of(payload: dict[str, Any]) -> list[tuple[str | None, str]]:
    return [(e["field"], e["code"]) for e in payload["userErrors"]]


def transitions(payload: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["transition"], e["alarm"]["kind"]) for e in payload["alarmEvents"]]


# -- recording: happy paths --------------------------------------------------------------------


async def test_record_one_reading_returns_it_as_stored(gql: GQL, world: World, token: Token, database_url: str) -> None:
    staff = vet(world, token)
    log_id = await start_log(gql, staff, world.a.pets[2])
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=5)
    reading = {
        "recordedAt": iso(at),
        "heartRate": 88,
        "respiratoryRate": 12,
        "spo2": 98.5,
        "etco2": 38.0,
        "bloodPressureSystolic": 110,
        "bloodPressureDiastolic": 65,
        "bloodPressureMean": 80,
        "temperature": 37.8,
        "anesthesiaDepth": "SURGICAL",
        "ivFluidsRate": 5.0,
        "notes": "estable",
    }
    payload = await recorded_ok(gql, staff, log_id, [reading])
    assert payload["duplicates"] == 0
    assert payload["alarmEvents"] == []
    [vital] = payload["vitals"]
    assert vital["id"]
    assert parse(vital["recordedAt"]) == at
    assert {k: v for k, v in vital.items() if k not in ("id", "recordedAt")} == {
        k: v for k, v in reading.items() if k != "recordedAt"
    }
    assert await count_vitals(database_url, log_id) == 1
    # and the log shows it
    stored = (await gql.data(LOG_VITALS, {"id": log_id}, staff))["node"]["vitals"]
    assert stored["totalCount"] == 1
    assert stored["nodes"] == [vital]


async def test_record_default_recorded_at_is_now(gql: GQL, world: World, token: Token) -> None:
    staff = vet(world, token)
    log_id = await start_log(gql, staff, world.a.pets[2])
    before = datetime.now(UTC)
    [vital] = (await recorded_ok(gql, staff, log_id, [{"heartRate": 90}]))["vitals"]
    after = datetime.now(UTC)
    assert before - timedelta(seconds=2) <= parse(vital["recordedAt"]) <= after + timedelta(seconds=2)
    assert vital["spo2"] is None and vital["temperature"] is None


async def test_record_batch_returned_and_stored_in_order(
    gql: GQL, world: World, token: Token, database_url: str
) -> None:
    staff = vet(world, token)
    log_id = await start_log(gql, staff, world.a.pets[2])
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=2)
    batch = [{"recordedAt": iso(t0 + timedelta(seconds=5 * i)), "heartRate": 70 + i, "spo2": 97.0} for i in range(25)]
    payload = await recorded_ok(gql, staff, log_id, batch)
    assert [v["heartRate"] for v in payload["vitals"]] == list(range(70, 95))
    assert len({v["id"] for v in payload["vitals"]}) == 25
    assert payload["duplicates"] == 0
    assert await count_vitals(database_url, log_id) == 25
    stored = (await gql.data(LOG_VITALS, {"id": log_id}, staff))["node"]["vitals"]
    assert stored["totalCount"] == 25
    assert stored["nodes"] == payload["vitals"]


async def test_readings_taken_at_the_same_instant_keep_their_recording_order(
    gql: GQL, world: World, token: Token
) -> None:
    """A batch without recordedAt: every reading is stamped with the same `now`; the log lists them as sent."""
    staff = vet(world, token)
    log_id = await start_log(gql, staff, world.a.pets[2])
    first = await recorded_ok(gql, staff, log_id, [{"heartRate": 100 + i} for i in range(8)])
    assert [v["heartRate"] for v in first["vitals"]] == list(range(100, 108))
    assert len({v["recordedAt"] for v in first["vitals"]}) == 1
    stored = (await gql.data(LOG_VITALS, {"id": log_id}, staff))["node"]["vitals"]
    assert [v["heartRate"] for v in stored["nodes"]] == list(range(100, 108))


async def test_record_at_the_limits_of_every_range_is_accepted(gql: GQL, world: World, token: Token) -> None:
    staff = vet(world, token)
    log_id = await start_log(gql, staff, world.a.pets[2])
    now = datetime.now(UTC)
    low = {
        "heartRate": 0,
        "respiratoryRate": 0,
        "spo2": 0.0,
        "etco2": 0.0,
        "bloodPressureSystolic": 0,
        "bloodPressureDiastolic": 0,
        "bloodPressureMean": 0,
        "temperature": 20.0,
        "ivFluidsRate": 0.0,
    }
    high = {
        "heartRate": 400,
        "respiratoryRate": 200,
        "spo2": 100.0,
        "etco2": 150.0,
        "bloodPressureSystolic": 350,
        "bloodPressureDiastolic": 300,
        "bloodPressureMean": 300,
        "temperature": 45.0,
        "ivFluidsRate": 500.0,
    }
    # a monitor clock a little ahead (within the allowed skew) is fine
    skewed = {"heartRate": 90, "recordedAt": iso(now + timedelta(seconds=10))}
    payload = await recorded_ok(gql, staff, log_id, [low, high, skewed])
    assert len(payload["vitals"]) == 3


# -- recording: validation ---------------------------------------------------------------------


def _future() -> str:
    return iso(datetime.now(UTC) + timedelta(minutes=5))


GOOD = {"heartRate": 90, "spo2": 98.0}
INVALID_BATCHES: list[tuple[str, Callable[[], list[dict[str, Any]]], list[tuple[str, str]]]] = [
    ("spo2 above 100", lambda: [{"spo2": 101.0}], [("vitals.0.spo2", "OUT_OF_RANGE")]),
    ("temperature 19", lambda: [GOOD, {"temperature": 19.0}], [("vitals.1.temperature", "OUT_OF_RANGE")]),
    ("temperature 46", lambda: [{"temperature": 46.0}], [("vitals.0.temperature", "OUT_OF_RANGE")]),
    ("negative heart rate", lambda: [GOOD, GOOD, {"heartRate": -1}], [("vitals.2.heartRate", "OUT_OF_RANGE")]),
    ("negative etco2", lambda: [{"etco2": -0.5}], [("vitals.0.etco2", "OUT_OF_RANGE")]),
    ("heart rate 401", lambda: [{"heartRate": 401}], [("vitals.0.heartRate", "OUT_OF_RANGE")]),
    (
        "diastolic above systolic",
        lambda: [{"bloodPressureSystolic": 80, "bloodPressureDiastolic": 90}],
        [("vitals.0.bloodPressureDiastolic", "OUT_OF_RANGE")],
    ),
    (
        "recordedAt in the future",
        lambda: [GOOD, {**GOOD, "recordedAt": _future()}],
        [("vitals.1.recordedAt", "FUTURE_READING")],
    ),
    ("empty list", lambda: [], [("vitals", "EMPTY")]),
    ("501 readings", lambda: [dict(GOOD) for _ in range(501)], [("vitals", "TOO_MANY_READINGS")]),
    ("no measurement", lambda: [GOOD, {"notes": "sin datos"}], [("vitals.1", "EMPTY")]),
    ("nothing at all", lambda: [{}], [("vitals.0", "EMPTY")]),
    (
        "clientReadingId repeated in the batch",
        lambda: [{**GOOD, "clientReadingId": "m-1"}, {**GOOD, "clientReadingId": "m-1"}],
        [("vitals.1.clientReadingId", "INVALID")],
    ),
    (
        "clientReadingId too long",
        lambda: [{**GOOD, "clientReadingId": "x" * 101}],
        [("vitals.0.clientReadingId", "INVALID")],
    ),
    ("notes too long", lambda: [{**GOOD, "notes": "n" * 2001}], [("vitals.0.notes", "INVALID")]),
    (
        "every problem of every reading",
        lambda: [{"spo2": 101.0, "temperature": 19.0}, GOOD, {"heartRate": -3}],
        [
            ("vitals.0.spo2", "OUT_OF_RANGE"),
            ("vitals.0.temperature", "OUT_OF_RANGE"),
            ("vitals.2.heartRate", "OUT_OF_RANGE"),
        ],
    ),
]


@pytest.fixture(scope="module")
def validation_log() -> dict[str, str]:
    """One log shared by the validation cases (filled lazily: nothing may ever be written to it)."""
    return {}


@pytest.mark.parametrize(("case", "batch", "expected"), INVALID_BATCHES, ids=[c[0] for c in INVALID_BATCHES])
async def test_invalid_reading_is_refused_and_nothing_is_written(
    gql: GQL,
    world: World,
    token: Token,
    database_url: str,
    validation_log: dict[str, str],
    case: str,
    batch: Callable[[], list[dict[str, Any]]],
    expected: list[tuple[str, str]],
) -> None:
    staff = vet(world, token)
    if "id" not in validation_log:
        validation_log["id"] = await start_log(gql, staff, world.a.pets[2], "Validación")
        await recorded_ok(gql, staff, validation_log["id"], [GOOD])  # one good reading already there
    log_id = validation_log["id"]
    before = await count_vitals(database_url, log_id)
    payload = await record(gql, staff, log_id, batch())
    assert sorted(errors_of(payload)) == sorted(expected), payload["userErrors"]
    assert all(e["message"] for e in payload["userErrors"])
    assert payload["vitals"] == [] and payload["duplicates"] == 0 and payload["alarmEvents"] == []
    assert await count_vitals(database_url, log_id) == before == 1


async def test_good_readings_of_a_bad_batch_are_not_stored_either(
    gql: GQL, world: World, token: Token, database_url: str
) -> None:
    """One bad reading refuses the whole batch: no reading, no alarm."""
    staff = vet(world, token)
    log_id = await start_log(gql, staff, world.a.pets[2])
    batch = [{"spo2": 80.0, "clientReadingId": "a"}, {"spo2": 97.0, "clientReadingId": "b"}, {"spo2": 150.0}]
    payload = await record(gql, staff, log_id, batch)
    assert errors_of(payload) == [("vitals.2.spo2", "OUT_OF_RANGE")]
    assert await count_vitals(database_url, log_id) == 0
    alarms = (await gql.data(LOG_ALARMS, {"id": log_id}, staff))["node"]
    assert alarms == {"all": [], "active": []}
    # the client ids were not consumed: the corrected batch stores all three
    fixed = await recorded_ok(gql, staff, log_id, [*batch[:2], {"spo2": 96.0}])
    assert fixed["duplicates"] == 0 and len(fixed["vitals"]) == 3


# -- idempotent retries ------------------------------------------------------------------------


async def test_retry_with_client_reading_ids_stores_once(
    gql: GQL, world: World, token: Token, database_url: str
) -> None:
    staff = vet(world, token)
    log_id = await start_log(gql, staff, world.a.pets[2])
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    batch = [
        {"clientReadingId": f"mon-7/{i}", "recordedAt": iso(t0 + timedelta(seconds=i)), "heartRate": 80 + i}
        for i in range(5)
    ]
    first = await recorded_ok(gql, staff, log_id, batch)
    assert first["duplicates"] == 0
    second = await recorded_ok(gql, staff, log_id, batch)
    assert second["duplicates"] == 5
    assert second["vitals"] == first["vitals"]
    assert await count_vitals(database_url, log_id) == 5
    # a partial retry: two old readings and a new one; the old come back as first stored, all in order
    third = await recorded_ok(gql, staff, log_id, [batch[3], batch[4], {"clientReadingId": "mon-7/5", "heartRate": 99}])
    assert third["duplicates"] == 2
    assert [v["heartRate"] for v in third["vitals"]] == [83, 84, 99]
    assert third["vitals"][:2] == first["vitals"][3:]
    assert await count_vitals(database_url, log_id) == 6
    # the same client id on another log is another reading
    other = await start_log(gql, staff, world.a.pets[2])
    elsewhere = await recorded_ok(gql, staff, other, batch[:1])
    assert elsewhere["duplicates"] == 0 and elsewhere["vitals"][0]["id"] != first["vitals"][0]["id"]


async def test_retry_does_not_raise_an_alarm_twice(gql: GQL, world: World, token: Token) -> None:
    staff = vet(world, token)
    log_id = await start_log(gql, staff, world.a.pets[2])
    batch = [{"clientReadingId": "r1", "spo2": 92.0}]
    first = await recorded_ok(gql, staff, log_id, batch)
    assert transitions(first) == [("RAISED", "HYPOXEMIA")]
    again = await recorded_ok(gql, staff, log_id, batch)
    assert again["duplicates"] == 1 and again["alarmEvents"] == []
    assert len((await gql.data(LOG_ALARMS, {"id": log_id}, staff))["node"]["all"]) == 1


# -- recording: which log, who ----------------------------------------------------------------


async def test_record_on_completed_log_is_log_closed(gql: GQL, world: World, token: Token, database_url: str) -> None:
    staff = vet(world, token)
    log_id = await start_log(gql, staff, world.a.pets[2])
    done = await gql.data(COMPLETE, {"input": {"anesthesiaLogId": log_id, "outcome": "NORMAL"}}, staff)
    assert done["completeAnesthesia"]["userErrors"] == []
    payload = await record(gql, staff, log_id, [GOOD])
    assert errors_of(payload) == [("anesthesiaLogId", "LOG_CLOSED")]
    assert payload["vitals"] == []
    assert await count_vitals(database_url, log_id) == 0
    # the world's old, completed logs too
    old = await record(gql, staff, gid("AnesthesiaLog", world.a.logs[0]), [GOOD])
    assert errors_of(old) == [("anesthesiaLogId", "LOG_CLOSED")]


async def test_record_on_other_clinic_log_is_not_found_and_writes_nothing(
    gql: GQL, world: World, token: Token, database_url: str
) -> None:
    log_id = await start_log(gql, vet(world, token), world.a.pets[2])
    before = await count_vitals(database_url, log_id)
    for role, person in (("vet", world.b.vet), ("admin", world.b.admin)):
        payload = await record(gql, token(person, world.b.tenant, role), log_id, [GOOD])
        assert errors_of(payload) == [("anesthesiaLogId", "NOT_FOUND")], role
        assert payload["vitals"] == []
    # the world's open log of clinic A, seen from clinic B
    assert world.a.open_log is not None
    b_vet = token(world.b.vet, world.b.tenant, "vet")
    payload = await record(gql, b_vet, gid("AnesthesiaLog", world.a.open_log), [GOOD])
    assert errors_of(payload) == [("anesthesiaLogId", "NOT_FOUND")]
    assert await count_vitals(database_url, log_id) == before == 0


@pytest.mark.parametrize(
    "bad_id",
    [
        gid("AnesthesiaLog", uuid.UUID(int=7)),  # no such log
        gid("Pet", uuid.UUID(int=7)),  # an ID of another type
        "not-an-id",
    ],
)
async def test_record_on_unknown_log_is_not_found(gql: GQL, world: World, token: Token, bad_id: str) -> None:
    payload = await record(gql, vet(world, token), bad_id, [GOOD])
    assert errors_of(payload) == [("anesthesiaLogId", "NOT_FOUND")]


async def test_record_by_owner_or_anonymous_is_forbidden(
    gql: GQL, world: World, token: Token, database_url: str
) -> None:
    log_id = await start_log(gql, vet(world, token), world.a.pets[2])
    owner = token(world.a.owners[0], world.a.tenant, "owner")  # owns the patient (pets 0-3)
    variables = {"input": {"anesthesiaLogId": log_id, "vitals": [GOOD]}}
    for who in (owner, None):
        body = await gql(RECORD, variables, who)
        assert body["data"] is None, body
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"], body
    assert await count_vitals(database_url, log_id) == 0


# -- the log's lifecycle ---------------------------------------------------------------------


async def test_start_anesthesia_opens_a_log(gql: GQL, world: World, token: Token) -> None:
    staff = vet(world, token)
    assessment = {"asa": 2, "fastingHours": 12, "findings": "soplo grado II"}
    data = await gql.data(
        START,
        {
            "input": {
                "petId": gid("Pet", world.a.pets[2]),
                "procedureName": "  Orquiectomía  ",
                "anesthesiaProtocol": "acepromacina + propofol + isoflurano",
                "preAnesthesiaAssessment": assessment,
                "notes": "ayuno ok",
            }
        },
        staff,
    )
    payload = data["startAnesthesia"]
    assert payload["userErrors"] == []
    log = payload["anesthesiaLog"]
    assert log["procedureName"] == "Orquiectomía"
    assert log["anesthesiaProtocol"] == "acepromacina + propofol + isoflurano"
    assert log["preAnesthesiaAssessment"] == assessment
    assert log["notes"] == "ayuno ok"
    assert log["pet"] == {"id": gid("Pet", world.a.pets[2]), "name": "Toby"}
    assert log["completedAt"] is None and log["outcome"] is None and log["inductionTime"] is None
    assert abs(parse(log["createdAt"]) - datetime.now(UTC)) < timedelta(minutes=1)
    again = await gql.data("query($id: ID!) { node(id: $id) { id } }", {"id": log["id"]}, staff)
    assert again["node"] == {"id": log["id"]}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"procedureName": "   "}, ("procedureName", "INVALID")),
        ({"procedureName": "x" * 201}, ("procedureName", "INVALID")),
        ({"petId": "garbage"}, ("petId", "NOT_FOUND")),
        ({"preAnesthesiaAssessment": [1, 2]}, ("preAnesthesiaAssessment", "INVALID")),
        ({"appointmentId": gid("Appointment", uuid.UUID(int=3))}, ("appointmentId", "NOT_FOUND")),
    ],
)
async def test_start_anesthesia_refuses_bad_input(
    gql: GQL, world: World, token: Token, change: dict[str, Any], expected: tuple[str, str]
) -> None:
    variables = {"input": {"petId": gid("Pet", world.a.pets[2]), "procedureName": "Cirugía", **change}}
    payload = (await gql.data(START, variables, vet(world, token)))["startAnesthesia"]
    assert errors_of(payload) == [expected]
    assert payload["anesthesiaLog"] is None


async def test_start_anesthesia_on_other_clinic_pet_is_not_found(
    gql: GQL, world: World, token: Token, database_url: str
) -> None:
    conn = await superuser(database_url)
    try:
        before = await conn.fetchval("SELECT count(*) FROM anesthesia_logs WHERE pet_id = $1", world.b.pets[0])
        variables = {"input": {"petId": gid("Pet", world.b.pets[0]), "procedureName": "Cirugía"}}
        payload = (await gql.data(START, variables, vet(world, token)))["startAnesthesia"]
        assert errors_of(payload) == [("petId", "NOT_FOUND")]
        after = await conn.fetchval("SELECT count(*) FROM anesthesia_logs WHERE pet_id = $1", world.b.pets[0])
    finally:
        await conn.close()
    assert after == before


async def test_lifecycle_mutations_are_staff_only(gql: GQL, world: World, token: Token) -> None:
    log_id = await start_log(gql, vet(world, token), world.a.pets[2])
    owner = token(world.a.owners[0], world.a.tenant, "owner")
    calls = [
        (START, {"input": {"petId": gid("Pet", world.a.pets[2]), "procedureName": "x"}}),
        (PHASE, {"input": {"anesthesiaLogId": log_id, "phase": "INDUCTION"}}),
        (COMPLETE, {"input": {"anesthesiaLogId": log_id, "outcome": "NORMAL"}}),
    ]
    for query, variables in calls:
        for who in (owner, None):
            body = await gql(query, variables, who)
            assert body["data"] is None, body
            assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    # still open, no phase recorded
    data = await gql.data(
        "query($id: ID!) { node(id: $id) { ... on AnesthesiaLog { inductionTime completedAt } } }",
        {"id": log_id},
        vet(world, token),
    )
    assert data["node"] == {"inductionTime": None, "completedAt": None}


async def test_recovery_cannot_come_first_and_extubation_may_be_skipped(
    gql: GQL, world: World, token: Token
) -> None:
    staff = vet(world, token)
    log_id = await start_log(gql, staff, world.a.pets[3])
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)

    async def phase(name: str, minutes: int) -> list[tuple[str | None, str]]:
        data = await gql.data(
            PHASE, {"input": {"anesthesiaLogId": log_id, "phase": name, "at": iso(t0 + timedelta(minutes=minutes))}},
            staff,
        )  # fmt: skip
        return errors_of(data["recordAnesthesiaPhase"])

    assert await phase("RECOVERY", 30) == [("phase", "PHASE_OUT_OF_ORDER")]
    assert await phase("INDUCTION", 0) == []  # the first phase is always induction
    assert await phase("FULL_RECOVERY", 40) == [("phase", "PHASE_OUT_OF_ORDER")]
    for name, minutes in (("MAINTENANCE", 5), ("RECOVERY", 30), ("FULL_RECOVERY", 40)):  # never intubated
        assert await phase(name, minutes) == [], name
    assert await phase("EXTUBATION", 35) == [("phase", "PHASE_OUT_OF_ORDER")]  # a later phase is recorded


async def test_phases_move_forward_in_time(gql: GQL, world: World, token: Token) -> None:
    staff = vet(world, token)
    log_id = await start_log(gql, staff, world.a.pets[2])
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)

    async def phase(name: str, at: datetime | None) -> dict[str, Any]:
        data = await gql.data(
            PHASE, {"input": {"anesthesiaLogId": log_id, "phase": name, "at": None if at is None else iso(at)}}, staff
        )
        payload: dict[str, Any] = data["recordAnesthesiaPhase"]
        return payload

    ok = await phase("INDUCTION", t0)
    assert ok["userErrors"] == [] and parse(ok["anesthesiaLog"]["inductionTime"]) == t0
    # maintenance before induction
    early = await phase("MAINTENANCE", t0 - timedelta(minutes=1))
    assert errors_of(early) == [("at", "PHASE_OUT_OF_ORDER")] and early["anesthesiaLog"] is None
    # the same phase twice
    twice = await phase("INDUCTION", t0 + timedelta(minutes=1))
    assert errors_of(twice) == [("phase", "PHASE_ALREADY_RECORDED")]
    # a phase only follows the phases before it: recovery before maintenance is refused (issue 12)
    skipped = await phase("RECOVERY", t0 + timedelta(minutes=45))
    assert errors_of(skipped) == [("phase", "PHASE_OUT_OF_ORDER")]
    # in the future
    future = await phase("MAINTENANCE", datetime.now(UTC) + timedelta(minutes=5))
    assert errors_of(future) == [("at", "FUTURE_READING")]
    assert (await phase("MAINTENANCE", t0 + timedelta(minutes=5)))["userErrors"] == []
    recovery = await phase("RECOVERY", t0 + timedelta(minutes=45))
    assert recovery["userErrors"] == []
    # before the phase it follows, in time
    early_ext = await phase("EXTUBATION", t0 + timedelta(minutes=44))
    assert errors_of(early_ext) == [("at", "PHASE_OUT_OF_ORDER")]
    ext = await phase("EXTUBATION", t0 + timedelta(minutes=50))
    assert ext["userErrors"] == []
    full = await phase("FULL_RECOVERY", None)  # default: now
    assert full["userErrors"] == []
    log = full["anesthesiaLog"]
    assert parse(log["maintenanceStart"]) == t0 + timedelta(minutes=5)
    assert parse(log["recoveryStart"]) == t0 + timedelta(minutes=45)
    assert parse(log["extubationTime"]) == t0 + timedelta(minutes=50)
    assert abs(parse(log["fullRecoveryTime"]) - datetime.now(UTC)) < timedelta(minutes=1)
    # other clinic: not found
    other = await gql.data(
        PHASE,
        {"input": {"anesthesiaLogId": log_id, "phase": "MAINTENANCE"}},
        token(world.b.vet, world.b.tenant, "vet"),
    )
    assert errors_of(other["recordAnesthesiaPhase"]) == [("anesthesiaLogId", "NOT_FOUND")]


async def test_complete_anesthesia_closes_log_and_clears_open_alarms(gql: GQL, world: World, token: Token) -> None:
    staff = vet(world, token)
    log_id = await start_log(gql, staff, world.a.pets[2])
    raised = await recorded_ok(gql, staff, log_id, [{"spo2": 92.0, "bloodPressureMean": 55, "temperature": 37.5}])
    assert sorted(transitions(raised)) == [("RAISED", "HYPOTENSION"), ("RAISED", "HYPOXEMIA")]
    before = (await gql.data(LOG_ALARMS, {"id": log_id}, staff))["node"]
    assert sorted(a["kind"] for a in before["active"]) == ["HYPOTENSION", "HYPOXEMIA"]

    data = await gql.data(
        COMPLETE,
        {
            "input": {
                "anesthesiaLogId": log_id,
                "outcome": "COMPLICATED",
                "complications": "hipotensión",
                "notes": "alta a las 18 h",
            }
        },
        staff,
    )
    payload = data["completeAnesthesia"]
    assert payload["userErrors"] == []
    log = payload["anesthesiaLog"]
    assert log["outcome"] == "COMPLICATED" and log["complications"] == "hipotensión"
    assert log["notes"] == "alta a las 18 h"
    completed_at = parse(log["completedAt"])
    assert abs(completed_at - datetime.now(UTC)) < timedelta(minutes=1)

    after = (await gql.data(LOG_ALARMS, {"id": log_id}, staff))["node"]
    assert after["active"] == []
    assert sorted(a["kind"] for a in after["all"]) == ["HYPOTENSION", "HYPOXEMIA"]
    assert all(not a["isActive"] and parse(a["clearedAt"]) == completed_at for a in after["all"])

    # a second time: already completed, nothing changes
    again = await gql.data(COMPLETE, {"input": {"anesthesiaLogId": log_id, "outcome": "CRITICAL"}}, staff)
    assert errors_of(again["completeAnesthesia"]) == [("anesthesiaLogId", "ALREADY_COMPLETED")]
    phase = await gql.data(PHASE, {"input": {"anesthesiaLogId": log_id, "phase": "RECOVERY"}}, staff)
    assert errors_of(phase["recordAnesthesiaPhase"]) == [("anesthesiaLogId", "ALREADY_COMPLETED")]
    outcome = await gql.data(
        "query($id: ID!) { node(id: $id) { ... on AnesthesiaLog { outcome } } }", {"id": log_id}, staff
    )
    assert outcome["node"] == {"outcome": "COMPLICATED"}


async def test_complete_other_clinic_log_is_not_found(gql: GQL, world: World, token: Token) -> None:
    log_id = await start_log(gql, vet(world, token), world.a.pets[2])
    data = await gql.data(
        COMPLETE, {"input": {"anesthesiaLogId": log_id, "outcome": "NORMAL"}}, token(world.b.vet, world.b.tenant, "vet")
    )
    assert errors_of(data["completeAnesthesia"]) == [("anesthesiaLogId", "NOT_FOUND")]
    still = await gql.data(
        "query($id: ID!) { node(id: $id) { ... on AnesthesiaLog { completedAt } } }",
        {"id": log_id},
        vet(world, token),
    )
    assert still["node"] == {"completedAt": None}


# -- alarms ----------------------------------------------------------------------------------

# A scripted surgery on a medium dog (weight unknown: heart rate limits 60-160/min). Each step is
# one recordVitals call of one reading and the transitions it must cause, in order.
SURGERY: list[tuple[dict[str, Any], list[tuple[str, str]]]] = [
    ({"spo2": 98.0, "heartRate": 90, "bloodPressureMean": 80, "temperature": 38.0, "etco2": 40.0}, []),
    ({"spo2": 93.0}, [("RAISED", "HYPOXEMIA")]),
    ({"spo2": 94.0}, []),  # still hypoxemic: no event per bad reading
    ({"heartRate": 95}, []),  # no SpO2 in the reading: the SpO2 alarm stays as it was
    ({"spo2": 88.0}, [("CLEARED", "HYPOXEMIA"), ("RAISED", "SEVERE_HYPOXEMIA")]),
    ({"spo2": 89.0}, []),
    ({"spo2": 97.0}, [("CLEARED", "SEVERE_HYPOXEMIA")]),
    ({"bloodPressureMean": 55}, [("RAISED", "HYPOTENSION")]),
    ({"bloodPressureMean": 45}, [("CLEARED", "HYPOTENSION"), ("RAISED", "SEVERE_HYPOTENSION")]),
    ({"bloodPressureMean": 75, "bloodPressureSystolic": 110}, [("CLEARED", "SEVERE_HYPOTENSION")]),
    ({"bloodPressureSystolic": 85}, [("RAISED", "HYPOTENSION")]),  # by systolic alone
    ({"bloodPressureSystolic": 100}, [("CLEARED", "HYPOTENSION")]),
    ({"heartRate": 55}, [("RAISED", "BRADYCARDIA")]),
    ({"heartRate": 170}, [("CLEARED", "BRADYCARDIA"), ("RAISED", "TACHYCARDIA")]),
    ({"heartRate": 110}, [("CLEARED", "TACHYCARDIA")]),
    ({"etco2": 50.0}, [("RAISED", "HYPERCAPNIA")]),
    ({"etco2": 65.0}, [("CLEARED", "HYPERCAPNIA"), ("RAISED", "SEVERE_HYPERCAPNIA")]),
    ({"etco2": 40.0}, [("CLEARED", "SEVERE_HYPERCAPNIA")]),
    ({"temperature": 36.5}, [("RAISED", "MILD_HYPOTHERMIA")]),
    ({"temperature": 35.5}, [("CLEARED", "MILD_HYPOTHERMIA"), ("RAISED", "MODERATE_HYPOTHERMIA")]),
    ({"temperature": 33.5}, [("CLEARED", "MODERATE_HYPOTHERMIA"), ("RAISED", "SEVERE_HYPOTHERMIA")]),
    ({"temperature": 37.2}, [("CLEARED", "SEVERE_HYPOTHERMIA")]),
    ({"anesthesiaDepth": "TOO_DEEP"}, [("RAISED", "TOO_DEEP")]),
    ({"anesthesiaDepth": "DEEP"}, [("CLEARED", "TOO_DEEP")]),
    # several families at once, in rule order
    ({"spo2": 92.0, "bloodPressureMean": 58}, [("RAISED", "HYPOXEMIA"), ("RAISED", "HYPOTENSION")]),
    ({"spo2": 99.0, "bloodPressureMean": 70}, [("CLEARED", "HYPOXEMIA"), ("CLEARED", "HYPOTENSION")]),
]


async def test_alarm_transitions_on_a_scripted_surgery(gql: GQL, world: World, token: Token) -> None:
    staff = vet(world, token)
    dog = world.a.pets[2]
    log_id = await start_log(gql, staff, dog, "Cirugía con guion")
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
    sequence = 0
    raised: list[tuple[str, datetime, str]] = []  # (kind, raised at, alarm id)
    for step, (reading, expected) in enumerate(SURGERY):
        at = t0 + timedelta(seconds=30 * step)
        payload = await recorded_ok(gql, staff, log_id, [{**reading, "recordedAt": iso(at)}])
        assert transitions(payload) == expected, (step, reading, payload["alarmEvents"])
        for event in payload["alarmEvents"]:
            sequence += 1
            assert event["sequence"] == sequence
            assert event["anesthesiaLogId"] == log_id
            assert parse(event["occurredAt"]) == at
            if event["transition"] == "RAISED":
                raised.append((event["alarm"]["kind"], at, event["alarm"]["id"]))
                assert event["alarm"]["isActive"] is True
                assert parse(event["alarm"]["raisedAt"]) == at
            else:
                assert event["alarm"]["isActive"] is False
                assert parse(event["alarm"]["clearedAt"]) == at

    first = (await gql.data(LOG_ALARMS, {"id": log_id}, staff))["node"]
    assert first["active"] == []
    history = first["all"]
    # in the order raised (alarms raised by one reading share an instant: any order among them)
    assert [parse(a["raisedAt"]) for a in history] == sorted(parse(a["raisedAt"]) for a in history)
    assert sorted((parse(a["raisedAt"]), a["kind"], a["id"]) for a in history) == sorted(
        (at, kind, alarm) for kind, at, alarm in raised
    )
    assert all(not a["isActive"] and a["clearedAt"] is not None for a in history)
    by_kind: dict[str, dict[str, Any]] = {}
    for alarm in history:
        by_kind.setdefault(alarm["kind"], alarm)  # the first episode of each kind
    assert by_kind["HYPOXEMIA"]["severity"] == "WARNING"
    assert (by_kind["HYPOXEMIA"]["value"], by_kind["HYPOXEMIA"]["threshold"]) == (93.0, 95.0)
    assert by_kind["SEVERE_HYPOXEMIA"]["severity"] == "CRITICAL"
    assert (by_kind["SEVERE_HYPOXEMIA"]["value"], by_kind["SEVERE_HYPOXEMIA"]["threshold"]) == (88.0, 90.0)
    assert "88" in by_kind["SEVERE_HYPOXEMIA"]["message"]
    assert (by_kind["BRADYCARDIA"]["value"], by_kind["BRADYCARDIA"]["threshold"]) == (55.0, 60.0)
    assert (by_kind["TACHYCARDIA"]["value"], by_kind["TACHYCARDIA"]["threshold"]) == (170.0, 160.0)
    assert by_kind["TOO_DEEP"]["severity"] == "CRITICAL"
    assert by_kind["TOO_DEEP"]["value"] is None

    # an alarm left open shows as active, and node(id) finds it (staff of the clinic only)
    payload = await recorded_ok(gql, staff, log_id, [{"spo2": 91.0, "recordedAt": iso(t0 + timedelta(minutes=20))}])
    assert transitions(payload) == [("RAISED", "HYPOXEMIA")]
    alarm_id = payload["alarmEvents"][0]["alarm"]["id"]
    now = (await gql.data(LOG_ALARMS, {"id": log_id}, staff))["node"]
    assert [a["id"] for a in now["active"]] == [alarm_id]
    node = (await gql.data(ALARM_NODE, {"id": alarm_id}, staff))["node"]
    assert node is not None, "node(id:) does not resolve an AnesthesiaAlarm"
    assert node["__typename"] == "AnesthesiaAlarm"
    assert (node["kind"], node["isActive"], node["value"]) == ("HYPOXEMIA", True, 91.0)
    hidden = await gql.data(ALARM_NODE, {"id": alarm_id}, token(world.b.vet, world.b.tenant, "vet"))
    assert hidden["node"] is None
    owner = await gql.data(ALARM_NODE, {"id": alarm_id}, token(world.a.owners[0], world.a.tenant, "owner"))
    assert owner["node"] is None


async def test_one_batch_reports_each_transition_in_order(gql: GQL, world: World, token: Token) -> None:
    staff = vet(world, token)
    log_id = await start_log(gql, staff, world.a.pets[2])
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    batch = [
        {"spo2": s, "recordedAt": iso(t0 + timedelta(seconds=10 * i))}
        for i, s in enumerate([98.0, 93.0, 92.0, 88.0, 91.0, 97.0, 96.0])
    ]
    payload = await recorded_ok(gql, staff, log_id, batch)
    assert transitions(payload) == [
        ("RAISED", "HYPOXEMIA"),
        ("CLEARED", "HYPOXEMIA"),
        ("RAISED", "SEVERE_HYPOXEMIA"),
        ("CLEARED", "SEVERE_HYPOXEMIA"),
        ("RAISED", "HYPOXEMIA"),
        ("CLEARED", "HYPOXEMIA"),
    ]
    assert [e["sequence"] for e in payload["alarmEvents"]] == [1, 2, 3, 4, 5, 6]
    # occurredAt is the time of the reading that caused the transition
    caused_by = [1, 3, 3, 4, 4, 5]
    assert [parse(e["occurredAt"]) for e in payload["alarmEvents"]] == [
        t0 + timedelta(seconds=10 * i) for i in caused_by
    ]
    history = (await gql.data(LOG_ALARMS, {"id": log_id}, staff))["node"]["all"]
    assert [a["kind"] for a in history] == ["HYPOXEMIA", "SEVERE_HYPOXEMIA", "HYPOXEMIA"]


async def test_cat_has_its_own_heart_rate_limits(gql: GQL, world: World, token: Token) -> None:
    staff = vet(world, token)
    cat = world.a.pets[3]
    log_id = await start_log(gql, staff, cat)
    # 95/min: normal for a dog, bradycardia for a cat (limit 100)
    payload = await recorded_ok(gql, staff, log_id, [{"heartRate": 95}])
    assert transitions(payload) == [("RAISED", "BRADYCARDIA")]
    assert payload["alarmEvents"][0]["alarm"]["threshold"] == 100.0
    assert transitions(await recorded_ok(gql, staff, log_id, [{"heartRate": 200}])) == [("CLEARED", "BRADYCARDIA")]


async def test_buffered_older_reading_that_clears_an_alarm_is_recorded(gql: GQL, world: World, token: Token) -> None:
    """A monitor that sends a buffered reading late (taken before the one that raised an alarm)."""
    staff = vet(world, token)
    log_id = await start_log(gql, staff, world.a.pets[2])
    now = datetime.now(UTC)
    raised = await recorded_ok(gql, staff, log_id, [{"spo2": 92.0, "recordedAt": iso(now - timedelta(seconds=5))}])
    assert transitions(raised) == [("RAISED", "HYPOXEMIA")]
    body = await gql(
        RECORD,
        {
            "input": {
                "anesthesiaLogId": log_id,
                "vitals": [{"spo2": 98.0, "recordedAt": iso(now - timedelta(seconds=20))}],
            }
        },
        staff,
    )
    assert body.get("errors") is None, body
    payload = body["data"]["recordVitals"]
    assert payload["userErrors"] == [] and len(payload["vitals"]) == 1
    # the newest reading (92 %) still says hypoxemia: an older one does not clear the alarm
    assert payload["alarmEvents"] == []
    active = (await gql.data(LOG_ALARMS, {"id": log_id}, staff))["node"]["active"]
    assert [a["kind"] for a in active] == ["HYPOXEMIA"]
    # a newer reading back in range does
    cleared = await recorded_ok(gql, staff, log_id, [{"spo2": 97.0}])
    assert transitions(cleared) == [("CLEARED", "HYPOXEMIA")]


async def test_concurrent_writers_keep_one_consistent_alarm_state(gql: GQL, world: World, token: Token) -> None:
    """Monitors writing to one log at once: each waits for the other's lock and must then judge its readings
    against the alarms the other left open (not a stale view), so no duplicate raise and no missed clear."""
    import asyncio

    staff = vet(world, token)
    log_id = await start_log(gql, staff, world.a.pets[2])
    values = [92.0, 97.0, 91.0, 98.0, 93.0, 96.0, 92.5, 99.0, 91.5, 94.0, 97.5, 90.5]

    async def one(spo2: float, at: datetime) -> dict[str, Any]:
        reading = {"spo2": spo2, "recordedAt": iso(at)}
        body = await gql(RECORD, {"input": {"anesthesiaLogId": log_id, "vitals": [reading]}}, staff)
        assert body.get("errors") is None, (spo2, body)
        payload: dict[str, Any] = body["data"]["recordVitals"]
        assert payload["userErrors"] == []
        return payload

    # all readings of a round taken at one instant, so that commit order alone orders them
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=10)
    for round_ in range(2):
        await asyncio.gather(*(one(v, t0 + timedelta(seconds=round_)) for v in values))
    # replaying the readings in the order they were recorded gives exactly the alarm history
    stored = (await gql.data(LOG_VITALS, {"id": log_id}, staff))["node"]["vitals"]["nodes"]
    assert len(stored) == 2 * len(values)
    conn_alarms = (await gql.data(LOG_ALARMS, {"id": log_id}, staff))["node"]
    expected_open = stored[-1]["spo2"] < 95.0
    assert len(conn_alarms["active"]) == (1 if expected_open else 0), conn_alarms["active"]
    hypoxemic = [v["spo2"] < 95.0 for v in stored]
    episodes = sum(1 for i, bad in enumerate(hypoxemic) if bad and (i == 0 or not hypoxemic[i - 1]))
    assert len(conn_alarms["all"]) == episodes


async def test_clinic_override_of_thresholds(gql: GQL, world: World, token: Token, database_url: str) -> None:
    b_staff = vet(world, token, "b")
    a_staff = vet(world, token)
    conn = await superuser(database_url)
    original = await conn.fetchval("SELECT alarm_thresholds::text FROM tenants WHERE id = $1", world.b.tenant)
    try:
        await conn.execute(
            "UPDATE tenants SET alarm_thresholds = $2::jsonb WHERE id = $1",
            world.b.tenant,
            orjson.dumps({"dog": {"heart_rate_low": 40}, "*": {"spo2_warning": 93}}).decode(),
        )
        b_log = await start_log(gql, b_staff, world.b.pets[1])  # Kira, a dog of clinic B
        a_log = await start_log(gql, a_staff, world.a.pets[2])  # a dog of clinic A: defaults
        # heart rate 45: bradycardia by default (60), not in clinic B (40)
        assert transitions(await recorded_ok(gql, b_staff, b_log, [{"heartRate": 45}])) == []
        assert transitions(await recorded_ok(gql, a_staff, a_log, [{"heartRate": 45}])) == [("RAISED", "BRADYCARDIA")]
        low = await recorded_ok(gql, b_staff, b_log, [{"heartRate": 35}])
        assert transitions(low) == [("RAISED", "BRADYCARDIA")]
        assert low["alarmEvents"][0]["alarm"]["threshold"] == 40.0
        # the '*' override: SpO2 94 is fine in clinic B (warning below 93), hypoxemia in clinic A
        assert transitions(await recorded_ok(gql, b_staff, b_log, [{"spo2": 94.0}])) == []
        assert transitions(await recorded_ok(gql, a_staff, a_log, [{"spo2": 94.0}])) == [("RAISED", "HYPOXEMIA")]
        # what is not overridden keeps its default in clinic B
        assert transitions(await recorded_ok(gql, b_staff, b_log, [{"spo2": 89.0}])) == [("RAISED", "SEVERE_HYPOXEMIA")]
    finally:
        await conn.execute("UPDATE tenants SET alarm_thresholds = $2::jsonb WHERE id = $1", world.b.tenant, original)
        await conn.close()
