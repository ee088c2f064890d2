"""Tenant isolation seen from the outside: every GraphQL route into another clinic's data comes back empty.

Each test that expects "nothing" also asks for something the caller may see, through the
same route, so an empty answer proves the policy and not a broken query.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from graph.types.node import to_global_id
from tests.conftest import GQL
from tests.world import World

STAFF_ROLES = ["vet", "admin"]
Token = Callable[..., str]  # the `token` fixture: token(sub, tenant, role)

NODE = "query($id: ID!) { node(id: $id) { __typename id } }"
PET = "query($id: ID!) { pet(id: $id) { id name } }"
PET_NAMES = """
query($filter: PetFilter) {
  pets(first: 100, filter: $filter) { totalCount edges { node { id name } } }
}
"""
APPOINTMENTS = """
query($filter: AppointmentFilter) {
  appointments(first: 100, filter: $filter) { totalCount edges { node { id } } }
}
"""
EXAM_ROOMS = "{ examRooms(includeInactive: true) { id name } }"
PLANS = "{ subscriptionPlans { code isActive } }"


def gid(type_name: str, pk: uuid.UUID) -> str:
    return str(to_global_id(type_name, pk))


def staff_of(world: World, clinic: str, role: str, token: Token) -> str:
    c = getattr(world, clinic)
    return token(c.admin if role == "admin" else c.vet, c.tenant, role)


def names(conn: dict[str, Any]) -> list[str]:
    return [e["node"]["name"] for e in conn["edges"]]


def ids(conn: dict[str, Any]) -> set[str]:
    return {e["node"]["id"] for e in conn["edges"]}


B_PET_NAMES = ("Bobby", "Kira", "Nala")


# -- staff of clinic A asking for clinic B's data -------------------------------------------------


@pytest.mark.parametrize("role", STAFF_ROLES)
async def test_staff_pet_list_holds_exactly_own_clinic_pets(gql: GQL, world: World, token: Token, role: str) -> None:
    pets = (await gql.data(PET_NAMES, {}, staff_of(world, "a", role, token)))["pets"]
    assert pets["totalCount"] == len(world.a.pets)
    assert ids(pets) == {gid("Pet", p) for p in world.a.pets}
    assert not set(names(pets)) & set(B_PET_NAMES)


@pytest.mark.parametrize("role", STAFF_ROLES)
@pytest.mark.parametrize("name", B_PET_NAMES)
async def test_staff_search_for_other_clinic_pet_name_finds_nothing(
    gql: GQL, world: World, token: Token, role: str, name: str
) -> None:
    search = {"filter": {"search": name}}
    # the same search by clinic B's own staff finds the pet: the filter itself works
    own = (await gql.data(PET_NAMES, search, staff_of(world, "b", role, token)))["pets"]
    assert names(own) == [name]
    other = (await gql.data(PET_NAMES, search, staff_of(world, "a", role, token)))["pets"]
    assert other == {"totalCount": 0, "edges": []}


@pytest.mark.parametrize("role", STAFF_ROLES)
async def test_staff_filter_by_other_clinic_owner_finds_nothing(
    gql: GQL, world: World, token: Token, role: str
) -> None:
    t = staff_of(world, "a", role, token)
    own_owner = world.a.owners[0]
    own = (await gql.data(PET_NAMES, {"filter": {"ownerId": gid("Profile", own_owner)}}, t))["pets"]
    assert ids(own) == {gid("Pet", p) for p in world.a.pets_by_owner[own_owner]}
    b_owner = gid("Profile", world.b.owners[0])
    other = (await gql.data(PET_NAMES, {"filter": {"ownerId": b_owner}}, t))["pets"]
    assert other == {"totalCount": 0, "edges": []}


@pytest.mark.parametrize("role", STAFF_ROLES)
async def test_staff_of_other_clinic_cannot_read_pet_by_node_id(
    gql: GQL, world: World, token: Token, role: str
) -> None:
    t = staff_of(world, "a", role, token)
    own = await gql.data(NODE, {"id": gid("Pet", world.a.pets[0])}, t)
    assert own["node"] == {"__typename": "Pet", "id": gid("Pet", world.a.pets[0])}
    for pet in world.b.pets:
        assert (await gql.data(NODE, {"id": gid("Pet", pet)}, t))["node"] is None


@pytest.mark.parametrize("role", STAFF_ROLES)
async def test_staff_of_other_clinic_cannot_read_pet_by_pet_query(
    gql: GQL, world: World, token: Token, role: str
) -> None:
    t = staff_of(world, "a", role, token)
    assert (await gql.data(PET, {"id": gid("Pet", world.a.pets[0])}, t))["pet"]["name"] == "Firulais"
    for pet in world.b.pets:
        assert (await gql.data(PET, {"id": gid("Pet", pet)}, t))["pet"] is None


@pytest.mark.parametrize("role", STAFF_ROLES)
async def test_staff_nodes_of_other_clinic_come_back_null_in_place(
    gql: GQL, world: World, token: Token, role: str
) -> None:
    a, b = world.a, world.b
    asked = [
        gid("Pet", b.pets[0]),
        gid("Pet", a.pets[0]),
        gid("PatientAlert", b.alerts["aggressive"]),
        gid("AnesthesiaLog", b.logs[0]),
        gid("Appointment", a.appointments[0]),
        gid("Profile", b.owners[0]),
        gid("VitalSign", b.vitals[0]),
    ]
    data = await gql.data(
        "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }", {"ids": asked}, staff_of(world, "a", role, token)
    )
    assert data["nodes"] == [
        None,
        {"__typename": "Pet", "id": asked[1]},
        None,
        None,
        {"__typename": "Appointment", "id": asked[4]},
        None,
        None,
    ]


def _node_cases(world: World) -> list[tuple[str, uuid.UUID, uuid.UUID]]:
    """(type, an id of clinic A, the same kind of id of clinic B)."""
    a, b = world.a, world.b
    return [
        ("Pet", a.pets[0], b.pets[0]),
        ("PatientAlert", a.alerts["aggressive"], b.alerts["aggressive"]),
        ("PatientAlert", a.alerts["vip"], b.alerts["vip"]),  # inactive alerts too
        ("PatientProblem", a.problems["active"], b.problems["active"]),
        ("PatientProblem", a.problems["resolved"], b.problems["resolved"]),
        ("AnesthesiaLog", a.logs[0], b.logs[0]),
        ("VitalSign", a.vitals[0], b.vitals[0]),
        ("VitalSign", a.vitals[-1], b.vitals[-1]),
        ("Appointment", a.appointments[0], b.appointments[0]),
        ("Appointment", a.appointments[1], b.appointments[1]),
        ("ExamRoom", a.rooms[0], b.rooms[0]),
        ("ExamRoom", a.rooms[1], b.rooms[1]),
        ("Profile", a.owners[0], b.owners[0]),
        ("Profile", a.vet, b.vet),
        ("Profile", a.admin, b.admin),
    ]


@pytest.mark.parametrize("role", STAFF_ROLES)
async def test_staff_node_of_every_other_clinic_type_is_null(gql: GQL, world: World, token: Token, role: str) -> None:
    t = staff_of(world, "a", role, token)
    for type_name, own, other in _node_cases(world):
        mine = (await gql.data(NODE, {"id": gid(type_name, own)}, t))["node"]
        assert mine == {"__typename": type_name, "id": gid(type_name, own)}, (type_name, own)
        theirs = (await gql.data(NODE, {"id": gid(type_name, other)}, t))["node"]
        assert theirs is None, (type_name, other)


@pytest.mark.parametrize("role", STAFF_ROLES)
async def test_staff_appointments_filtered_by_other_clinic_pet_are_empty(
    gql: GQL, world: World, token: Token, role: str
) -> None:
    t = staff_of(world, "a", role, token)
    own_pet = {"filter": {"petId": gid("Pet", world.a.pets[0])}}
    own = (await gql.data(APPOINTMENTS, own_pet, t))["appointments"]
    assert ids(own) == {gid("Appointment", x) for x in world.a.appointments[:2]}
    for pet in world.b.pets:
        other = (await gql.data(APPOINTMENTS, {"filter": {"petId": gid("Pet", pet)}}, t))["appointments"]
        assert other == {"totalCount": 0, "edges": []}


@pytest.mark.parametrize("role", STAFF_ROLES)
async def test_staff_appointment_list_holds_no_other_clinic_appointment(
    gql: GQL, world: World, token: Token, role: str
) -> None:
    listed = (await gql.data(APPOINTMENTS, {}, staff_of(world, "a", role, token)))["appointments"]
    assert ids(listed) == {gid("Appointment", x) for x in world.a.appointments}
    assert listed["totalCount"] == len(world.a.appointments)


@pytest.mark.parametrize("role", STAFF_ROLES)
async def test_staff_exam_rooms_are_only_own_clinic(gql: GQL, world: World, token: Token, role: str) -> None:
    rooms = (await gql.data(EXAM_ROOMS, {}, staff_of(world, "a", role, token)))["examRooms"]
    assert {r["id"] for r in rooms} == {gid("ExamRoom", r) for r in world.a.rooms}


# -- an owner of clinic A -----------------------------------------------------------------------


def _owner(world: World, token: Token, i: int = 0) -> tuple[uuid.UUID, str]:
    owner = world.a.owners[i]
    return owner, token(owner, world.a.tenant, "owner")


async def test_owner_pet_list_is_exactly_own_pets(gql: GQL, world: World, token: Token) -> None:
    for i in range(2):
        owner, t = _owner(world, token, i)
        pets = (await gql.data(PET_NAMES, {}, t))["pets"]
        mine = world.a.pets_by_owner[owner]
        assert ids(pets) == {gid("Pet", p) for p in mine}
        assert pets["totalCount"] == len(mine)


async def test_owner_cannot_read_another_owners_pet(gql: GQL, world: World, token: Token) -> None:
    owner, t = _owner(world, token)
    own_pet = world.a.pets_by_owner[owner][0]
    assert (await gql.data(PET, {"id": gid("Pet", own_pet)}, t))["pet"]["id"] == gid("Pet", own_pet)
    for pet in world.a.pets_by_owner[world.a.owners[1]]:
        assert (await gql.data(PET, {"id": gid("Pet", pet)}, t))["pet"] is None
        assert (await gql.data(NODE, {"id": gid("Pet", pet)}, t))["node"] is None
    other = {"filter": {"ownerId": gid("Profile", world.a.owners[1])}}
    assert (await gql.data(PET_NAMES, other, t))["pets"] == {"totalCount": 0, "edges": []}


STAFF_ONLY_NESTED = """
query($id: ID!) {
  pet(id: $id) {
    alerts(activeOnly: false) { id }
    anesthesiaLogs(first: 10) { totalCount edges { node { id } } }
    problems(activeOnly: false) { id }
  }
}
"""


async def test_owner_sees_no_alerts_or_anesthesia_logs_of_own_pets(gql: GQL, world: World, token: Token) -> None:
    owner, t = _owner(world, token)
    # pets 0 and 1 of clinic A have alerts and anesthesia logs, and belong to owner 0
    full = world.a.pets[:2]
    assert set(full) <= set(world.a.pets_by_owner[owner])
    vet = staff_of(world, "a", "vet", token)
    for pet in full:
        staff_view = (await gql.data(STAFF_ONLY_NESTED, {"id": gid("Pet", pet)}, vet))["pet"]
        assert staff_view["alerts"] and staff_view["anesthesiaLogs"]["totalCount"] > 0
        owner_view = (await gql.data(STAFF_ONLY_NESTED, {"id": gid("Pet", pet)}, t))["pet"]
        assert owner_view["alerts"] == []
        assert owner_view["anesthesiaLogs"] == {"totalCount": 0, "edges": []}
        # the problem list is not staff-only: the owner sees all of it
        assert owner_view["problems"] == staff_view["problems"] != []
    for alert in (world.a.alerts["aggressive"], world.a.alerts["allergy"]):
        assert (await gql.data(NODE, {"id": gid("PatientAlert", alert)}, t))["node"] is None
    assert (await gql.data(NODE, {"id": gid("AnesthesiaLog", world.a.logs[0])}, t))["node"] is None
    assert (await gql.data(NODE, {"id": gid("VitalSign", world.a.vitals[0])}, t))["node"] is None


async def test_owner_sees_problems_of_own_pets_only(gql: GQL, world: World, token: Token) -> None:
    problem = gid("PatientProblem", world.a.problems["active"])  # of pet 0, owner 0's
    _, own = _owner(world, token, 0)
    _, other = _owner(world, token, 1)
    assert (await gql.data(NODE, {"id": problem}, own))["node"] == {"__typename": "PatientProblem", "id": problem}
    assert (await gql.data(NODE, {"id": problem}, other))["node"] is None
    b_problem = gid("PatientProblem", world.b.problems["active"])
    assert (await gql.data(NODE, {"id": b_problem}, own))["node"] is None


async def test_owner_appointments_are_own_pets_only(gql: GQL, world: World, token: Token) -> None:
    # every appointment of clinic A is for pets 0 and 1, both owner 0's
    _, own = _owner(world, token, 0)
    _, other = _owner(world, token, 1)
    mine = (await gql.data(APPOINTMENTS, {}, own))["appointments"]
    assert ids(mine) == {gid("Appointment", x) for x in world.a.appointments}
    assert (await gql.data(APPOINTMENTS, {}, other))["appointments"] == {"totalCount": 0, "edges": []}
    by_pet = {"filter": {"petId": gid("Pet", world.a.pets[0])}}
    assert (await gql.data(APPOINTMENTS, by_pet, other))["appointments"] == {"totalCount": 0, "edges": []}
    appt = gid("Appointment", world.a.appointments[0])
    assert (await gql.data(NODE, {"id": appt}, other))["node"] is None


async def test_owner_sees_no_exam_rooms(gql: GQL, world: World, token: Token) -> None:
    _, t = _owner(world, token)
    assert (await gql.data(EXAM_ROOMS, {}, t))["examRooms"] == []
    assert (await gql.data(NODE, {"id": gid("ExamRoom", world.a.rooms[0])}, t))["node"] is None


async def test_owner_viewer_profile_is_own_and_other_profiles_are_hidden(gql: GQL, world: World, token: Token) -> None:
    owner, t = _owner(world, token)
    viewer = (await gql.data("{ viewer { role profile { id } } }", {}, t))["viewer"]
    assert viewer == {"role": "OWNER", "profile": {"id": gid("Profile", owner)}}
    for hidden in (world.a.owners[1], world.b.owners[0]):
        assert (await gql.data(NODE, {"id": gid("Profile", hidden)}, t))["node"] is None


# -- no token -------------------------------------------------------------------------------


async def test_anonymous_sees_no_pets(gql: GQL, world: World) -> None:
    assert (await gql.data(PET_NAMES, {}))["pets"] == {"totalCount": 0, "edges": []}
    assert (await gql.data(PET_NAMES, {"filter": {"search": "Firulais"}}))["pets"]["edges"] == []
    assert (await gql.data(NODE, {"id": gid("Pet", world.a.pets[0])}))["node"] is None
    assert (await gql.data(APPOINTMENTS, {}))["appointments"] == {"totalCount": 0, "edges": []}
    assert (await gql.data(EXAM_ROOMS, {}))["examRooms"] == []


async def test_anonymous_sees_the_three_public_plans(gql: GQL) -> None:
    plans = (await gql.data(PLANS))["subscriptionPlans"]
    assert [p["code"] for p in plans] == ["basic", "pro", "enterprise"]
    assert all(p["isActive"] for p in plans)


async def test_anonymous_viewer_is_null(gql: GQL) -> None:
    assert (await gql.data("{ viewer { role } }"))["viewer"] is None


# -- the platform operator -----------------------------------------------------------------------


async def test_platform_operator_sees_no_clinical_data_but_plans(gql: GQL, world: World, token: Token) -> None:
    t = token(world.platform_user, None, "platform")
    assert (await gql.data(PET_NAMES, {}, t))["pets"] == {"totalCount": 0, "edges": []}
    for type_name, own, other in _node_cases(world):
        for pk in (own, other):
            assert (await gql.data(NODE, {"id": gid(type_name, pk)}, t))["node"] is None, (type_name, pk)
    assert (await gql.data(APPOINTMENTS, {}, t))["appointments"] == {"totalCount": 0, "edges": []}
    assert (await gql.data(EXAM_ROOMS, {}, t))["examRooms"] == []
    codes = [p["code"] for p in (await gql.data(PLANS, {}, t))["subscriptionPlans"]]
    assert {"basic", "pro", "enterprise"} <= set(codes)


# -- a token for a clinic that does not exist ----------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "vet", "admin"])
async def test_token_for_unknown_clinic_is_forbidden(gql: GQL, token: Token, role: str) -> None:
    t = token(uuid.uuid4(), "clinic-does-not-exist", role)
    response = await gql.raw("{ pets(first: 1) { totalCount } }", token=t)
    assert response.status_code == 403, response.text
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert body.get("data") is None
