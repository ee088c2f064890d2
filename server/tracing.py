"""OpenTelemetry tracing, on when the standard OTEL_* variables ask for it.

Spans: the HTTP request (method, path, status: never the query string, which can hold a GET
request's variables), the GraphQL operation (name and type: graph/extensions.py), and each SQL
statement (asyncpg's instrumentation: the statement text with $n placeholders, never the
parameters). Arguments and variables hold clinical text and are never recorded.
"""

from __future__ import annotations

import os
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from starlette.types import ASGIApp, Receive, Scope, Send

from server.request_id import REQUEST_ID

_ON = False
_tracer = trace.get_tracer("vetql.server")


def wanted() -> bool:
    """The standard variables: an OTLP endpoint, or OTEL_TRACES_EXPORTER other than `none`."""
    exporter = os.environ.get("OTEL_TRACES_EXPORTER", "")
    if exporter == "none" or os.environ.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return False
    return bool(
        exporter
        or os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
        or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    )


def configure(exporter: SpanExporter | None = None) -> bool:
    """Install the tracer provider and the SQL instrumentation once per process; True when tracing is on.

    Without `exporter` (tests pass one), spans go to OTLP over HTTP as the OTEL_* variables say, or to
    the console with OTEL_TRACES_EXPORTER=console.
    """
    global _ON
    if _ON:
        return True
    if exporter is None and not wanted():
        return False
    provider = TracerProvider(resource=Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", "vetql")}))
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    elif os.environ.get("OTEL_TRACES_EXPORTER") == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

    AsyncPGInstrumentor(capture_parameters=False).instrument()
    _ON = True
    return True


def active() -> bool:
    return _ON


class TraceRequests:
    """Pure ASGI: one server span per HTTP request or WebSocket connection."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        method = scope.get("method", "GET") if scope["type"] == "http" else "WEBSOCKET"
        attributes: dict[str, Any] = {
            "http.request.method": method,
            "url.path": scope["path"],
            "vetql.request_id": REQUEST_ID.get(),
        }
        with _tracer.start_as_current_span(f"{method} {scope['path']}", kind=trace.SpanKind.SERVER,
                                           attributes=attributes) as span:

            async def traced_send(message: Any) -> None:
                if message["type"] == "http.response.start":
                    span.set_attribute("http.response.status_code", message["status"])
                    if message["status"] >= 500:
                        span.set_status(trace.StatusCode.ERROR)
                await send(message)

            await self.app(scope, receive, traced_send)
