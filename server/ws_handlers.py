"""Strawberry's WebSocket protocol handlers, giving each operation an outlet for direct delivery."""

from __future__ import annotations

from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler, Operation
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler

from graph.context import Context
from server.live.outlet import OUTLET, Outlet


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """`graphql-transport-ws`: events as `next` messages."""

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        # Each operation runs in its own task, so the variable is this operation's alone.
        if isinstance(self.websocket, ASGIWebSocketAdapter):
            OUTLET.set(Outlet(self.websocket.ws, operation.id, "next"))
        await super().run_operation(operation)


class LegacyWSHandler(BaseGraphQLWSHandler[Context, None]):
    """Legacy `graphql-ws` (subscriptions-transport-ws): events as `data` messages."""

    async def handle_async_results(
        self, operation_id: str, query: str, operation_name: str | None, variables: dict[str, object] | None
    ) -> None:
        if isinstance(self.websocket, ASGIWebSocketAdapter):
            OUTLET.set(Outlet(self.websocket.ws, operation_id, "data"))
        await super().handle_async_results(operation_id, query, operation_name, variables)
