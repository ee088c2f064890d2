"""The compiled fast path answers exactly as the ordinary resolvers do, in one statement.

Every query here runs twice, through the app with the compiler (`gql`) and the
same app with it switched off (`plain_gql`), for several roles and clinics, and
the two responses must be identical, errors included.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import hypothesis_graphql
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.schema import schema
from graph.types.node import to_global_id
from tests.conftest import GQL, StatementCounter
from tests.world import World

OVERVIEW = """
query Overview($first: Int, $last: Int, $after: String, $before: String) {
  pets(first: $first, last: $last, after: $after, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node {
      id name species sex breed weightKg isNeutered dateOfBirth createdAt __typename
      owner { id fullName role preferredContactMethod }
      alerts(activeOnly: true) { id alertType severity title message isActive expiresAt createdAt
        createdBy { fullName } }
      everyAlert: alerts(activeOnly: false) { alertType isActive }
      problems(activeOnly: true) { problemName isActive onsetDate diagnosisCode { id code term } }
      allProblems: problems(activeOnly: false) { problemName resolvedDate }
      anesthesiaLogs(first: 5) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { cursor node {
          id procedureName outcome inductionTime completedAt createdAt
          vitals(last: 10) {
            totalCount edges { cursor node { id recordedAt heartRate spo2 temperature anesthesiaDepth } }
          }
          firstVitals: vitals(first: 3) { nodes { heartRate } pageInfo { hasNextPage hasPreviousPage } }
        } }
      }
      appointments(first: 2) { nodes { startTime endTime status room { name roomType equipment } vet { fullName } } }
    } }
  }
}
"""

FRAGMENTS = """
query Fragments($withOwner: Boolean!, $skipAlerts: Boolean!) {
  list: pets(first: 4, orderBy: CREATED_AT_DESC, filter: {species: [DOG, CAT]}) {
    __typename
    nodes { ...PetBits ... on Pet { kind: species } }
  }
}
fragment PetBits on Pet {
  petName: name
  owner @include(if: $withOwner) { name: fullName }
  alerts @skip(if: $skipAlerts) { alertType }
  ... on Pet { problems { problemName } }
}
"""

FILTERED = """
query Filtered($search: String, $alerts: Boolean, $owner: ID, $order: PetOrder!) {
  pets(first: 10, filter: {search: $search, hasActiveAlerts: $alerts, ownerId: $owner}, orderBy: $order) {
    totalCount nodes { name anesthesiaLogs(last: 2) { nodes {
      procedureName vitals(first: 2, since: "2000-01-01T00:00:00Z") { nodes { heartRate } }
    } } }
  }
}
"""

PET = """
query OnePet($id: ID!) {
  pet(id: $id) {
    __typename id name species owner { fullName } primaryVet { fullName }
    alerts { alertType severity title isActive } problems(activeOnly: false) { problemName diagnosisCode { term } }
    anesthesiaLogs(first: 2) { totalCount nodes { procedureName vitals(last: 5) { nodes { recordedAt spo2 } } } }
    appointments(first: 3, upcomingOnly: true) { nodes { startTime status } }
  }
}
"""

APPOINTMENTS = """
query Today($from: DateTime, $to: DateTime) {
  appointments(first: 20, filter: {startsFrom: $from, startsBefore: $to}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id startTime endTime status reason
      pet { name species alerts { alertType severity } }
      room { name roomType } vet { fullName } }
  }
}
"""

FALLBACK = """
query NeedsResolvers {
  pets(first: 3) { nodes { name anesthesiaLogs(first: 1) { nodes { alarms { kind } } } } }
}
"""


def _roles(world: World) -> list[tuple[str, Any]]:
    return [
        ("vet-a", (world.a.vet, world.a.tenant, "vet")),
        ("admin-b", (world.b.admin, world.b.tenant, "admin")),
        ("owner-a", (world.a.owners[0], world.a.tenant, "owner")),
        ("platform", (world.platform_user, None, "platform")),
        ("anonymous", None),
    ]


async def _both(gql: GQL, plain_gql: GQL, query: str, variables: dict[str, Any], token: str | None) -> Any:
    fast = await gql.raw(query, variables, token)
    plain = await plain_gql.raw(query, variables, token)
    assert fast.status_code == plain.status_code
    fast_body, plain_body = fast.json(), plain.json()
    assert fast_body == plain_body, f"{query}\n{variables}\nfast:  {fast_body}\nplain: {plain_body}"
    return fast_body


@pytest.mark.parametrize("role", range(5), ids=["vet-a", "admin-b", "owner-a", "platform", "anonymous"])
async def test_overview_is_identical_on_both_paths_for_every_role(
    gql: GQL, plain_gql: GQL, world: World, token, role: int  # type: ignore[no-untyped-def]
) -> None:
    _, who = _roles(world)[role]
    bearer = None if who is None else token(*who)
    body = await _both(gql, plain_gql, OVERVIEW, {"first": 3}, bearer)
    if role == 0:  # make sure the comparison compared something
        assert body["data"]["pets"]["edges"][0]["node"]["anesthesiaLogs"]["edges"]


async def test_paging_forwards_and_backwards_is_identical_on_both_paths(
    gql: GQL, plain_gql: GQL, world: World, token  # type: ignore[no-untyped-def]
) -> None:
    bearer = token(world.many.vet, world.many.tenant, "vet")
    first = await _both(gql, plain_gql, OVERVIEW, {"first": 7}, bearer)
    end = first["data"]["pets"]["pageInfo"]["endCursor"]
    second = await _both(gql, plain_gql, OVERVIEW, {"first": 7, "after": end}, bearer)
    assert second["data"]["pets"]["pageInfo"]["hasPreviousPage"] is True
    start = second["data"]["pets"]["pageInfo"]["startCursor"]
    back = await _both(gql, plain_gql, OVERVIEW, {"last": 7, "before": start}, bearer)
    assert [e["node"]["id"] for e in back["data"]["pets"]["edges"]] == [
        e["node"]["id"] for e in first["data"]["pets"]["edges"]
    ]
    await _both(gql, plain_gql, OVERVIEW, {"last": 0}, bearer)
    await _both(gql, plain_gql, OVERVIEW, {"first": 500}, bearer)  # the error, on both paths


@pytest.mark.parametrize("with_owner", [True, False])
@pytest.mark.parametrize("skip_alerts", [True, False])
async def test_aliases_fragments_and_directives_are_identical_on_both_paths(
    gql: GQL, plain_gql: GQL, world: World, token, with_owner: bool, skip_alerts: bool  # type: ignore[no-untyped-def]
) -> None:
    bearer = token(world.a.vet, world.a.tenant, "vet")
    await _both(gql, plain_gql, FRAGMENTS, {"withOwner": with_owner, "skipAlerts": skip_alerts}, bearer)


@pytest.mark.parametrize(
    "variables",
    [
        {"search": "fir", "order": "NAME_DESC"},
        {"alerts": True, "order": "CREATED_AT_ASC"},
        {"alerts": False, "order": "NAME_ASC"},
        {"search": "%", "order": "NAME_ASC"},
    ],
)
async def test_filters_and_orders_are_identical_on_both_paths(
    gql: GQL, plain_gql: GQL, world: World, token, variables: dict[str, Any]  # type: ignore[no-untyped-def]
) -> None:
    bearer = token(world.a.vet, world.a.tenant, "vet")
    await _both(gql, plain_gql, FILTERED, variables, bearer)
    owner = to_global_id("Profile", world.a.owners[1])
    await _both(gql, plain_gql, FILTERED, {**variables, "owner": owner}, bearer)


@pytest.mark.parametrize("role", range(5), ids=["vet-a", "admin-b", "owner-a", "platform", "anonymous"])
async def test_one_pet_and_the_schedule_are_identical_on_both_paths_for_every_role(
    gql: GQL, plain_gql: GQL, world: World, token, role: int  # type: ignore[no-untyped-def]
) -> None:
    _, who = _roles(world)[role]
    bearer = None if who is None else token(*who)
    for pet in (world.a.pets[0], world.a.pets[4], world.b.pets[0], uuid.uuid4()):
        await _both(gql, plain_gql, PET, {"id": to_global_id("Pet", pet)}, bearer)
    body = await _both(gql, plain_gql, APPOINTMENTS, {}, bearer)
    if role == 0:
        assert body["data"]["appointments"]["nodes"], "clinic A has appointments"
    window = {"from": "2000-01-01T00:00:00Z", "to": "2100-01-01T00:00:00Z"}
    await _both(gql, plain_gql, APPOINTMENTS, window, bearer)


async def test_an_unknown_field_falls_back_to_the_resolvers_with_the_same_answer(
    gql: GQL, plain_gql: GQL, world: World, token, sql: StatementCounter  # type: ignore[no-untyped-def]
) -> None:
    bearer = token(world.a.vet, world.a.tenant, "vet")
    await _both(gql, plain_gql, FALLBACK, {}, bearer)


async def test_compiled_overview_is_one_statement_for_5_and_50_pets(
    gql: GQL, world: World, token, sql: StatementCounter  # type: ignore[no-untyped-def]
) -> None:
    bearer = token(world.many.vet, world.many.tenant, "vet")
    counts = []
    for first in (5, 50):
        sql.reset()
        data = await gql.data(OVERVIEW, {"first": first}, bearer)
        assert len(data["pets"]["edges"]) == first
        counts.append(sql.count)
    # the claims, then the whole overview as one statement
    assert counts == [2, 2], sql.statements


# --- queries generated from the schema ------------------------------------------------------------

_STRATEGY = hypothesis_graphql.queries(
    schema.as_str(),
    fields=["pets"],
    custom_scalars={
        "DateTime": st.sampled_from(["2020-01-01T00:00:00+00:00", "2030-01-01T00:00:00Z"]).map(
            lambda v: __import__("graphql").StringValueNode(value=v)
        ),
        "JSON": st.just(__import__("graphql").NullValueNode()),
        "Date": st.just(__import__("graphql").StringValueNode(value="2020-01-01")),
        "Decimal": st.just(__import__("graphql").StringValueNode(value="1.5")),
    },
)


@pytest.fixture(scope="module")
async def session_loop() -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")
@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=_STRATEGY)
def test_generated_queries_are_identical_on_both_paths(
    query: str, gql: GQL, plain_gql: GQL, world: World, token, session_loop: asyncio.AbstractEventLoop  # type: ignore[no-untyped-def]
) -> None:
    bearer = token(world.a.vet, world.a.tenant, "vet")
    session_loop.run_until_complete(_both(gql, plain_gql, query, {}, bearer))


def test_compiled_json_splices_into_the_response_without_reparsing() -> None:
    fragment = orjson.Fragment(b'{"a":[1,2]}')
    assert orjson.dumps({"data": {"pets": fragment}}) == b'{"data":{"pets":{"a":[1,2]}}}'


_ROOTS = ["pet", "node", "nodes", "appointments", "promotions", "examRooms", "subscriptionPlans", "myDevices",
          "diagnosisCodes", "tenantSubscription", "invoices", "services", "products", "upcomingVaccines"]
_EVERY_ROOT = hypothesis_graphql.queries(
    schema.as_str(),
    fields=_ROOTS,
    custom_scalars={
        "DateTime": st.sampled_from(["2020-01-01T00:00:00+00:00", "2030-01-01T00:00:00Z"]).map(
            lambda v: __import__("graphql").StringValueNode(value=v)
        ),
        "JSON": st.just(__import__("graphql").NullValueNode()),
        "Date": st.just(__import__("graphql").StringValueNode(value="2020-01-01")),
        "Decimal": st.just(__import__("graphql").StringValueNode(value="1.5")),
        "ID": st.sampled_from(["UGV0OjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMA==", "bm90LWFuLWlk"]).map(
            lambda v: __import__("graphql").StringValueNode(value=v)
        ),
    },
)


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")
@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=_EVERY_ROOT)
def test_generated_queries_of_every_compiled_root_are_identical_on_both_paths(
    query: str, gql: GQL, plain_gql: GQL, world: World, token, session_loop: asyncio.AbstractEventLoop  # type: ignore[no-untyped-def]
) -> None:
    bearer = token(world.a.admin, world.a.tenant, "admin")
    session_loop.run_until_complete(_both(gql, plain_gql, query, {}, bearer))
