"""Bad input gets a clear, typed error: no stack trace, no driver or SQL text, and the server keeps serving."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import orjson
import pytest

from graph.extensions import MAX_ALIASES, MAX_DEPTH, MAX_TOKENS
from graph.types.node import to_global_id
from tests.conftest import GQL, TEST_SECRET
from tests.world import World

PETS = (
    "query Pets($first: Int, $after: String, $last: Int) {"
    " pets(first: $first, after: $after, last: $last) { edges { cursor node { id name } } } }"
)


# A document that does not parse: TypedErrors files it under validation; Apollo's name would do too.
PARSE_FAILED = ("GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED")


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


def assert_clean(response: httpx.Response) -> None:
    """Nothing of the server's insides leaks into the response."""
    text = response.text
    assert "Traceback" not in text, text
    assert 'File "' not in text, text
    assert "asyncpg" not in text, text
    assert "sqlalchemy" not in text.lower(), text
    assert "SELECT " not in text.upper(), text
    assert "psycopg" not in text.lower(), text


def only_error(response: httpx.Response) -> dict[str, Any]:
    """The single error of a response that carries one, after checking it leaks nothing."""
    assert_clean(response)
    body = response.json()
    errors = body.get("errors")
    assert errors, body
    assert all((e.get("extensions") or {}).get("code") for e in errors), errors
    error: dict[str, Any] = errors[0]
    return error


async def assert_still_serving(gql: GQL, staff: str) -> None:
    """A good query right after the bad one answers normally."""
    data = await gql.data("{ pets(first: 1) { edges { node { name } } } }", token=staff)
    assert len(data["pets"]["edges"]) == 1


@pytest.fixture
def staff(world: World, token) -> str:  # type: ignore[no-untyped-def]
    return str(token(world.a.vet, world.a.tenant, "vet"))


# --- global IDs -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        pytest.param('{ node(id: "not-base64!!") { id } }', {}, id="node-not-base64"),
        pytest.param("query($id: ID!) { node(id: $id) { id } }", {"id": b64("no separator")}, id="node-no-colon"),
        pytest.param(
            "query($id: ID!) { node(id: $id) { id } }",
            {"id": b64(f"Martian:{uuid.uuid4()}")},
            id="node-unknown-type",
        ),
        pytest.param("query($id: ID!) { node(id: $id) { id } }", {"id": b64("Pet:not-a-uuid")}, id="node-bad-uuid"),
        pytest.param('{ pet(id: "not-base64!!") { id } }', {}, id="pet-not-base64"),
        pytest.param("query($id: ID!) { pet(id: $id) { id } }", {"id": b64("Pet:not-a-uuid")}, id="pet-bad-uuid"),
        pytest.param("query($id: ID!) { pet(id: $id) { id } }", {"id": ""}, id="pet-empty"),
    ],
)
async def test_malformed_global_id_is_a_bad_user_input_error(
    gql: GQL, staff: str, query: str, variables: dict[str, Any]
) -> None:
    response = await gql.raw(query, variables, staff)
    assert response.status_code == 200
    error = only_error(response)
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert response.json()["data"] is not None  # a field error, not a refused document
    await assert_still_serving(gql, staff)


async def test_id_of_another_type_to_pet_is_a_bad_user_input_error(gql: GQL, world: World, staff: str) -> None:
    profile_id = to_global_id("Profile", world.a.vet)
    response = await gql.raw("query($id: ID!) { pet(id: $id) { id } }", {"id": profile_id}, staff)
    error = only_error(response)
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert "Pet" in error["message"]
    assert response.json()["data"] == {"pet": None}
    await assert_still_serving(gql, staff)


async def test_owner_filter_with_a_pet_id_is_a_bad_user_input_error(gql: GQL, world: World, staff: str) -> None:
    response = await gql.raw(
        "query($o: ID!) { pets(filter: {ownerId: $o}) { edges { node { id } } } }",
        {"o": to_global_id("Pet", world.a.pets[0])},
        staff,
    )
    assert only_error(response)["extensions"]["code"] == "BAD_USER_INPUT"
    await assert_still_serving(gql, staff)


