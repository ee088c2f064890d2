"""One transaction per request, under the caller's verified claims, as role vetql_app."""

from __future__ import annotations

import asyncio
import functools
import re
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

import asyncpg
import orjson
import sqlalchemy.exc
from sqlalchemy import TextClause
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db import events, raised

# The role by set_config(), which Citus does not send on to the workers, and in another
# message than any SET LOCAL (Citus sends on the whole query string a SET LOCAL came in). A
# propagated role would make every statement on the workers vetql_app's, a SECURITY DEFINER
# function's too (accepting an invitation, searching owners, registering a device), which
# the policies then refuse. Unpropagated, Citus opens each worker connection as the current
# user: vetql_app for the request, the function's owner inside the function.
REQUEST_ROLE = "SELECT set_config('role', 'vetql_app', true)"


# SET LOCAL lasts until the transaction ends: the next request on this pooled connection
# starts with neither the role, the claims nor the timeouts of this one. The claims by SET
# LOCAL (not set_config()) because Citus, with citus.propagate_set_commands = 'local', sends
# SET LOCAL to the workers a transaction uses, so their policies see the same claims; one
# way on every server. Timeouts are set here, not only by ALTER ROLE (migration 0013): role
# settings apply to sessions that log in as the role, not to SET ROLE.
def _claims_script(claims_json: str, claims: Mapping[str, Any], timeouts: tuple[str, str, str]) -> str:
    """One simple-query message: SET cannot take parameters, so the claims are a quoted literal."""
    statement_ms, lock_ms, idle_ms = timeouts
    return (
        f"{_claims_statements(claims_json, claims)};"
        f" SET LOCAL statement_timeout = {int(statement_ms)}; SET LOCAL lock_timeout = {int(lock_ms)};"
        f" SET LOCAL idle_in_transaction_session_timeout = {int(idle_ms)}"
    )


_EACH_CLAIM = ("tenant_id", "role", "sub")


def set_claims(claims_json: str) -> str:
    """The statements that set a transaction's claims as requests do (for tests and tools).

    The claims as JSON in `request.jwt.claims`, and the three the policies read each in
    `request.jwt.claim.<name>` too (PostgREST's older convention): a policy evaluated on every
    row of a scan then reads a setting instead of parsing the JSON again (migration 0024's
    helpers; Citus refuses the sub-select that used to evaluate them once per statement).
    """
    try:
        claims = orjson.loads(claims_json) if claims_json else {}
    except orjson.JSONDecodeError:
        claims = {}
    return _claims_statements(claims_json, claims if isinstance(claims, dict) else {})


def _claims_statements(claims_json: str, claims: Mapping[str, Any]) -> str:
    """set_claims() for claims the caller holds as a mapping too (a request: no JSON parsed again)."""
    each = "; ".join(
        f"SET LOCAL request.jwt.claim.{name} = {_literal(str(claims.get(name) or ''))}" for name in _EACH_CLAIM
    )
    return f"SET LOCAL request.jwt.claims = {_literal(claims_json)}; {each}"


def _literal(value: str) -> str:
    """`value` as an E'' string: the same whatever standard_conforming_strings says."""
    return "E'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


_BEGIN = {
    False: f"BEGIN ISOLATION LEVEL READ COMMITTED; {REQUEST_ROLE}",
    True: f"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; {REQUEST_ROLE}",
}


