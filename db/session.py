"""One transaction per request, under the caller's verified claims, as role vetql_app."""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

import asyncpg
import orjson
from sqlalchemy import TextClause
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

# set_config(..., true) is transaction-local: the next request on this pooled
# connection starts with neither the role nor the claims of this one.
_CLAIMS = "SELECT set_config('role', 'vetql_app', true), set_config('request.jwt.claims', $1, true)"
_BEGIN = {
    False: "BEGIN ISOLATION LEVEL READ COMMITTED",
    True: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
}


class Row(Protocol):
    """A result row: columns by name (asyncpg's Record)."""

    def __getitem__(self, key: str, /) -> Any: ...

    def get(self, key: str, default: Any = None, /) -> Any: ...

    def keys(self) -> Iterable[str]: ...

    def items(self) -> Iterable[tuple[str, Any]]: ...


class DbError(Exception):
    """A statement PostgreSQL refused: its SQLSTATE and, for a broken rule, the constraint's name.

    The message is PostgreSQL's, without the statement's parameters or the error's detail
    (which can quote the values written: clinical text stays out of logs).
    """

    def __init__(self, error: asyncpg.PostgresError) -> None:
        self.sqlstate: str | None = getattr(error, "sqlstate", None)
        self.constraint: str | None = getattr(error, "constraint_name", None)
        super().__init__(f"{self.sqlstate}: {getattr(error, 'message', type(error).__name__)}")


# A statement is SQL with :named parameters, as a string or as SQLAlchemy's text() of one (its
# `.text`). It is compiled once per distinct SQL string to asyncpg's $n form, whether it is a
# module-level constant or an f-string built per call, and run on the driver connection directly.
# The compiler finds parameters exactly as SQLAlchemy's text() does (":name", not "::cast" or
# "\\:escaped"; a name repeated is one parameter), without SQLAlchemy's per-statement machinery.
Statement = str | TextClause

_PARAMETER = re.compile(r"(?<![:\w\x5c]):(\w+)(?![:\w])", re.UNICODE)  # TextClause._bind_params_regex
_ESCAPED = re.compile(r"\x5c(:\w*)(?![:\w])", re.UNICODE)  # sqlalchemy.sql.compiler.BIND_PARAMS_ESC
STATEMENTS_KEPT = 4096  # distinct statements compiled at most once each, least recently used dropped


def _compile(sql: str) -> tuple[str, tuple[str, ...]]:
    """`sql` in asyncpg's form, and the parameter name each $n takes its value from."""
    numbers: dict[str, str] = {}

    def number(found: re.Match[str]) -> str:
        name = found.group(1)
        if name not in numbers:
            numbers[name] = f"${len(numbers) + 1}"
        return numbers[name]

    return _ESCAPED.sub(r"\1", _PARAMETER.sub(number, sql)), tuple(numbers)


@functools.lru_cache(maxsize=STATEMENTS_KEPT)
def driver_form(sql: str) -> tuple[str, tuple[str, ...]]:
    """`_compile(sql)`, once per distinct SQL string."""
    return _compile(sql)


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
        self._pooled: AsyncConnection | None = None  # the pool's handle, returned at the end
        self._conn: asyncpg.Connection | None = None  # the driver connection statements run on
        self._read_only = False
        self.statements = 0

    def read_only_snapshot(self) -> None:
        """Make the (not yet begun) transaction a read-only snapshot."""
        if self._conn is None:
            self._read_only = True

    async def _connection(self) -> asyncpg.Connection:
        if self._conn is None:
            pooled = await self._engine.connect()
            conn = None
            try:
                conn = (await pooled.get_raw_connection()).driver_connection
                assert isinstance(conn, asyncpg.Connection)
                await conn.execute(_BEGIN[self._read_only])
                await conn.execute(_CLAIMS, self._claims)
            except BaseException:
                await _release(pooled, conn)
                raise
            self._pooled, self._conn = pooled, conn
        return self._conn

    async def fetch(self, sql: Statement, params: Mapping[str, Any] | None = None) -> Sequence[Row]:
        query, names = driver_form(sql if isinstance(sql, str) else sql.text)
        values = params or {}
        async with self._lock:
            conn = await self._connection()
            self.statements += 1
            try:
                rows: list[Row] = await conn.fetch(query, *[values[name] for name in names])
            except asyncpg.PostgresError as exc:
                raise DbError(exc) from None
            return rows

    async def fetch_one(self, sql: Statement, params: Mapping[str, Any] | None = None) -> Row | None:
        rows = await self.fetch(sql, params)
        return rows[0] if rows else None

    async def commit(self) -> None:
        """Commit what the request wrote; later statements run in a new transaction."""
        await self._end("COMMIT")

    async def close(self) -> None:
        """End the request: roll back anything not committed and return the connection."""
        await self._end("ROLLBACK")

    async def _end(self, how: str) -> None:
        async with self._lock:
            pooled, conn = self._pooled, self._conn
            self._pooled = self._conn = None
            if pooled is None or conn is None:
                return
            try:
                await conn.execute(how)
            except asyncpg.PostgresError as exc:
                await _release(pooled, conn)
                raise DbError(exc) from None
            except BaseException:
                await _release(pooled, conn)
                raise
            await pooled.close()


async def _release(pooled: AsyncConnection, conn: asyncpg.Connection | None) -> None:
    """Give back a connection whose transaction may still be open: roll it back, or discard it."""
    try:
        if conn is not None and not conn.is_closed() and conn.is_in_transaction():
            await conn.execute("ROLLBACK")
    except BaseException:
        await pooled.invalidate()  # never hand a half-finished transaction to the next request
    finally:
        await pooled.close()