@pytest.mark.parametrize("field", ["pet", "node"])
async def test_foreign_clinics_id_is_null_without_error(gql: GQL, world: World, staff: str, field: str) -> None:
    foreign = to_global_id("Pet", world.b.pets[0])
    body = await gql(f"query($id: ID!) {{ {field}(id: $id) {{ id }} }}", {"id": foreign}, staff)
    assert body.get("errors") is None, body
    assert body["data"] == {field: None}


async def test_own_clinics_id_resolves_so_the_null_above_means_hidden(gql: GQL, world: World, staff: str) -> None:
    own = to_global_id("Pet", world.a.pets[0])
    data = await gql.data("query($id: ID!) { pet(id: $id) { id } node(id: $id) { id } }", {"id": own}, staff)
    assert data == {"pet": {"id": own}, "node": {"id": own}}


# --- enums ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("{ pets(orderBy: SIDEWAYS) { edges { node { id } } } }", id="order-literal"),
        pytest.param("{ pets(filter: {species: [DRAGON]}) { edges { node { id } } } }", id="species-literal"),
        pytest.param('{ pets(orderBy: "NAME_ASC") { edges { node { id } } } }', id="order-as-string"),
    ],
)
async def test_unknown_enum_value_is_a_validation_error(gql: GQL, staff: str, query: str) -> None:
    response = await gql.raw(query, None, staff)
    error = only_error(response)
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED", error
    assert response.json().get("data") is None
    await assert_still_serving(gql, staff)


async def test_unknown_enum_value_in_a_variable_is_refused_before_execution(gql: GQL, staff: str) -> None:
    response = await gql.raw(
        "query($o: PetOrder!) { pets(orderBy: $o) { edges { node { id } } } }", {"o": "SIDEWAYS"}, staff
    )
    error = only_error(response)
    assert error["extensions"]["code"] in ("GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT"), error
    assert "SIDEWAYS" in error["message"]
    assert response.json().get("data") is None
    await assert_still_serving(gql, staff)


# --- pagination -------------------------------------------------------------------------------------------


def _cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(values)).decode().rstrip("=")


@pytest.mark.parametrize(
    "variables",
    [
        pytest.param({"first": 100000}, id="first-100000"),
        pytest.param({"first": 101}, id="first-101"),
        pytest.param({"first": -1}, id="first-negative"),
        pytest.param({"last": -5}, id="last-negative"),
        pytest.param({"last": 1000}, id="last-above-100"),
        pytest.param({"first": 5, "last": 5}, id="first-and-last"),
        pytest.param({"first": 5, "after": "garbage"}, id="after-garbage"),
        pytest.param({"first": 5, "after": "!!!!"}, id="after-not-base64"),
        pytest.param({"first": 5, "after": "é-ü"}, id="after-non-ascii"),
        pytest.param({"first": 5, "after": _cursor(["only one value"])}, id="after-wrong-arity"),
        pytest.param({"first": 5, "after": _cursor({"name": "x"})}, id="after-not-a-list"),  # type: ignore[arg-type]
    ],
)
async def test_bad_page_arguments_are_bad_user_input_errors(
    gql: GQL, staff: str, variables: dict[str, Any]
) -> None:
    response = await gql.raw(PETS, variables, staff)
    assert response.status_code == 200
    error = only_error(response)
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["path"] == ["pets"]
    await assert_still_serving(gql, staff)


async def test_first_100_is_accepted_at_the_limit(gql: GQL, staff: str, world: World) -> None:
    data = await gql.data(PETS, {"first": 100}, staff)
    assert len(data["pets"]["edges"]) == len(world.a.pets)


@pytest.mark.parametrize(
    "values",
    [
        pytest.param(["Firulais", "not-a-uuid"], id="text-where-uuid"),
        pytest.param([1, 2], id="numbers"),
    ],
)
async def test_well_formed_cursor_with_values_of_the_wrong_type_is_a_bad_user_input_error(
    gql: GQL, staff: str, values: list[Any]
) -> None:
    response = await gql.raw(PETS, {"first": 5, "after": _cursor(values)}, staff)
    error = only_error(response)
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    await assert_still_serving(gql, staff)


