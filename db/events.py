"""Live events a request's writes produce: published after its COMMIT, or NOTIFYed inside it on Citus.

An event names a channel, a clinic and a log, nothing else: subscribers re-read rows under their
own claims. With the default broker on one node the triggers' pg_notify (migrations 0007, 0015)
already says it, transactionally; nothing is set then and the db functions' `RequestDb.notify` calls
cost nothing. With NATS the server sets a publisher per engine and the writing process publishes
what committed. On Citus the triggers are silent (a worker's NOTIFY never reaches the API), so with
the default broker the request NOTIFYs its events from the coordinator just before COMMIT.
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable, Sequence
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncEngine

# The triggers' NOTIFY channels; one per kind of event a log produces.
VITALS = "vetql_vitals"
ALARMS = "vetql_alarms"
SURGERY = "vetql_surgery"  # a clinic's surgery events (numbered per clinic, not per log)

Event = tuple[str, str, UUID]  # (channel, tenant, log)
Publisher = Callable[[Sequence[Event]], Awaitable[None]]

_PUBLISHERS: weakref.WeakKeyDictionary[AsyncEngine, Publisher] = weakref.WeakKeyDictionary()
_IN_TRANSACTION: weakref.WeakSet[AsyncEngine] = weakref.WeakSet()

# On Citus with the PostgreSQL broker the triggers stay silent (migration 0024: a worker's NOTIFY never
# reaches the API's listener), so the request sends its events as the triggers would, from the
# coordinator and inside its own transaction: PostgreSQL delivers them at COMMIT, never on rollback.
NOTIFY = (
    "SELECT pg_notify(e.c, json_build_object('t', e.t, 'l', e.l)::text) FROM unnest(CAST(:channels AS text[]),"
    " CAST(:tenants AS text[]), CAST(:logs AS uuid[])) AS e(c, t, l)"
)
_CITUS = "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') AS citus"


def publish_after_commit(engine: AsyncEngine, publisher: Publisher | None) -> None:
    """Every RequestDb on `engine` made from now on hands its committed events to `publisher` (None: nobody)."""
    if publisher is None:
        _PUBLISHERS.pop(engine, None)
    else:
        _PUBLISHERS[engine] = publisher


def publisher_of(engine: AsyncEngine) -> Publisher | None:
    if not _PUBLISHERS:  # the default broker: no lookup per request
        return None
    try:
        return _PUBLISHERS.get(engine)
    except TypeError:  # not an engine at all (a test's stand-in): nobody publishes for it
        return None


def notify_in_transaction(engine: AsyncEngine, on: bool) -> None:
    """RequestDbs on `engine` made from now on NOTIFY their events in their transaction, before COMMIT."""
    if on:
        _IN_TRANSACTION.add(engine)
    else:
        _IN_TRANSACTION.discard(engine)


def notifies_in_transaction(engine: AsyncEngine) -> bool:
    if not _IN_TRANSACTION:
        return False
    try:
        return engine in _IN_TRANSACTION
    except TypeError:
        return False


def notify_params(events: Sequence[Event]) -> dict[str, list[object]]:
    return {"channels": [e[0] for e in events], "tenants": [e[1] for e in events], "logs": [e[2] for e in events]}


async def on_citus(engine: AsyncEngine) -> bool:
    """Whether the database is a Citus cluster's (whose triggers leave live events to the API)."""
    from db.session import RequestDb  # the session module imports this one

    db = RequestDb(engine, None)
    try:
        row = await db.fetch_one(_CITUS)
        return bool(row and row["citus"])
    finally:
        await db.close()
