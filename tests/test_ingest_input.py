"""recordVitals' fast input path: readings built from graphql-core's coerced input (not Strawberry's
generic conversion) must give the same readings, userErrors and stored rows, in as few statements."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from graphql import GraphQLInputObjectType
from graphql.utilities import coerce_input_value
from strawberry.types.arguments import convert_argument
from strawberry.types.base import get_object_definition

from graph.schema import schema
from graph.types.anesthesia_mutations import RecordVitalsInput, VitalReadingInput
from graph.types.enums import AnesthesiaDepth
from tests.conftest import GQL, StatementCounter
from tests.test_anesthesia_mutations import (
    RECORD,
    Token,
    errors_of,
    iso,
    log_uuid,
    record,
    recorded_ok,
    start_log,
    superuser,
    vet,
)
from tests.world import World

FULL = {
    "recordedAt": "2026-01-02T03:04:05.678901+00:00",
    "heartRate": 88,
    "respiratoryRate": 12,
    "spo2": 98.5,
    "etco2": 38,  # an Int literal for a Float field
    "bloodPressureSystolic": 110,
    "bloodPressureDiastolic": 65,
    "bloodPressureMean": 80,
    "temperature": 37.8,
    "anesthesiaDepth": "TOO_DEEP",
    "ivFluidsRate": 5.25,
    "notes": "estable",
    "clientReadingId": "m-1",
}


def _convert(raw: dict[str, Any], *, generic: bool) -> Any:
    """The resolver's `input` for `raw` (as a client sends it), through the hook or Strawberry's generic path."""
    graphql_type = schema._schema.get_type("RecordVitalsInput")
    assert isinstance(graphql_type, GraphQLInputObjectType)
    coerced = coerce_input_value(raw, graphql_type)
    definition = get_object_definition(RecordVitalsInput, strict=True)
    hook = definition.from_input
    assert hook is not None, "RecordVitalsInput no longer builds its own value"
    if generic:
        definition.from_input = None
    try:
        return convert_argument(coerced, RecordVitalsInput, schema.schema_converter.scalar_registry, schema.config)
    finally:
        definition.from_input = hook


@pytest.mark.parametrize(
    "vitals",
    [
        [FULL],
        [{"heartRate": 90}],  # every other field omitted
        [{k: None for k in FULL} | {"spo2": 97.0}],  # explicit nulls
        [{"anesthesiaDepth": depth.name} for depth in AnesthesiaDepth],
        [],
    ],
    ids=["every field", "omitted fields", "explicit nulls", "each depth", "empty batch"],
)
def test_fast_input_equals_strawberrys_own_conversion(vitals: list[dict[str, Any]]) -> None:
    raw = {"anesthesiaLogId": "QW5lc3RoZXNpYUxvZzp4", "vitals": vitals}
    fast, generic = _convert(raw, generic=False), _convert(raw, generic=True)
    assert type(fast) is RecordVitalsInput
    assert all(type(r) is VitalReadingInput for r in fast.vitals)
    assert fast == generic
    assert len(fast.vitals) == len(vitals)


def test_fast_input_keeps_enum_members_and_parsed_scalars() -> None:
    [reading] = _convert({"anesthesiaLogId": "x", "vitals": [FULL]}, generic=False).vitals
    assert reading.anesthesia_depth is AnesthesiaDepth.TOO_DEEP
    assert reading.recorded_at == datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    assert reading.etco2 == 38 and reading.client_reading_id == "m-1"


def _literal(value: Any) -> str:
    """A GraphQL literal of a JSON-like value (enum values are given as `Enum(...)` strings)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, str) and value.startswith("Enum(") and value.endswith(")"):
        return value[5:-1]
    return "null" if value is None else orjson.dumps(value).decode()


INLINE = """
mutation {{
  recordVitals(input: {input}) {{
    vitals {{ heartRate respiratoryRate spo2 etco2 bloodPressureSystolic bloodPressureDiastolic bloodPressureMean
              temperature anesthesiaDepth ivFluidsRate notes recordedAt }}
    duplicates
    userErrors {{ field code message }}
  }}
}}
"""


