"""Checks before the timed runs, in-process: SQL statements per request, and that the floor returns VetQL's data.

The statement count is taken from the driver's side: a SQLAlchemy
`before_cursor_execute` hook on the app's engine (as tests/conftest.py does)
counts every statement VetQL sends for one overview request, including the
transaction's set_config.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
import orjson
from sqlalchemy import event

from bench.floor import fetch_overview
from bench.query import OVERVIEW, PAGE, pets_in
from vetql.app import create_app
from vetql.auth import Claims
from vetql.settings import Settings


@dataclass
class Structure:
    statements_5: int
    statements_50: int
    statement_texts_50: list[str] = field(default_factory=list)
    floor_matches: bool = False
    floor_difference: str | None = None
    response_bytes: int = 0
    response: bytes = field(default=b"", repr=False)  # VetQL's overview body (first: PAGE), for other targets' checks

    @property
    def constant(self) -> bool:
        return self.statements_5 == self.statements_50


class _Counter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements.append(statement)


def _first_difference(a: Any, b: Any, path: str = "$") -> str | None:
    """Where two JSON documents differ (numbers compare by value: 98 == 98.0), or None."""
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b):
            return f"{path}: keys {list(a)} != {list(b)}"
        for key in a:
            found = _first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = _first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        return None
    if isinstance(a, bool) or isinstance(b, bool) or not isinstance(a, int | float) or not isinstance(b, int | float):
        return None if a == b and type(a) is type(b) else f"{path}: {a!r} != {b!r}"
    return None if a == b else f"{path}: {a!r} != {b!r}"


async def check(url: str, settings: Settings, token: str, claims: Claims) -> Structure:
    app = create_app(settings, url)
    counter = _Counter()
    event.listen(app.state.engine.sync_engine, "before_cursor_execute", counter)
    headers = {"Authorization": f"Bearer {token}"}
    bodies: dict[int, bytes] = {}
    counts: dict[int, list[str]] = {}
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://vetql.bench") as client:
            for first in (PAGE, 5, PAGE):  # the first request warms caches (the clinic check, prepared statements)
                counter.statements.clear()
                response = await client.post(
                    "/graphql", json={"query": OVERVIEW, "variables": {"first": first}}, headers=headers
                )
                document = response.json()
                if response.status_code != 200 or document.get("errors"):
                    raise SystemExit(
                        f"bench: the overview failed in-process: {response.status_code} {response.text[:500]}"
                    )
                if len(pets_in(document)) != first:
                    raise SystemExit(f"bench: the overview returned {len(pets_in(document))} pets, not {first}")
                counts[first] = list(counter.statements)
                bodies[first] = response.content
    finally:
        await app.state.engine.dispose()

    structure = Structure(len(counts[5]), len(counts[PAGE]), counts[PAGE], response_bytes=len(bodies[PAGE]),
                          response=bodies[PAGE])
    conn = await asyncpg.connect(url)
    try:
        assert claims.tenant_id is not None
        floor = await fetch_overview(conn, orjson.dumps(claims.as_json_claims()).decode(), claims.tenant_id, PAGE)
    finally:
        await conn.close()
    structure.floor_difference = _first_difference(orjson.loads(bodies[PAGE]), orjson.loads(floor))
    structure.floor_matches = structure.floor_difference is None
    return structure
