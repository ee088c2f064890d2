"""One transaction per request, under the caller's verified claims, as role vetql_app."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from sqlalchemy import TextClause, text
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

# set_config(..., true) is transaction-local: the next request on this pooled
# connection starts with neither the role nor the claims of this one.
_BEGIN = text("SELECT set_config('role', 'vetql_app', true), set_config('request.jwt.claims', :claims, true)")


class RequestDb:
    """The request's single connection and transaction, opened on first use.

    graphql-core resolves sibling fields concurrently; the lock serializes
    their statements on the one connection so they share one transaction
    without stepping on each other.

    Writes run READ COMMITTED, so a row lock taken by a concurrent writer is
    waited for and then seen committed, never a serialization failure. Queries
    call `read_only_snapshot()` first: REPEATABLE READ, READ ONLY, so every
    statement of the query sees the same snapshot and none can write.
    """

    def __init__(self, engine: AsyncEngine, claims: Mapping[str, Any] | None) -> None:
        self._engine = engine
        self._claims = orjson.dumps(dict(claims or {})).decode()
        self._lock = asyncio.Lock()
        self._conn: AsyncConnection | None = None
        self._isolation = "READ COMMITTED"
        self._read_only = False
        self.statements = 0

    def read_only_snapshot(self) -> None:
        """Make the (not yet begun) transaction a read-only snapshot."""
        if self._conn is None:
            self._isolation, self._read_only = "REPEATABLE READ", True

    async def _connection(self) -> AsyncConnection:
        if self._conn is None:
            conn = await self._engine.connect()
            try:
                await conn.execution_options(isolation_level=self._isolation, postgresql_readonly=self._read_only)
                await conn.begin()
                await conn.execute(_BEGIN, {"claims": self._claims})
            except BaseException:
                await conn.close()
                raise
            self._conn = conn
        return self._conn

    async def fetch(self, sql: TextClause, params: Mapping[str, Any] | None = None) -> Sequence[RowMapping]:
        async with self._lock:
            conn = await self._connection()
            self.statements += 1
            result = await conn.execute(sql, dict(params or {}))
            return result.mappings().all() if result.returns_rows else []

    async def fetch_one(self, sql: TextClause, params: Mapping[str, Any] | None = None) -> RowMapping | None:
        rows = await self.fetch(sql, params)
        return rows[0] if rows else None

    async def commit(self) -> None:
        """Commit what the request wrote; later statements run in a new transaction."""
        async with self._lock:
            if self._conn is not None:
                conn, self._conn = self._conn, None
                try:
                    await conn.commit()
                finally:
                    await conn.close()

    async def close(self) -> None:
        """End the request: roll back anything not committed and return the connection."""
        async with self._lock:
            if self._conn is not None:
                conn, self._conn = self._conn, None
                try:
                    await conn.rollback()
                finally:
                    await conn.close()
