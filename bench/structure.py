"""Checks before the timed runs, in-process: SQL statements per request, and that the floor returns VetQL's data.

For each query of the run (bench/query.py); the overview and the wide overview also
with first: 5, so the count shows whether it grows with the page (N+1).

The statement count is taken from the driver's side: an asyncpg query logger on
every connection of the app's engine (db/engine.py `watch_statements`, as
tests/conftest.py uses it) counts every statement VetQL sends for one overview
request, including the transaction's set_config, but not BEGIN and COMMIT.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
import orjson

from bench.floor import fetch
from bench.query import OPERATIONS, PAGE, PATHS, Params, body, count_at, variables
from db.engine import watch_statements
from server.app import create_app
from server.auth import Claims
from server.settings import Settings


@dataclass
class QueryCheck:
    """One query through VetQL in-process: its statements per request and the floor's answer against VetQL's."""

    name: str
    statements: int  # per request, for the page the runs ask for (overview: first: PAGE)
    statement_texts: list[str] = field(default_factory=list)
    statements_5: int | None = None  # overview and wide only: the same request with first: 5
    floor_matches: bool = False
    floor_difference: str | None = None
    response_bytes: int = 0
    items: int = 0  # at the query's path (bench/query.py PATHS)
    response: bytes = field(default=b"", repr=False)  # VetQL's body, for other targets' checks

    @property
    def constant(self) -> bool:
        """The same number of statements for 5 and 50 pets (no N+1); True for queries without that check."""
        return self.statements_5 is None or self.statements_5 == self.statements


PAGED_PETS = ("overview", "wide")  # queries of a page of pets: also asked with first: 5


class _Counter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, statement: str) -> None:
        self.statements.append(statement)


def first_difference(a: Any, b: Any, path: str = "$") -> str | None:
    """Where two JSON documents differ (numbers compare by value: 98 == 98.0), or None."""
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b):
            return f"{path}: keys {list(a)} != {list(b)}"
        for key in a:
            found = first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        return None
    if isinstance(a, bool) or isinstance(b, bool) or not isinstance(a, int | float) or not isinstance(b, int | float):
        return None if a == b and type(a) is type(b) else f"{path}: {a!r} != {b!r}"
    return None if a == b else f"{path}: {a!r} != {b!r}"


async def check(url: str, settings: Settings, token: str, claims: Claims, params: Params,
                queries: tuple[str, ...]) -> dict[str, QueryCheck]:
    app = create_app(settings, url)
    counter = _Counter()
    watch_statements(app.state.engine, counter)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    found: dict[str, QueryCheck] = {}
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://vetql.bench") as client:

            async def ask(name: str, first: int = PAGE) -> tuple[bytes, list[str]]:
                counter.statements.clear()
                response = await client.post("/graphql", content=body(name, params, first), headers=headers)
                document = response.json()
                if response.status_code != 200 or document.get("errors"):
                    raise SystemExit(f"bench: {name} failed in-process: {response.status_code} {response.text[:500]}")
                return response.content, list(counter.statements)

            for name in queries:
                await ask(name)  # warms caches (the clinic check, prepared and compiled statements)
                content, statements = await ask(name)
                checked = QueryCheck(name, len(statements), statements, response_bytes=len(content),
                                     items=count_at(orjson.loads(content), PATHS[name]), response=content)
                if name in PAGED_PETS:
                    if checked.items != PAGE:
                        raise SystemExit(f"bench: {name} returned {checked.items} pets, not {PAGE}")
                    content_5, statements_5 = await ask(name, 5)
                    if count_at(orjson.loads(content_5), PATHS[name]) != 5:
                        raise SystemExit(f"bench: {name} with first: 5 did not return 5 pets")
                    checked.statements_5 = len(statements_5)
                elif checked.items == 0:
                    raise SystemExit(f"bench: {name} returned nothing ({params})")
                found[name] = checked
    finally:
        await app.state.engine.dispose()

    conn = await asyncpg.connect(url)
    try:
        assert claims.tenant_id is not None
        claims_json = orjson.dumps(claims.as_json_claims()).decode()
        for name, checked in found.items():
            floor = await fetch(conn, claims_json, claims.tenant_id, OPERATIONS[name], variables(name, params))
            checked.floor_difference = first_difference(orjson.loads(checked.response), orjson.loads(floor))
            checked.floor_matches = checked.floor_difference is None
    finally:
        await conn.close()
    return found
