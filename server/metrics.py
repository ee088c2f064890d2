"""Prometheus metrics of the server itself: HTTP responses and live subscribers (the API's are in graph/metrics.py)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

HTTP_REQUESTS = Counter("vetql_http_requests_total", "HTTP requests by route and status.", ["route", "status"])
LIVE_SUBSCRIBERS = Gauge("vetql_live_subscribers", "Subscriptions following a live feed in this process.")
