"""No N+1: the number of SQL statements depends on the shape of a query, never on how many rows it returns.

Counts statements from the driver's side (the `sql` fixture); never compares wall-clock times.
"""

from __future__ import annotations

from typing import Any

import pytest

from graph.types.node import to_global_id
from tests.conftest import GQL, StatementCounter
from tests.world import World

# One transaction-opening statement (role and claims), then one per nesting level:
# pets, owners, alerts, problems, diagnosis codes, anesthesia logs, vitals.
OVERVIEW_BOUND = 8

OVERVIEW = """
query Overview($first: Int!) {
  pets(first: $first) {
    %(pets_total)s
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      id name species
      owner { id fullName }
      alerts(activeOnly: true) { alertType severity title isActive }
      problems(activeOnly: true) { problemName diagnosisCode { code term } }
      anesthesiaLogs(first: 5) { %(logs_total)s edges { node {
        procedureName outcome
        vitals(last: 10) { %(vitals_total)s edges { node { recordedAt heartRate spo2 temperature } } }
      } } }
    } }
  }
}
"""

LEVELS = ("pets_total", "logs_total", "vitals_total")


def overview(*with_total: str) -> str:
    return OVERVIEW % {level: "totalCount" if level in with_total else "" for level in LEVELS}


def listing(counter: StatementCounter) -> str:
    return "\n".join(f"{i:3d}: {' '.join(s.split())}" for i, s in enumerate(counter.statements, 1))


async def measure(gql: GQL, sql: StatementCounter, query: str, variables: dict[str, Any],
                  token: str) -> tuple[int, str, dict[str, Any]]:
    """Statements one run of `query` issues, after a warm-up run (which may check the token's clinic)."""
    await gql.data(query, variables, token)
    sql.reset()
    data = await gql.data(query, variables, token)
    return sql.count, listing(sql), data


# These tests prove the ORDINARY path batches (one statement per nesting level);
# the compiled path's single statement is proved in tests/test_compiled.py.
@pytest.fixture
def gql(plain_gql: GQL) -> GQL:
    return plain_gql


@pytest.fixture
def sql(plain_sql: StatementCounter) -> StatementCounter:
    return plain_sql


@pytest.fixture
def many_staff(world: World, token) -> str:  # type: ignore[no-untyped-def]
    return str(token(world.many.vet, world.many.tenant, "vet"))


async def test_overview_issues_the_same_statements_for_5_and_50_pets(
    gql: GQL, sql: StatementCounter, world: World, many_staff: str
) -> None:
    query = overview()
    few, few_list, few_data = await measure(gql, sql, query, {"first": 5}, many_staff)
    lots, lots_list, lots_data = await measure(gql, sql, query, {"first": 50}, many_staff)

    # the answers are really 5 and 50 fully populated pets, so the counts mean something
    assert len(few_data["pets"]["edges"]) == 5
    assert len(lots_data["pets"]["edges"]) == 50
    for edge in lots_data["pets"]["edges"]:
        node = edge["node"]
        assert node["owner"]["id"] == to_global_id("Profile", world.many.owners[0])
        assert len(node["alerts"]) == 2
        assert node["problems"][0]["diagnosisCode"]["code"] == "VN-TEST-1"
        assert len(node["anesthesiaLogs"]["edges"][0]["node"]["vitals"]["edges"]) == 10

    assert few == lots, f"first: 5 -> {few} statements:\n{few_list}\nfirst: 50 -> {lots} statements:\n{lots_list}"
    assert lots <= OVERVIEW_BOUND, f"{lots} statements:\n{lots_list}"


async def test_overview_with_every_total_is_the_same_for_5_and_50_pets(
    gql: GQL, sql: StatementCounter, many_staff: str
) -> None:
    query = overview(*LEVELS)
    few, few_list, _ = await measure(gql, sql, query, {"first": 5}, many_staff)
    lots, lots_list, data = await measure(gql, sql, query, {"first": 50}, many_staff)
    assert data["pets"]["totalCount"] == 60
    assert few == lots, f"first: 5 -> {few} statements:\n{few_list}\nfirst: 50 -> {lots} statements:\n{lots_list}"
    assert lots <= OVERVIEW_BOUND + len(LEVELS), f"{lots} statements:\n{lots_list}"


@pytest.mark.parametrize("level", LEVELS)
async def test_total_count_adds_exactly_one_statement_per_connection_level(
    gql: GQL, sql: StatementCounter, many_staff: str, level: str
) -> None:
    without, without_list, _ = await measure(gql, sql, overview(), {"first": 20}, many_staff)
    with_total, with_list, data = await measure(gql, sql, overview(level), {"first": 20}, many_staff)
    node = data["pets"]["edges"][0]["node"]
    expected = {
        "pets_total": lambda: data["pets"]["totalCount"] == 60,
        "logs_total": lambda: node["anesthesiaLogs"]["totalCount"] == 1,
        "vitals_total": lambda: node["anesthesiaLogs"]["edges"][0]["node"]["vitals"]["totalCount"] == 30,
    }
    assert expected[level](), data
    assert with_total == without + 1, f"without:\n{without_list}\nwith {level}:\n{with_list}"
    assert "count(" in with_list.lower()