async def _stored(database_url: str, log_id: str) -> list[dict[str, Any]]:
    conn = await superuser(database_url)
    try:
        rows = await conn.fetch(
            "SELECT seq, heart_rate, respiratory_rate, spo2, etco2, blood_pressure_systolic, blood_pressure_diastolic,"
            " blood_pressure_mean, temperature, anesthesia_depth, iv_fluids_rate, notes, client_reading_id"
            " FROM anesthesia_vitals WHERE anesthesia_log_id = $1 ORDER BY seq",
            log_uuid(log_id),
        )
    finally:
        await conn.close()
    return [dict(r) for r in rows]


async def test_inline_literal_and_variables_store_the_same_rows(
    gql: GQL, world: World, token: Token, database_url: str
) -> None:
    """graphql-core coerces literals and variables by different code; both reach the fast path alike."""
    staff = vet(world, token)
    at = iso(datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=30))
    batch = [
        {**FULL, "recordedAt": at, "anesthesiaDepth": "SURGICAL", "clientReadingId": "c-1"},
        {"heartRate": 91, "spo2": None, "notes": None, "clientReadingId": "c-2"},
        {"temperature": 37.456, "anesthesiaDepth": "LIGHT"},
    ]
    by_variables = await start_log(gql, staff, world.a.pets[2])
    sent = await recorded_ok(gql, staff, by_variables, batch)
    inline = await start_log(gql, staff, world.a.pets[2])
    literal_batch = [
        {k: f"Enum({v})" if k == "anesthesiaDepth" else v for k, v in reading.items()} for reading in batch
    ]
    query = INLINE.format(input=_literal({"anesthesiaLogId": inline, "vitals": literal_batch}))
    written = (await gql.data(query, None, staff))["recordVitals"]
    assert written["userErrors"] == [] and written["duplicates"] == 0
    # readings 1 and 2 are stamped with each call's own `now`
    assert written["vitals"][0]["recordedAt"] == sent["vitals"][0]["recordedAt"]
    drop = ("id", "recordedAt")
    assert [{k: v for k, v in w.items() if k not in drop} for w in written["vitals"]] == [
        {k: v for k, v in s.items() if k not in drop} for s in sent["vitals"]
    ]
    assert [v["anesthesiaDepth"] for v in written["vitals"]] == ["SURGICAL", None, "LIGHT"]
    assert written["vitals"][2]["temperature"] == 37.46  # as stored: numeric(4, 2)
    stored_variables = await _stored(database_url, by_variables)
    stored_inline = await _stored(database_url, inline)
    assert stored_variables == stored_inline
    assert [r["anesthesia_depth"] for r in stored_inline] == ["surgical", None, "light"]


async def test_every_depth_is_stored_as_its_value_and_returned_as_its_name(
    gql: GQL, world: World, token: Token, database_url: str
) -> None:
    staff = vet(world, token)
    log_id = await start_log(gql, staff, world.a.pets[2])
    depths = [d.name for d in AnesthesiaDepth]
    payload = await recorded_ok(gql, staff, log_id, [{"anesthesiaDepth": d} for d in depths])
    assert [v["anesthesiaDepth"] for v in payload["vitals"]] == depths
    assert [r["anesthesia_depth"] for r in await _stored(database_url, log_id)] == [d.value for d in AnesthesiaDepth]


async def test_explicit_nulls_are_the_same_as_omitted_fields(gql: GQL, world: World, token: Token) -> None:
    staff = vet(world, token)
    log_id = await start_log(gql, staff, world.a.pets[2])
    nulls = {k: None for k in FULL}
    # nothing but nulls is a reading without a measurement, as an empty one is
    refused = await record(gql, staff, log_id, [{}, nulls])
    assert errors_of(refused) == [("vitals.0", "EMPTY"), ("vitals.1", "EMPTY")]
    payload = await recorded_ok(gql, staff, log_id, [nulls | {"heartRate": 70}, {"heartRate": 70}])
    first, second = ({k: v for k, v in vital.items() if k != "id"} for vital in payload["vitals"])
    assert first == second


