"""VETQL_ENV=production: no GraphiQL, introspection for staff only, no name suggestions, no dev tokens."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from server import cli
from server.app import create_app
from server.settings import Settings
from tests.conftest import GQL, TEST_SECRET
from tests.world import World

Token = Callable[..., str]
INTROSPECT = "{ __schema { queryType { name } } }"
TYPE = '{ __type(name: "Pet") { name } }'


@pytest.fixture(scope="module")
async def prod(database_url: str, world: World, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[GQL]:
    settings = Settings(jwt_secret=TEST_SECRET, data_dir=tmp_path_factory.mktemp("prod"), env="production")
    app = create_app(settings, database_url)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://vetql.test") as http:
        yield GQL(http)
    await app.state.engine.dispose()


def test_production_is_the_default_for_a_database_on_another_machine() -> None:
    assert Settings(database_url="postgresql://vetql@db.internal:5432/vetql", env=None).production
    for local in ("postgresql://u@localhost/v", "postgresql://u@127.0.0.1:5433/v", "postgresql:///v?host=/tmp"):
        assert not Settings(database_url=local, env=None).production, local
    assert not Settings(database_url=None, env=None).production  # embedded PostgreSQL: `make run`
    assert not Settings(database_url="postgresql://db.internal/v", env="development").production
    assert Settings(database_url=None, env="production").production
    assert not Settings(env="production").graphiql_enabled
    assert Settings(env="production", graphiql=True).graphiql_enabled


async def test_graphiql_is_not_served(prod: GQL, client: httpx.AsyncClient) -> None:
    browser = {"Accept": "text/html"}
    assert "graphiql" in (await client.get("/graphql", headers=browser)).text.lower()  # development
    response = await prod.http.get("/graphql", headers=browser)
    assert response.status_code == 404, response.text
    assert "graphiql" not in response.text.lower()


@pytest.mark.parametrize("query", [INTROSPECT, TYPE])
async def test_introspection_only_for_staff(prod: GQL, world: World, token: Token, query: str) -> None:
    for who in (None, token(world.a.owners[0], world.a.tenant, "owner")):
        body = await prod(query, token=who)
        assert body.get("data") is None, body
        assert {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"}, body
    for who in (token(world.a.vet, world.a.tenant, "vet"), token(world.platform_user, None, "platform")):
        assert (await prod.data(query, token=who)) is not None
    # __typename is not introspection
    assert await prod.data("{ __typename }") == {"__typename": "Query"}


async def test_introspection_stays_open_in_development(gql: GQL) -> None:
    assert (await gql.data(INTROSPECT))["__schema"]["queryType"]["name"] == "Query"


@pytest.mark.parametrize(
    "query",
    [
        "{ pets(first: 1) { nodes { microchipID } } }",  # a field
        "{ pets(frist: 1) { totalCount } }",  # an argument
        "{ pets(first: 1, filter: {specie: [DOG]}) { totalCount } }",  # an input field
        "{ pets(first: 1, filter: {species: [DOGG]}) { totalCount } }",  # an enum value
        "query($f: PetFiltr) { pets(first: 1, filter: $f) { totalCount } }",  # a type
    ],
)
async def test_no_name_suggestions(prod: GQL, gql: GQL, world: World, token: Token, query: str) -> None:
    staff = token(world.a.vet, world.a.tenant, "vet")
    dev = await gql(query, token=staff)
    assert any("Did you mean" in e["message"] for e in dev["errors"]), dev  # development suggests
    body = await prod(query, token=staff)
    assert body.get("errors"), body
    assert len(body["errors"]) == len(dev["errors"])
    for error in body["errors"]:
        assert "did you mean" not in error["message"].lower(), error
        assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_dev_tokens_are_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("VETQL_JWT_SECRET", TEST_SECRET)
    monkeypatch.setenv("VETQL_DATA_DIR", str(tmp_path))
    args = ["token", "--sub", "7a1c9e0e-5b7d-4e43-9d2a-3c0f6f1d2b10", "--tenant", "clinic-a", "--role", "admin"]
    monkeypatch.setenv("VETQL_ENV", "production")
    assert cli.main(args) == 2
    captured = capsys.readouterr()
    assert "refused in production" in captured.err and captured.out == ""
    monkeypatch.setenv("VETQL_ENV", "development")
    assert cli.main(args) == 0
    assert capsys.readouterr().out.count(".") == 2  # a JWT


OVERVIEW = """query Overview { pets(first: 3) { totalCount edges { node { name owner { fullName }
  alerts { alertType } anesthesiaLogs(first: 1) { edges { node { vitals(last: 2) { edges { node { heartRate } } } } } }
} } } }"""


async def test_queries_answer_as_in_development(prod: GQL, gql: GQL, world: World, token: Token) -> None:
    staff = token(world.a.vet, world.a.tenant, "vet")
    expected = await gql.data(OVERVIEW, token=staff)
    assert expected["pets"]["totalCount"] > 0
    assert await prod.data(OVERVIEW, token=staff) == expected