async def test_all_totals_together_add_one_statement_per_level(
    gql: GQL, sql: StatementCounter, many_staff: str
) -> None:
    without, _, _ = await measure(gql, sql, overview(), {"first": 30}, many_staff)
    with_all, with_list, _ = await measure(gql, sql, overview(*LEVELS), {"first": 30}, many_staff)
    assert with_all == without + len(LEVELS), with_list


PET_EVERYTHING = """
query PetEverything($id: ID!) {
  pet(id: $id) {
    id name species createdAt
    owner { id fullName email }
    primaryVet { id fullName }
    alerts(activeOnly: false) { alertType severity createdBy { fullName } }
    problems(activeOnly: false) { problemName diagnosisCode { code term } }
    anesthesiaLogs(first: 10) {
      totalCount pageInfo { hasNextPage }
      edges { node {
        procedureName
        pet { id name }
        vitals(last: 10) { totalCount edges { node { recordedAt heartRate } } }
      } }
    }
    appointments(first: 10) {
      totalCount
      edges { node { status vet { fullName } room { name } pet { id } } }
    }
  }
}
"""

# begin, pet, profiles (owner, primary vet), alerts, problems, logs, appointments, profiles (alert authors,
# appointment vets), diagnosis codes, log count, vitals, appointment count, rooms, vital count
PET_BOUND = 14


async def test_pet_with_everything_has_a_small_fixed_number_of_statements(
    gql: GQL, sql: StatementCounter, world: World, many_staff: str
) -> None:
    counts = []
    for pet in (world.many.pets[0], world.many.pets[37]):
        count, statements, data = await measure(gql, sql, PET_EVERYTHING, {"id": to_global_id("Pet", pet)},
                                                many_staff)
        got = data["pet"]
        assert got["id"] == to_global_id("Pet", pet)
        assert got["owner"] is not None
        assert len(got["alerts"]) == 4
        assert got["anesthesiaLogs"]["edges"][0]["node"]["pet"]["id"] == got["id"]
        assert got["anesthesiaLogs"]["edges"][0]["node"]["vitals"]["totalCount"] == 30
        assert got["appointments"]["totalCount"] == 2
        assert all(e["node"]["room"]["name"] for e in got["appointments"]["edges"])
        assert count <= PET_BOUND, f"{count} statements:\n{statements}"
        counts.append(count)
    assert counts[0] == counts[1]


NODES = """
query Nodes($ids: [ID!]!) {
  nodes(ids: $ids) {
    id
    ... on Pet {
      name
      owner { fullName }
      alerts { title }
      problems { problemName diagnosisCode { code } }
      anesthesiaLogs(first: 2) { edges { node { vitals(first: 3) { edges { node { heartRate } } } } } }
    }
  }
}
"""


async def test_nodes_by_id_batch_whatever_the_number_of_ids(
    gql: GQL, sql: StatementCounter, world: World, many_staff: str
) -> None:
    ids = [to_global_id("Pet", p) for p in world.many.pets]
    few, few_list, few_data = await measure(gql, sql, NODES, {"ids": ids[:5]}, many_staff)
    lots, lots_list, lots_data = await measure(gql, sql, NODES, {"ids": ids[:50]}, many_staff)
    assert [n["id"] for n in lots_data["nodes"]] == ids[:50]
    assert all(n["owner"] and n["alerts"] for n in lots_data["nodes"])
    assert len(few_data["nodes"]) == 5
    assert few == lots, f"5 ids -> {few}:\n{few_list}\n50 ids -> {lots}:\n{lots_list}"
    assert lots <= OVERVIEW_BOUND, lots_list


async def test_a_second_page_costs_the_same_as_the_first(
    gql: GQL, sql: StatementCounter, many_staff: str
) -> None:
    query = overview(*LEVELS).replace("pets(first: $first)", "pets(first: $first, after: $after)").replace(
        "query Overview($first: Int!)", "query Overview($first: Int!, $after: String)"
    )
    first_count, first_list, first_data = await measure(gql, sql, query, {"first": 25, "after": None}, many_staff)
    cursor = first_data["pets"]["pageInfo"]["endCursor"]
    second_count, second_list, second_data = await measure(gql, sql, query, {"first": 25, "after": cursor},
                                                           many_staff)
    assert len(second_data["pets"]["edges"]) == 25
    first_ids = {e["node"]["id"] for e in first_data["pets"]["edges"]}
    assert first_ids.isdisjoint(e["node"]["id"] for e in second_data["pets"]["edges"])
    assert first_count == second_count, f"page 1:\n{first_list}\npage 2:\n{second_list}"