async def test_cursor_from_another_ordering_is_a_bad_user_input_error(gql: GQL, staff: str) -> None:
    """A client that changes `orderBy` but keeps its name-ordered cursor gets told so, not a 500."""
    first_page = await gql.data(PETS, {"first": 2}, staff)
    name_cursor = first_page["pets"]["edges"][-1]["cursor"]
    response = await gql.raw(
        "query($after: String) { pets(first: 2, after: $after, orderBy: CREATED_AT_ASC) { edges { node { id } } } }",
        {"after": name_cursor},
        staff,
    )
    error = only_error(response)
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    await assert_still_serving(gql, staff)


async def test_bad_page_arguments_on_a_nested_connection_are_bad_user_input(gql: GQL, world: World,
                                                                             staff: str) -> None:
    pet_id = to_global_id("Pet", world.a.pets[0])
    response = await gql.raw(
        "query($id: ID!) { pet(id: $id) { name anesthesiaLogs(first: 100000) { totalCount } } }", {"id": pet_id},
        staff,
    )
    error = only_error(response)
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["path"] == ["pet", "anesthesiaLogs"]
    await assert_still_serving(gql, staff)


# --- search -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "search",
    [pytest.param("", id="empty"), pytest.param("   ", id="blank"), pytest.param("x" * 500, id="500-chars")],
)
async def test_unusable_search_is_a_bad_user_input_error(gql: GQL, staff: str, search: str) -> None:
    response = await gql.raw(
        "query($s: String) { pets(filter: {search: $s}) { edges { node { id } } } }", {"s": search}, staff
    )
    error = only_error(response)
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    await assert_still_serving(gql, staff)


async def test_search_with_like_metacharacters_is_literal(gql: GQL, staff: str) -> None:
    data = await gql.data(
        "query($s: String) { pets(filter: {search: $s}) { edges { node { id } } } }", {"s": "%_\\"}, staff
    )
    assert data["pets"]["edges"] == []


# --- operation limits -------------------------------------------------------------------------------------


def _deep_query(levels: int) -> str:
    """pets { edges { node { anesthesiaLogs { edges { node { pet { anesthesiaLogs ... at least `levels` deep."""
    opening = "pets(first: 1) { edges { node { "
    depth = 3
    while depth < levels:
        opening += "anesthesiaLogs(first: 1) { edges { node { pet { "
        depth += 4
    return "{ " + opening + "name" + " }" * (opening.count("{") + 1)


async def test_query_50_levels_deep_is_refused_with_no_data(gql: GQL, staff: str, sql) -> None:  # type: ignore[no-untyped-def]
    query = _deep_query(50)
    assert query.count("{") >= 50
    await assert_still_serving(gql, staff)  # the clinic check is cached: the refusal below runs no SQL
    sql.reset()
    response = await gql.raw(query, None, staff)
    error = only_error(response)
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED", error
    assert "depth" in error["message"].lower()
    assert str(MAX_DEPTH) in error["message"]
    assert response.json().get("data") is None
    assert sql.count == 0, sql.statements
    await assert_still_serving(gql, staff)


async def test_query_within_depth_limit_runs(gql: GQL, staff: str) -> None:
    data = await gql.data(_deep_query(MAX_DEPTH - 1), None, staff)
    assert data["pets"]["edges"]


async def test_too_many_aliases_are_refused_with_no_data(gql: GQL, staff: str) -> None:
    fields = " ".join(f"a{i}: subscriptionPlans {{ code }}" for i in range(MAX_ALIASES + 20))
    response = await gql.raw(f"{{ {fields} }}", None, staff)
    error = only_error(response)
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED", error
    assert "alias" in error["message"].lower()
    assert response.json().get("data") is None
    await assert_still_serving(gql, staff)


async def test_query_over_the_token_limit_is_refused_with_no_data(gql: GQL, staff: str) -> None:
    query = "{ subscriptionPlans { " + "code " * (MAX_TOKENS + 100) + "} }"
    response = await gql.raw(query, None, staff)
    error = only_error(response)
    assert error["extensions"]["code"] in PARSE_FAILED, error
    assert "token" in error["message"].lower()
    assert response.json().get("data") is None
    assert len(response.content) < 10_000  # the answer does not echo the huge document
    await assert_still_serving(gql, staff)


async def test_syntax_error_is_typed(gql: GQL, staff: str) -> None:
    response = await gql.raw("{ pets(first: ) { edges }", None, staff)
    error = only_error(response)
    assert error["extensions"]["code"] in PARSE_FAILED, error
    assert "Syntax Error" in error["message"]
    assert response.json().get("data") is None
    await assert_still_serving(gql, staff)


