"""Malformed requests get HTTP 4xx with a GraphQL error body (`errors[].extensions.code`), never a 500."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import StatementCounter

JSON = {"Content-Type": "application/json"}

BODIES: list[tuple[str, bytes, dict[str, str]]] = [
    ("a JSON string", b'"text"', JSON),
    ("a JSON number", b"42", JSON),
    ("JSON null", b"null", JSON),
    ("JSON true", b"true", JSON),
    ("not JSON", b"{", JSON),
    ("empty body", b"", JSON),
    ("invalid UTF-8", b'{"query": "\xff\xfe"}', JSON),
    ("nested 100,000 deep", b"[" * 100_000 + b"]" * 100_000, JSON),
    ("variables nested 100,000 deep", b'{"query": "{ __typename }", "variables": {"a": ' + b"[" * 100_000
     + b"]" * 100_000 + b"}}", JSON),
    ("an empty batch", b"[]", JSON),
    ("a batch", b'[{"query": "{ __typename }"}, {"query": "{ __typename }"}]', JSON),
    ("no query", b"{}", JSON),
    ("query is a number", b'{"query": 42}', JSON),
    ("query is an object", b'{"query": {"a": 1}}', JSON),
    ("variables is a string", b'{"query": "{ __typename }", "variables": "x"}', JSON),
    ("variables is a list", b'{"query": "{ __typename }", "variables": [1]}', JSON),
    ("extensions is a list", b'{"query": "{ __typename }", "extensions": []}', JSON),
    ("operationName is a number", b'{"query": "{ __typename }", "operationName": 42}', JSON),
    ("operationName is an object", b'{"query": "query A { __typename }", "operationName": {"x": 1}}', JSON),
    ("text/plain", b'{"query": "{ __typename }"}', {"Content-Type": "text/plain"}),
    ("no content type", b'{"query": "{ __typename }"}', {}),
    ("form data", b"query=%7B__typename%7D", {"Content-Type": "application/x-www-form-urlencoded"}),
    ("multipart (uploads are off)", b"--x\r\n\r\n--x--", {"Content-Type": "multipart/form-data; boundary=x"}),
    ("bad Content-Length", b'{"query": "{ __typename }"}', {**JSON, "Content-Length": "abc"}),
]


def assert_graphql_error(response: httpx.Response, statuses: tuple[int, ...] = (400,)) -> dict[str, Any]:
    assert response.status_code in statuses, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body: dict[str, Any] = response.json()
    assert body.get("data") is None, body
    assert body["errors"] and all(e["message"] and e["extensions"]["code"] for e in body["errors"]), body
    assert all(e["extensions"]["code"] != "INTERNAL_SERVER_ERROR" for e in body["errors"]), body
    return body


@pytest.mark.parametrize(("case", "body", "headers"), BODIES, ids=[b[0] for b in BODIES])
async def test_malformed_post_is_400_with_a_graphql_error(
    client: httpx.AsyncClient, sql: StatementCounter, case: str, body: bytes, headers: dict[str, str]
) -> None:
    response = await client.post("/graphql", content=body, headers=headers)
    assert_graphql_error(response, (400, 415) if "type" in case else (400,))
    assert sql.count == 0, sql.statements


GETS = [
    ("no query", ""),
    ("variables not JSON", "?query=%7B__typename%7D&variables=%7B"),
    ("variables a number", "?query=%7B__typename%7D&variables=42"),
    ("extensions not JSON", "?query=%7B__typename%7D&extensions=nope"),
    ("a mutation over GET", "?query=mutation%20%7B__typename%7D"),
    ("variables nested deep", "?query=%7B__typename%7D&variables=" + "%5B" * 5_000 + "%5D" * 5_000),
]


@pytest.mark.parametrize(("case", "query"), GETS, ids=[g[0] for g in GETS])
async def test_malformed_get_is_4xx_with_a_graphql_error(
    client: httpx.AsyncClient, sql: StatementCounter, case: str, query: str
) -> None:
    response = await client.get(f"/graphql{query}", headers={"Accept": "application/json"})
    assert_graphql_error(response, (400, 405))
    assert sql.count == 0, sql.statements


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
async def test_other_methods_are_405_with_a_graphql_error(client: httpx.AsyncClient, method: str) -> None:
    response = await client.request(method, "/graphql", content=b'{"query": "{ __typename }"}', headers=JSON)
    body = assert_graphql_error(response, (405,))
    assert body["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


async def test_a_well_formed_request_still_works(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ __typename }"})
    assert response.status_code == 200 and response.json() == {"data": {"__typename": "Query"}}
