"""The process's connection pool to PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from db import urls
from db.session import Timeouts, configure_timeouts


def create_engine(
    url: str,
    *,
    pool_size: int = 20,
    pool_timeout: float = 30.0,
    connect_timeout: float = 60.0,
    timeouts: Timeouts | None = None,
) -> AsyncEngine:
    """The pool: at most `pool_size` connections, opened as needed and kept. `pool_timeout`: how long a
    request waits for a free connection; `connect_timeout`: for a new one; `timeouts`: what each
    request transaction sets (db/session.py)."""
    engine = create_async_engine(
        urls.sqlalchemy(url),
        # No overflow: SQLAlchemy closes an overflow connection when it comes back to a full pool, so load
        # above the pool's size opened and closed connections all the time (a backend forked, codecs and
        # prepared statements set up again for each). `python -m bench --queries overview --concurrency 16`:
        # 164-168 -> 186 req/s, connections opened during the run 71 -> 25.
        pool_size=pool_size,
        max_overflow=0,
        # The connection returned last goes out first: at low load the same few serve, with their
        # statements prepared and type codecs loaded (asyncpg keeps both per connection), and the
        # rest stay idle instead of each being warmed in turn.
        pool_use_lifo=True,
        pool_timeout=pool_timeout,
        pool_pre_ping=False,
        # Parameters can hold clinical free text: never in exception messages or logs.
        hide_parameters=True,
        # Every request transaction ends in COMMIT or ROLLBACK itself; the pool's
        # own reset ROLLBACK on check-in would be one more round trip per request.
        pool_reset_on_return=None,
        connect_args={
            "timeout": connect_timeout,
            # Our statements repeat: keep them prepared per connection. The first is SQLAlchemy's
            # cache (statements it runs: readiness, migrations), the second asyncpg's own (requests,
            # which run on the driver connection; compiled queries add one per document shape).
            "prepared_statement_cache_size": 512,
            "statement_cache_size": 512,
            "server_settings": {"application_name": "vetql", "jit": "off"},
        },
    )
    configure_timeouts(engine, timeouts or Timeouts())
    return engine


_TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK")


def watch_statements(engine: AsyncEngine, callback: Callable[[str], None]) -> None:
    """Call `callback` with each statement the engine's connections send (from the driver's side),
    other than BEGIN, COMMIT and ROLLBACK. For tests and the benchmark's statement counts."""

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        def logged(query: Any) -> None:
            if not query.query.lstrip().upper().startswith(_TRANSACTION_CONTROL):
                callback(query.query)

        dbapi_connection.driver_connection.add_query_logger(logged)

    event.listen(engine.sync_engine.pool, "connect", on_connect)
