"""Strawberry's WebSocket protocol handlers, giving each operation an outlet for direct delivery.

Each operation on a connection counts against its token's rate limit (RATE_LIMITED) and first
asks whether the connection's token still belongs to an active member (cached for seconds,
db/membership.py): a member removed after connecting is refused FORBIDDEN on their next
operation, and their open subscriptions end (server/live/feeds.py).
A database that cannot answer that question closes `graphql-transport-ws` with 1013 (try again
later) at connection_init, and refuses an operation with SERVICE_UNAVAILABLE / TIMEOUT. A token
holding VETQL_MAX_CONNECTIONS_PER_TOKEN connections already is closed with 1008 at connection_init.
"""

from __future__ import annotations

import math
from typing import Any

from graphql import GraphQLError
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler, Operation
from strawberry.subscriptions.protocols.graphql_transport_ws.types import ConnectionInitMessage
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import ConnectionInitMessage as LegacyInitMessage

from graph.context import Context
from graph.errors import Forbidden
from server.errors import TooManyConnections, Unavailable, allowed
from server.live.outlet import OUTLET, Outlet

MEMBERSHIP_ENDED = "Your membership of this clinic ended."
UNAVAILABLE = "The database is unavailable right now. Retry shortly."
TOO_MANY = "Too many connections for this token"


def _release(view: Any, context: Context) -> None:
    connections = getattr(view, "connections", None)
    if connections is not None:
        connections.release(context.claims, context)


async def _refusal(view: Any, context: Context) -> GraphQLError | None:
    """Why this connection's next operation may not run, or None."""
    membership = getattr(view, "membership", None)
    if context.claims is None or membership is None:
        return None
    limits = getattr(view, "rate_limits", None)
    if limits is not None and limits.enabled:
        wait = await limits.token(context.claims)
        if wait is not None:
            message = f"Too many requests for this token; retry after {math.ceil(wait)} s."
            return GraphQLError(message, extensions={"code": "RATE_LIMITED", "retryable": True})
    try:
        if await allowed(membership, context.claims):
            return None
    except Unavailable as exc:
        return GraphQLError(UNAVAILABLE, extensions={"code": exc.code, "retryable": True})
    return Forbidden(MEMBERSHIP_ENDED)


def _untrusted(view: Any, query: str | None) -> GraphQLError | None:
    trusted = getattr(view, "trusted", None)
    if trusted is None or query is None or trusted.allows_text(query):
        return None
    return GraphQLError("This server runs trusted documents only.", extensions={"code": "PERSISTED_QUERY_REQUIRED"})


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """`graphql-transport-ws`: events as `next` messages."""

    async def handle(self) -> None:
        try:
            await super().handle()
        finally:
            _release(self.view, self.context)

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        try:
            await super().handle_connection_init(message)
        except Unavailable:
            await self.websocket.close(code=1013, reason="Try Again Later")
        except TooManyConnections:
            await self.websocket.close(code=1008, reason=TOO_MANY)

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        refusal = _untrusted(self.view, operation.query) or await _refusal(self.view, self.context)
        if refusal is not None:
            await operation.send_initial_errors([refusal])
            return
        # Each operation runs in its own task, so the variable is this operation's alone.
        if isinstance(self.websocket, ASGIWebSocketAdapter):
            OUTLET.set(Outlet(self.websocket.ws, operation.id, "next"))
        await super().run_operation(operation)


class LegacyWSHandler(BaseGraphQLWSHandler[Context, None]):
    """Legacy `graphql-ws` (subscriptions-transport-ws): events as `data` messages."""

    async def handle(self) -> None:
        try:
            await super().handle()
        finally:
            _release(self.view, self.context)

    async def handle_connection_init(self, message: LegacyInitMessage) -> None:
        try:
            await super().handle_connection_init(message)
        except Unavailable as exc:
            await self.send_message({"type": "connection_error", "payload": {"code": exc.code, "message": UNAVAILABLE}})
            await self.websocket.close(code=1011, reason="")
        except TooManyConnections:
            await self.send_message(
                {"type": "connection_error", "payload": {"code": "TOO_MANY_CONNECTIONS", "message": TOO_MANY}}
            )
            await self.websocket.close(code=1011, reason="")

    async def handle_async_results(
        self, operation_id: str, query: str, operation_name: str | None, variables: dict[str, object] | None
    ) -> None:
        refusal = _untrusted(self.view, query) or await _refusal(self.view, self.context)
        if refusal is not None:
            await self.send_message({"type": "error", "id": operation_id, "payload": refusal.formatted})
            self.tasks.pop(operation_id, None)
            return
        if isinstance(self.websocket, ASGIWebSocketAdapter):
            OUTLET.set(Outlet(self.websocket.ws, operation_id, "data"))
        await super().handle_async_results(operation_id, query, operation_name, variables)
