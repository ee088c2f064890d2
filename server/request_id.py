"""A request id on every response (`X-Request-Id`) and every log line written while serving it.

A client's own `X-Request-Id` is kept when it is a plain token (letters, digits, `.`, `_`, `-`,
at most 64), so a request can be followed from a proxy's log to VetQL's; otherwise one is made.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar
from typing import Any

import structlog
from starlette.types import ASGIApp, Receive, Scope, Send

HEADER = b"x-request-id"
_SANE = re.compile(rb"^[A-Za-z0-9._-]{1,64}$")

REQUEST_ID: ContextVar[str] = ContextVar("vetql_request_id", default="-")


class RequestId:
    """Pure ASGI: sets REQUEST_ID for the request (or WebSocket connection) and answers with it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(HEADER)
        request_id = given.decode() if given is not None and _SANE.match(given) else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        bound = structlog.contextvars.bind_contextvars(request_id=request_id)

        async def send_with_id(message: Any) -> None:
            if message["type"] in ("http.response.start", "websocket.accept"):
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (HEADER, request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            structlog.contextvars.reset_contextvars(**bound)
            REQUEST_ID.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every stdlib log record (the formatter prints it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True
