"""Prometheus metrics of the server itself: HTTP responses and live subscribers (the API's are in graph/metrics.py)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

HTTP_REQUESTS = Counter("vetql_http_requests_total", "HTTP requests by route and status.", ["route", "status"])
LIVE_SUBSCRIBERS = Gauge("vetql_live_subscribers", "Subscriptions following a live feed in this process.")
LIVE_PUBLISH_FAILURES = Counter(
    "vetql_live_publish_failures_total",
    "Committed live events not published to NATS (broker away or refusing); feeds catch them up from the tables.",
)
LIVE_BROKER_RECONNECTS = Counter(
    "vetql_live_broker_reconnects_total",
    "Times this process's live broker connection (LISTEN or NATS) came back; each is followed by a catch-up.",
)
