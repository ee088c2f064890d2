"""Live events a request's writes produce, handed to a publisher only after its transaction commits.

An event names a channel, a clinic and a log, nothing else: subscribers re-read rows under their
own claims. With the default broker the triggers' pg_notify (migrations 0007, 0015) already says
it, transactionally; no publisher is set then and the db functions' `RequestDb.notify` calls cost
nothing. With NATS (on Citus the triggers fire on the worker holding the shard, where nobody
listens) the server sets a publisher per engine and the writing process publishes what committed.
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