async def test_errors_of_a_bad_batch_name_each_reading_and_field(gql: GQL, world: World, token: Token) -> None:
    """The exact userErrors, in order: every problem of every reading, with its message."""
    staff = vet(world, token)
    log_id = await start_log(gql, staff, world.a.pets[2])
    future = iso(datetime.now(UTC) + timedelta(minutes=5))
    batch = [
        {"heartRate": 90},
        {"spo2": 100.5, "temperature": 19.5, "anesthesiaDepth": "DEEP"},
        {"bloodPressureSystolic": 80, "bloodPressureDiastolic": 90, "recordedAt": future, "clientReadingId": ""},
        {"notes": "sin datos", "clientReadingId": "x"},
        {"heartRate": 401, "clientReadingId": "x", "notes": "n" * 2001},
    ]
    payload = await record(gql, staff, log_id, batch)
    assert payload["userErrors"] == [
        {"field": "vitals.1.spo2", "code": "OUT_OF_RANGE", "message": "spo2 must be between 0 and 100, got 100.5."},
        {
            "field": "vitals.1.temperature",
            "code": "OUT_OF_RANGE",
            "message": "temperature must be between 20 and 45, got 19.5.",
        },
        {
            "field": "vitals.2.bloodPressureDiastolic",
            "code": "OUT_OF_RANGE",
            "message": "Diastolic pressure cannot exceed systolic.",
        },
        {
            "field": "vitals.2.recordedAt",
            "code": "FUTURE_READING",
            "message": "recordedAt is in the future; check the monitor's clock.",
        },
        {"field": "vitals.2.clientReadingId", "code": "INVALID", "message": "clientReadingId: 1 to 100 chars."},
        {"field": "vitals.3", "code": "EMPTY", "message": "A reading needs at least one measurement."},
        {
            "field": "vitals.4.heartRate",
            "code": "OUT_OF_RANGE",
            "message": "heartRate must be between 0 and 400, got 401.",
        },
        {"field": "vitals.4.clientReadingId", "code": "INVALID", "message": "clientReadingId repeated in batch."},
        {"field": "vitals.4.notes", "code": "INVALID", "message": "notes: at most 2000 characters."},
    ]
    assert payload["vitals"] == [] and payload["duplicates"] == 0


async def test_numbers_are_stored_as_python_prints_them(
    gql: GQL, world: World, token: Token, database_url: str
) -> None:
    """A float's shortest repr is what PostgreSQL rounds, as Decimal(str(x)) was: 37.00499999999999 -> 37.00
    (a 15-digit float8 -> numeric cast would give 37.01)."""
    staff = vet(world, token)
    log_id = await start_log(gql, staff, world.a.pets[2])
    payload = await recorded_ok(
        gql, staff, log_id, [{"temperature": 37.00499999999999, "spo2": 98.456, "etco2": 40, "ivFluidsRate": 0.125}]
    )
    [vital] = payload["vitals"]
    assert (vital["temperature"], vital["spo2"], vital["etco2"], vital["ivFluidsRate"]) == (37.0, 98.46, 40.0, 0.13)
    [row] = await _stored(database_url, log_id)
    stored = [str(row[c]) for c in ("temperature", "spo2", "etco2", "iv_fluids_rate")]
    assert stored == ["37.00", "98.46", "40.00", "0.13"]


async def test_retry_returns_the_stored_numbers_as_the_first_call_did(gql: GQL, world: World, token: Token) -> None:
    staff = vet(world, token)
    log_id = await start_log(gql, staff, world.a.pets[2])
    batch = [{"clientReadingId": f"r{i}", "spo2": 97.125 + i, "temperature": 37.333, "etco2": 41} for i in range(3)]
    first = await recorded_ok(gql, staff, log_id, batch)
    again = await recorded_ok(gql, staff, log_id, [batch[1], {"clientReadingId": "r3", "heartRate": 80}, batch[2]])
    assert again["duplicates"] == 2
    assert again["vitals"][:2] == first["vitals"][1:]
    assert [v["spo2"] for v in first["vitals"]] == [97.13, 98.13, 99.13]


async def test_one_reading_without_alarm_change_takes_three_statements(
    gql: GQL, world: World, token: Token, sql: StatementCounter
) -> None:
    """Claims, reserve (locks the log), insert with the alarm state; BEGIN and COMMIT are not statements here."""
    staff = vet(world, token)
    log_id = await start_log(gql, staff, world.a.pets[2])
    await recorded_ok(gql, staff, log_id, [{"heartRate": 90, "spo2": 98.0}])
    sql.reset()
    body = await gql(RECORD, {"input": {"anesthesiaLogId": log_id, "vitals": [{"heartRate": 91}]}}, staff)
    assert body["data"]["recordVitals"]["userErrors"] == []
    assert sql.count == 3, sql.statements