# --- tokens -----------------------------------------------------------------------------------------------


def _claims(world: World, **overrides: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "sub": str(world.a.vet),
        "tenant_id": world.a.tenant,
        "role": "vet",
        "exp": datetime.now(UTC) + timedelta(hours=1),
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _signed(claims: dict[str, Any], secret: str = TEST_SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, secret, algorithm=algorithm)


def _unsigned(claims: dict[str, Any]) -> str:
    """A token with `alg: none` and no signature."""
    header = {"alg": "none", "typ": "JWT"}
    enc = [base64.urlsafe_b64encode(orjson.dumps(part)).decode().rstrip("=")
           for part in (header, {**claims, "exp": int(claims["exp"].timestamp())})]
    return ".".join(enc) + "."


def _bad_tokens(world: World, token: Any) -> dict[str, str]:
    """Authorization header values that must all be refused with 401."""
    return {
        "expired": "Bearer " + token(world.a.vet, world.a.tenant, "vet", ttl=timedelta(seconds=-30)),
        "wrong-secret": "Bearer " + _signed(_claims(world), secret="another-secret-that-is-long-enough-for-hs256"),
        "alg-none": "Bearer " + _unsigned(_claims(world)),
        "basic-scheme": "Basic xyz",
        "bearer-without-token": "Bearer ",
        "not-a-jwt": "Bearer not.a.jwt",
        "superuser-role": "Bearer " + _signed(_claims(world, role="superuser")),
        "no-exp": "Bearer " + _signed({k: v for k, v in _claims(world).items() if k != "exp"}),
        "sub-not-uuid": "Bearer " + _signed(_claims(world, sub="root")),
        "clinic-role-without-tenant": "Bearer " + _signed(_claims(world, tenant_id=None)),
    }


BAD_TOKEN_CASES = [
    "expired", "wrong-secret", "alg-none", "basic-scheme", "bearer-without-token", "not-a-jwt",
    "superuser-role", "no-exp", "sub-not-uuid", "clinic-role-without-tenant",
]


@pytest.mark.parametrize("case", BAD_TOKEN_CASES)
async def test_untrusted_token_is_refused_with_401(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, gql: GQL, world: World, token, staff: str, case: str
) -> None:
    header = _bad_tokens(world, token)[case]
    response = await client.post(
        "/graphql", json={"query": "{ subscriptionPlans { code } }"}, headers={"Authorization": header}
    )
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    error = only_error(response)
    assert error["extensions"]["code"] == "UNAUTHENTICATED", error
    assert "data" not in response.json()  # refused, never run as anonymous
    secret_part = header.partition(" ")[2].strip()
    if secret_part:
        assert secret_part not in response.text
        assert all(secret_part not in value for value in response.headers.values())
    assert TEST_SECRET not in response.text
    await assert_still_serving(gql, staff)


async def test_expired_token_says_expired(client: httpx.AsyncClient, world: World, token) -> None:  # type: ignore[no-untyped-def]
    header = _bad_tokens(world, token)["expired"]
    response = await client.post("/graphql", json={"query": "{ viewer { role } }"}, headers={"Authorization": header})
    assert response.status_code == 401
    assert "expired" in response.json()["errors"][0]["message"].lower()


async def test_token_for_a_clinic_that_does_not_exist_is_403(  # type: ignore[no-untyped-def]
    gql: GQL, world: World, token, staff: str
) -> None:
    ghost = token(uuid.uuid4(), "clinic-that-does-not-exist", "admin")
    response = await gql.raw("{ viewer { role } }", None, ghost)
    assert response.status_code == 403, response.text
    error = only_error(response)
    assert error["extensions"]["code"] == "FORBIDDEN", error
    assert "data" not in response.json()
    assert ghost not in response.text
    await assert_still_serving(gql, staff)


async def test_good_token_is_accepted_so_the_refusals_above_mean_something(  # type: ignore[no-untyped-def]
    gql: GQL, world: World, token
) -> None:
    good = _signed(_claims(world))
    data = await gql.data("{ viewer { role } }", None, good)
    assert data == {"viewer": {"role": "VET"}}
    assert token(world.a.vet, world.a.tenant, "vet")  # the fixture signs with the same key
