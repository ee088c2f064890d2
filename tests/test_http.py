"""The HTTP surface: GraphQL over GET and POST, media types, health, readiness, metrics, the exported schema."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from alembic import command
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
    specified_scalar_types,
)
from prometheus_client.parser import text_string_to_metric_families

import db.migrate
from db import urls
from graph.schema import schema
from server.app import GRAPHQL_RESPONSE, create_app
from server.settings import Settings
from tests.conftest import GQL, fresh_database
from tests.world import World

REPO = Path(__file__).resolve().parent.parent
PARTIAL_REVISION = "0003_seed_schema_gaps"


@pytest.fixture
def staff(world: World, token) -> str:  # type: ignore[no-untyped-def]
    return str(token(world.a.vet, world.a.tenant, "vet"))


# --- GraphQL over GET -------------------------------------------------------------------------------------


async def test_get_graphql_from_a_browser_serves_graphiql(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html,application/xhtml+xml"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()
    assert "<html" in response.text.lower()


async def test_query_over_get_is_executed(client: httpx.AsyncClient, sql) -> None:  # type: ignore[no-untyped-def]
    response = await client.get(
        "/graphql", params={"query": "{subscriptionPlans{code}}"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body.get("errors") is None, body
    codes = [p["code"] for p in body["data"]["subscriptionPlans"]]
    assert codes, "the migrations seed the public plans"
    assert sql.count > 0  # it really ran against the database


async def test_get_with_variables_and_operation_name(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/graphql",
        params={
            "query": "query A { subscriptionPlans { code } } query B { __typename }",
            "operationName": "B",
            "variables": "{}",
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"] == {"__typename": "Query"}


async def test_mutation_over_get_is_refused_and_runs_nothing(client: httpx.AsyncClient, sql) -> None:  # type: ignore[no-untyped-def]
    response = await client.get(
        "/graphql", params={"query": "mutation{__typename}"}, headers={"Accept": "application/json"}
    )
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert "mutation" in response.text.lower()
    assert '"data"' not in response.text
    assert sql.count == 0, sql.statements  # nothing executed, so nothing could be written


async def test_mutation_over_post_without_a_token_is_forbidden_and_writes_nothing(gql: GQL, sql) -> None:  # type: ignore[no-untyped-def]
    response = await gql.raw(
        'mutation { recordVitals(input: {anesthesiaLogId: "x", vitals: [{heartRate: 80}]}) { duplicates } }'
    )
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", body
    assert body.get("data") is None
    assert not any(s.lstrip().upper().startswith(("INSERT", "UPDATE")) for s in sql.statements)


# --- POST bodies and media types --------------------------------------------------------------------------


async def test_batched_json_array_is_rejected(client: httpx.AsyncClient, sql) -> None:  # type: ignore[no-untyped-def]
    response = await client.post(
        "/graphql",
        json=[{"query": "{ subscriptionPlans { code } }"}, {"query": "{ __typename }"}],
    )
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert "batch" in response.text.lower()
    assert sql.count == 0, sql.statements


async def test_body_that_is_not_json_is_a_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", content=b"{ subscriptionPlans { code } }", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert "Traceback" not in response.text


async def test_graphql_response_media_type_is_honoured(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql",
        json={"query": "{ subscriptionPlans { code } }"},
        headers={"Accept": GRAPHQL_RESPONSE},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert response.json()["data"]["subscriptionPlans"]


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("{ subscriptionPlans { code }", id="syntax-error"),
        pytest.param("{ subscriptionPlans { noSuchField } }", id="validation-error"),
    ],
)
async def test_graphql_response_media_type_gives_400_for_a_document_that_never_ran(
    client: httpx.AsyncClient, query: str
) -> None:
    response = await client.post("/graphql", json={"query": query}, headers={"Accept": GRAPHQL_RESPONSE})
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    body = response.json()
    assert body["errors"][0]["extensions"]["code"], body
    assert body.get("data") is None


async def test_graphql_response_media_type_keeps_200_once_execution_started(
    client: httpx.AsyncClient, staff: str
) -> None:
    """GraphQL over HTTP: a response with a `data` entry (even null, from a field error) is a 2xx."""
    response = await client.post(
        "/graphql",
        json={"query": "{ pets(first: 100000) { totalCount } }"},
        headers={"Accept": GRAPHQL_RESPONSE, "Authorization": f"Bearer {staff}"},
    )
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body
    assert "data" in body and body["data"] is None
    assert response.status_code == 200, response.text


async def test_plain_json_gives_200_with_errors_for_a_syntax_error(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ subscriptionPlans { code }"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["errors"][0]["message"].startswith("Syntax Error")
    assert body["errors"][0]["extensions"]["code"], body
    assert body.get("data") is None


# --- health and readiness ---------------------------------------------------------------------------------


async def test_healthz_is_200(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_is_200_with_migrations_at_head(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ready"
    assert body["migrations"]["current"] == db.migrate.head_revision()


@pytest.fixture(scope="module")
def partially_migrated_url(server_url: str) -> Iterator[str]:
    """A database migrated only up to PARTIAL_REVISION, dropped afterwards."""
    url = fresh_database(server_url, "vetql_ready")
    command.upgrade(db.migrate.alembic_config(url), PARTIAL_REVISION)
    yield url
    name = url.rsplit("/", 1)[1].split("?", 1)[0]

    async def drop() -> None:
        conn = await asyncpg.connect(urls.with_database(server_url, "postgres"))
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(drop())


@pytest.fixture
async def second_app(settings: Settings, partially_migrated_url: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, partially_migrated_url)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://behind.test") as http:
            yield http
    finally:
        await app.state.engine.dispose()


async def test_readyz_is_503_when_the_database_is_behind(second_app: httpx.AsyncClient) -> None:
    response = await second_app.get("/readyz")
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["migrations"] == {"current": PARTIAL_REVISION, "head": db.migrate.head_revision()}
    health = await second_app.get("/healthz")
    assert health.status_code == 200  # alive, just not ready


async def test_readyz_is_503_when_the_database_is_unreachable(settings: Settings, server_url: str) -> None:
    app = create_app(settings, urls.with_database(server_url, f"vetql_missing_{os.getpid()}"))
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://down.test") as http:
            response = await http.get("/readyz")
    finally:
        await app.state.engine.dispose()
    assert response.status_code == 503, response.text
    assert response.json()["status"] == "unavailable"
    assert "asyncpg" not in response.text
    assert "vetql_missing" not in response.text


# --- metrics ----------------------------------------------------------------------------------------------


async def metric_sample(client: httpx.AsyncClient, metric: str, labels: dict[str, str]) -> float:
    """The value of one sample on /metrics; 0 when it is not there yet."""
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            if sample.name == metric and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return 0.0


async def test_metrics_count_operations_by_name(gql: GQL, client: httpx.AsyncClient) -> None:
    labels = {"operation": "MetricsPlans", "type": "query", "outcome": "ok"}
    before = await metric_sample(client, "vetql_graphql_operations_total", labels)
    await gql.data("query MetricsPlans { subscriptionPlans { code } }")
    await gql.data("query MetricsPlans { subscriptionPlans { code } }")
    after = await metric_sample(client, "vetql_graphql_operations_total", labels)
    assert after - before == 2
    text = (await client.get("/metrics")).text
    assert 'vetql_graphql_operations_total{operation="MetricsPlans",outcome="ok",type="query"}' in text


async def test_metrics_label_operations_by_outcome(gql: GQL, client: httpx.AsyncClient, staff: str) -> None:
    labels = {"operation": "MetricsOutcome", "type": "query", "outcome": "error"}
    before = await metric_sample(client, "vetql_graphql_operations_total", labels)
    body = await gql("query MetricsOutcome { pets(first: 100000) { totalCount } }", token=staff)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert await metric_sample(client, "vetql_graphql_operations_total", labels) - before == 1
    ok = {**labels, "outcome": "ok"}
    assert await metric_sample(client, "vetql_graphql_operations_total", ok) == 0


async def test_metrics_count_errors_by_operation_and_code(
    gql: GQL, client: httpx.AsyncClient, staff: str
) -> None:
    labels = {"operation": "MetricsBadPage", "code": "BAD_USER_INPUT"}
    before = await metric_sample(client, "vetql_graphql_errors_total", labels)
    body = await gql("query MetricsBadPage { pets(first: 100000) { totalCount } }", token=staff)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    after = await metric_sample(client, "vetql_graphql_errors_total", labels)
    assert after - before == 1


async def test_metrics_count_a_validation_error(gql: GQL, client: httpx.AsyncClient) -> None:
    labels = {"operation": "MetricsInvalid", "code": "GRAPHQL_VALIDATION_FAILED"}
    before = await metric_sample(client, "vetql_graphql_errors_total", labels)
    await gql("query MetricsInvalid { noSuchField }")
    after = await metric_sample(client, "vetql_graphql_errors_total", labels)
    assert after - before == 1


async def test_metrics_count_a_document_that_does_not_parse(gql: GQL, client: httpx.AsyncClient) -> None:
    async def parse_errors() -> float:
        total = 0.0
        for code in ("GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED"):
            total += await metric_sample(client, "vetql_graphql_errors_total", {"operation": "anonymous", "code": code})
        return total

    before = await parse_errors()
    await gql("query MetricsSyntax { subscriptionPlans { code }")
    after = await parse_errors()
    assert after - before == 1


async def test_metrics_count_http_requests_by_route_and_status(client: httpx.AsyncClient) -> None:
    labels = {"route": "/healthz", "status": "200"}
    before = await metric_sample(client, "vetql_http_requests_total", labels)
    await client.get("/healthz")
    assert await metric_sample(client, "vetql_http_requests_total", labels) - before == 1


# --- the exported schema ----------------------------------------------------------------------------------


def test_schema_graphql_matches_the_code() -> None:
    exported = (REPO / "schema.graphql").read_text()
    assert exported == schema.as_str() + "\n", (
        "schema.graphql is out of date: run `.venv/bin/vetql schema > schema.graphql` and commit it"
    )


def _missing_descriptions() -> list[str]:
    missing: list[str] = []
    for name, named in schema._schema.type_map.items():
        if name.startswith("__") or name in specified_scalar_types:
            continue
        if not named.description:
            missing.append(f"type {name}")
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in named.fields.items():
                if not field.description:
                    missing.append(f"field {name}.{field_name}")
                for arg_name, arg in field.args.items():
                    if not arg.description:
                        missing.append(f"argument {name}.{field_name}({arg_name})")
        elif isinstance(named, GraphQLInputObjectType):
            for field_name, input_field in named.fields.items():
                if not input_field.description:
                    missing.append(f"input field {name}.{field_name}")
        else:
            assert isinstance(named, GraphQLEnumType | GraphQLScalarType | GraphQLUnionType), named
    return missing


def test_every_type_field_and_argument_has_a_description() -> None:
    missing = _missing_descriptions()
    assert not missing, "add a description to:\n  " + "\n  ".join(missing)


def test_the_description_check_sees_the_whole_schema() -> None:
    type_map: dict[str, Any] = schema._schema.type_map
    assert {"Query", "Pet", "PetFilter", "Node", "PetOrder", "DateTime"} <= set(type_map)
    assert "first" in type_map["Query"].fields["pets"].args
