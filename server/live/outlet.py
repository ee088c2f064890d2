"""Direct delivery: a subscription writes pre-rendered `next` frames straight to its WebSocket.

Strawberry runs every subscription event through a per-subscriber pipeline:
a fresh executor, the extensions, the message envelope, JSON encoding. For a
vital watched by twenty screens that is twenty times the same work. The
WebSocket protocol handlers (server/ws_handlers.py) put an `Outlet` in a
context variable for each operation they run; a subscription that finds one
sends each event as bytes rendered once per distinct selection (see
graph/compiled/execution.py), wrapped in this operation's envelope. Without an
outlet (multipart, SSE) events go through Strawberry as usual.
"""

from __future__ import annotations

import asyncio

import orjson
from starlette.websockets import WebSocket, WebSocketDisconnect

from graph.live import OUTLET
from graph.metrics import LIVE_EVENTS_SHARED

__all__ = ["OUTLET", "Outlet"]


class Outlet:
    """One operation's WebSocket and the envelope of its data messages."""

    __slots__ = ("_prefix", "_ws")

    def __init__(self, ws: WebSocket, operation_id: str, message_type: str) -> None:
        self._ws = ws
        # {"id":…,"type":"next","payload":{"data": <event> }}: the same keys Strawberry sends.
        envelope = orjson.dumps({"id": operation_id, "type": message_type})
        self._prefix = envelope[:-1] + b',"payload":{"data":'

    async def send(self, data: bytes) -> None:
        """Send one event's `data` object (JSON bytes)."""
        frame = (self._prefix + data + b"}}").decode()
        try:
            await self._ws.send_text(frame)
        except (OSError, RuntimeError, WebSocketDisconnect):
            # The socket is gone (closed, or closing). The protocol handler notices on its read side and cancels every
            # operation of the connection; wait for that rather than report an error nobody can read.
            await asyncio.get_running_loop().create_future()
        LIVE_EVENTS_SHARED.inc()
