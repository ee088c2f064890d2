"""Trusted documents: a manifest loaded at start, documents sent by hash, and a mode that runs nothing else."""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.app import create_app
from server.settings import Settings
from server.trusted import TrustedDocuments
from tests.conftest import TEST_SECRET
from tests.world import World

Token = Callable[..., str]
PLANS = "query Plans { subscriptionPlans { code } }"
VIEWER = "query Me { viewer { role } }"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def apollo_manifest(tmp: Path) -> Path:
    path = tmp / "persisted-query-manifest.json"
    path.write_text(json.dumps({
        "format": "apollo-persisted-query-manifest", "version": 1,
        "operations": [{"id": sha(q), "name": n, "type": "query", "body": q} for n, q in (("Plans", PLANS),
                                                                                          ("Me", VIEWER))],
    }))
    return path


@contextlib.asynccontextmanager
async def app_with(database_url: str, tmp: Path, manifest: Path, only: bool) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(jwt_secret=TEST_SECRET, data_dir=tmp, env="development", usage_rollup_seconds=0,
                        trusted_documents=manifest, trusted_documents_only=only)
    app = create_app(settings, database_url)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://vetql.test") as http:
            yield http
    finally:
        await app.state.engine.dispose()


def codes(response: httpx.Response) -> list[str]:
    return [e["extensions"]["code"] for e in response.json().get("errors") or []]


@pytest.fixture
async def only(database_url: str, world: World, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with app_with(database_url, tmp_path, apollo_manifest(tmp_path), only=True) as http:
        yield http


@pytest.mark.parametrize("how", ["documentId", "sha256:documentId", "apollo", "GET"])
async def test_a_document_sent_by_its_hash_runs(only: httpx.AsyncClient, world: World, token: Token,
                                               how: str) -> None:
    headers = {"Authorization": f"Bearer {token(world.a.vet, world.a.tenant, 'vet')}"}
    body: dict[str, Any] = {
        "documentId": {"documentId": sha(VIEWER)},
        "sha256:documentId": {"documentId": f"sha256:{sha(VIEWER)}"},
        "apollo": {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha(VIEWER)}}},
    }.get(how, {})
    if how == "GET":
        response = await only.get("/graphql", params={"documentId": sha(VIEWER)},
                                  headers={**headers, "Accept": "application/json"})
    else:
        response = await only.post("/graphql", json=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"viewer": {"role": "VET"}}}


async def test_an_unknown_hash_is_refused(only: httpx.AsyncClient) -> None:
    response = await only.post("/graphql", json={"documentId": sha("{ __typename }")})
    assert response.status_code == 400 and codes(response) == ["PERSISTED_QUERY_NOT_FOUND"]


async def test_only_trusted_documents_run(only: httpx.AsyncClient) -> None:
    response = await only.post("/graphql", json={"query": "{ subscriptionPlans { code name } }"})
    assert response.status_code == 400 and codes(response) == ["PERSISTED_QUERY_REQUIRED"]
    # the text of a trusted document is fine too
    assert (await only.post("/graphql", json={"query": PLANS})).json()["data"]["subscriptionPlans"]


async def test_without_only_any_document_runs(database_url: str, world: World, tmp_path: Path) -> None:
    async with app_with(database_url, tmp_path, apollo_manifest(tmp_path), only=False) as http:
        assert (await http.post("/graphql", json={"query": "{ __typename }"})).json() == {
            "data": {"__typename": "Query"}}
        assert (await http.post("/graphql", json={"documentId": sha(PLANS)})).json()["data"]["subscriptionPlans"]


def test_both_manifest_formats_load(tmp_path: Path) -> None:
    codegen = tmp_path / "persisted-documents.json"
    codegen.write_text(json.dumps({sha(PLANS): PLANS}))
    assert TrustedDocuments.load(codegen, only=True).documents == {sha(PLANS): PLANS}
    assert set(TrustedDocuments.load(apollo_manifest(tmp_path), only=True).documents) == {sha(PLANS), sha(VIEWER)}
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    with pytest.raises(ValueError, match="neither"):
        TrustedDocuments.load(bad, only=True)