class Row(Protocol):
    """A result row: columns by name (asyncpg's Record)."""

    def __getitem__(self, key: str, /) -> Any: ...

    def get(self, key: str, default: Any = None, /) -> Any: ...

    def keys(self) -> Iterable[str]: ...

    def items(self) -> Iterable[tuple[str, Any]]: ...


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Per-transaction limits of request SQL, in milliseconds (0: none), as PostgreSQL takes them."""

    statement_ms: int = 10_000
    lock_ms: int = 2_000
    idle_in_transaction_ms: int = 15_000

    def values(self) -> tuple[str, str, str]:
        return str(self.statement_ms), str(self.lock_ms), str(self.idle_in_transaction_ms)


_DEFAULT = Timeouts()
_TIMEOUTS: weakref.WeakKeyDictionary[AsyncEngine, Timeouts] = weakref.WeakKeyDictionary()


def configure_timeouts(engine: AsyncEngine, timeouts: Timeouts) -> None:
    """The limits every RequestDb on this engine sets in its transactions."""
    _TIMEOUTS[engine] = timeouts


# SQLSTATEs that say "try again": the statement ran out of time, or the server is
# unreachable, shutting down, starting up or out of resources.
_TIMEOUT_STATES = frozenset({"57014", "55P03", "25P03"})  # statement, lock, idle-in-transaction timeout
_UNAVAILABLE_CLASSES = ("08", "53", "57P")


class DbError(Exception):
    """A statement PostgreSQL refused: its SQLSTATE and, for a broken rule, the constraint's name.

    The message is PostgreSQL's, without the statement's parameters or the error's detail
    (which can quote the values written: clinical text stays out of logs). `retry` is
    "TIMEOUT" or "SERVICE_UNAVAILABLE" when trying again later may succeed.
    """

    def __init__(self, error: asyncpg.PostgresError) -> None:
        self.sqlstate: str | None = getattr(error, "sqlstate", None)
        # Citus passes a worker's error on without its constraint field, and names the shard's
        # constraint after the table's with the shard id appended: the name is read from the
        # message then, and the shard id dropped.
        message = getattr(error, "message", None)
        named = getattr(error, "constraint_name", None) or _named_in(message) or raised.constraint_of(message)
        self.constraint: str | None = _without_shard_id(named)
        state = self.sqlstate or ""
        self.retry: str | None = (
            "TIMEOUT"
            if state in _TIMEOUT_STATES
            else "SERVICE_UNAVAILABLE"
            if state.startswith(_UNAVAILABLE_CLASSES)
            else None
        )
        super().__init__(f"{self.sqlstate}: {getattr(error, 'message', type(error).__name__)}")


_SHARD_ID = re.compile(r"_\d{6,}$")
_CONSTRAINT_IN_MESSAGE = re.compile(r'violates (?:[a-z ]+ )?constraint "([^"]+)"')


def _named_in(message: str | None) -> str | None:
    found = _CONSTRAINT_IN_MESSAGE.search(message or "")
    return found.group(1) if found else None


def _without_shard_id(name: str | None) -> str | None:
    return _SHARD_ID.sub("", name) if name else name


class DbUnavailable(Exception):
    """No statement could run: no connection free in the pool in time, or the server unreachable."""

    retry = "SERVICE_UNAVAILABLE"


def retry_code(exc: BaseException | None) -> str | None:
    """"TIMEOUT" or "SERVICE_UNAVAILABLE" when `exc` is a database failure that trying later may mend, else None."""
    return exc.retry if isinstance(exc, DbError | DbUnavailable) else None


# What getting a connection, or using one that died, raises (besides asyncpg.PostgresError).
_CONNECTION_FAILURES = (OSError, TimeoutError, asyncpg.InterfaceError, sqlalchemy.exc.DBAPIError)


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
        self._claims_map = dict(claims or {})
        self._claims = orjson.dumps(self._claims_map).decode()
        self._lock = asyncio.Lock()
        self._pooled: AsyncConnection | None = None  # the pool's handle, returned at the end
        self._conn: asyncpg.Connection | None = None  # the driver connection statements run on
        self._read_only = False
        self.statements = 0
        # Live events of this transaction, handed to the engine's publisher after COMMIT (db/events.py);
        # no publisher (the default broker: the triggers NOTIFY), nothing is collected.
        self._publish = events.publisher_of(engine)
        self._notify_in_transaction = events.notifies_in_transaction(engine)  # Citus, PostgreSQL broker
        self.pending_events: list[events.Event] = []

    def read_only_snapshot(self) -> None:
        """Make the (not yet begun) transaction a read-only snapshot."""
        if self._conn is None:
            self._read_only = True

    async def _connection(self) -> asyncpg.Connection:
        if self._conn is None:
            try:
                pooled = await self._engine.connect()
            except sqlalchemy.exc.TimeoutError:
                raise DbUnavailable("no database connection free in time") from None
            except _CONNECTION_FAILURES as exc:
                raise DbUnavailable(f"cannot connect to the database ({type(exc).__name__})") from None
            except asyncpg.PostgresError as exc:  # e.g. the server is starting up
                raise DbUnavailable(f"the database refused the connection ({exc.sqlstate})") from None
            conn = None
            try:
                conn = (await pooled.get_raw_connection()).driver_connection
                assert isinstance(conn, asyncpg.Connection)
                await conn.execute(_BEGIN[self._read_only])
                timeouts = _TIMEOUTS.get(self._engine, _DEFAULT).values()
                await conn.execute(_claims_script(self._claims, self._claims_map, timeouts))
            except asyncpg.PostgresError as exc:
                await _release(pooled, conn)
                error = DbError(exc)
                if error.retry is None:
                    raise error from None
                raise DbUnavailable(f"the database could not begin a transaction ({error.sqlstate})") from None
            except _CONNECTION_FAILURES as exc:
                # a pooled connection the server closed (restart, idle timeout): nothing ran
                await _release(pooled, conn)
                raise DbUnavailable(f"the database connection failed ({type(exc).__name__})") from None
            except BaseException:
                # cancelled mid-message (graphql-core cancels a failed field's siblings): the server may
                # have begun the transaction without the driver knowing yet, so the connection goes
                await _discard(pooled)
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
            except _CONNECTION_FAILURES as exc:
                raise DbUnavailable(f"the database connection was lost ({type(exc).__name__})") from None
            return rows

    async def fetch_one(self, sql: Statement, params: Mapping[str, Any] | None = None) -> Row | None:
        rows = await self.fetch(sql, params)
        return rows[0] if rows else None

    def notify(self, channel: str, tenant: str, log: UUID) -> None:
        """Once this transaction commits, tell subscribers that `log` of `tenant` has news on `channel`."""
        wanted = self._publish is not None or self._notify_in_transaction
        if wanted and (channel, tenant, log) not in self.pending_events:
            self.pending_events.append((channel, tenant, log))

    async def commit(self) -> None:
        """Commit what the request wrote; later statements run in a new transaction."""
        if self._notify_in_transaction and self.pending_events:
            await self.fetch(events.NOTIFY, events.notify_params(self.pending_events))
        await self._end("COMMIT")

    async def close(self) -> None:
        """End the request: roll back anything not committed and return the connection.

        Never fails on a connection that died: the server rolls back a transaction whose
        connection is gone, and the connection is discarded instead of returned.
        """
        await self._end("ROLLBACK")

    async def _end(self, how: str) -> None:
        # whatever happens below, these events belong to this transaction only
        committed, self.pending_events = self.pending_events, []
        await self._finish(how)
        if committed and how == "COMMIT" and self._publish is not None:
            await self._publish(committed)  # only once COMMIT returned: never for a rolled-back write

    async def _finish(self, how: str) -> None:
        async with self._lock:
            pooled, conn = self._pooled, self._conn
            self._pooled = self._conn = None
            if pooled is None or conn is None:
                return
            try:
                await conn.execute(how)
            except (asyncpg.PostgresError, *_CONNECTION_FAILURES) as exc:
                await _release(pooled, conn)
                if how == "ROLLBACK":
                    return
                if isinstance(exc, asyncpg.PostgresError):
                    raise DbError(exc) from None
                raise DbUnavailable(f"the database connection was lost ({type(exc).__name__})") from None
            except BaseException:
                await _discard(pooled)  # cancelled during COMMIT or ROLLBACK: in what state is unknown
                raise
            await pooled.close()


class ConnectionDb(RequestDb):
    """The same statements on a connection whose transaction the caller holds (the demo loader's):
    no pool, no claims, no timeouts; commit and close leave the caller's transaction alone."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._claims = "{}"
        self._lock = asyncio.Lock()
        self._pooled = None
        self._conn = conn
        self._read_only = False
        self.statements = 0

    async def _end(self, how: str) -> None:
        return None


async def _discard(pooled: AsyncConnection) -> None:
    """Close a connection whose state is unknown instead of giving it back to the pool."""
    try:
        await pooled.invalidate()
    finally:
        await pooled.close()


async def _release(pooled: AsyncConnection, conn: asyncpg.Connection | None) -> None:
    """Give back a connection whose transaction may still be open: roll it back, or discard it
    (also when it is closed: the pool would hand a dead connection to the next request)."""
    try:
        if conn is None or conn.is_closed():
            await pooled.invalidate()
        elif conn.is_in_transaction():
            await conn.execute("ROLLBACK")
    except BaseException:
        await pooled.invalidate()  # never hand a half-finished transaction to the next request
    finally:
        await pooled.close()
