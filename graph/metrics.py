"""Prometheus metrics of the API: operations, latency and errors by operation; SQL statements; live events."""

from __future__ import annotations

import re

from prometheus_client import Counter, Histogram

OPERATIONS = Counter(
    "vetql_graphql_operations_total",
    "GraphQL operations executed, by outcome: ok, error (the client's: bad input, refused), retryable "
    "(SERVICE_UNAVAILABLE, TIMEOUT) or internal (a masked fault).",
    ["operation", "type", "outcome"],
)
OPERATION_ERRORS = Counter("vetql_graphql_errors_total", "Errors returned in GraphQL responses.", ["operation", "code"])
OPERATION_LATENCY = Histogram(
    "vetql_graphql_operation_seconds",
    "Time to execute a GraphQL operation, by outcome (as vetql_graphql_operations_total).",
    ["operation", "type", "outcome"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
SQL_STATEMENTS = Counter("vetql_sql_statements_total", "SQL statements run for GraphQL operations.")
LIVE_EVENTS = Counter(
    "vetql_live_events_sent_total",
    "Subscription events sent: `shared` written as pre-rendered bytes, `executed` through Strawberry.",
    ["path"],
)
# Bound once: these are counted per delivered event.
LIVE_EVENTS_SHARED = LIVE_EVENTS.labels("shared")
LIVE_EVENTS_EXECUTED = LIVE_EVENTS.labels("executed")
LIVE_RENDERS = Counter("vetql_live_renders_total", "Subscription events rendered for one distinct selection.")
LIVE_SLOW_CONSUMERS = Counter("vetql_live_slow_consumers_total", "Subscriptions ended for falling too far behind.")

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_MAX_NAMES = 500
_seen: set[str] = set()


def operation_label(name: str | None) -> str:
    """Client-chosen operation names, bounded so a client cannot explode the label set."""
    if not name or not _NAME.match(name):
        return "anonymous"
    if name in _seen:
        return name
    if len(_seen) >= _MAX_NAMES:
        return "other"
    _seen.add(name)
    return name
