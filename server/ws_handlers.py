"""Strawberry's WebSocket protocol handlers, giving each operation an outlet for direct delivery.

Each operation on a connection first asks whether the connection's token still belongs to an
active member (cached for seconds, db/membership.py): a member removed after connecting is
refused FORBIDDEN on their next operation, and their open subscriptions end (server/live/feeds.py).
"""

from __future__ import annotations

from typing import Any

from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler, Operation
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler

from graph.context import Context
from graph.errors import Forbidden
from server.live.outlet import OUTLET, Outlet

MEMBERSHIP_ENDED = "Your membership of this clinic ended."


async def _still_member(view: Any, context: Context) -> bool:
    membership = getattr(view, "membership", None)
    return context.claims is None or membership is None or bool(await membership.allows(context.claims))


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """`graphql-transport-ws`: events as `next` messages."""

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        if not await _still_member(self.view, self.context):
            await operation.send_initial_errors([Forbidden(MEMBERSHIP_ENDED)])
            return
        # Each operation runs in its own task, so the variable is this operation's alone.
        if isinstance(self.websocket, ASGIWebSocketAdapter):
            OUTLET.set(Outlet(self.websocket.ws, operation.id, "next"))
        await super().run_operation(operation)


class LegacyWSHandler(BaseGraphQLWSHandler[Context, None]):
    """Legacy `graphql-ws` (subscriptions-transport-ws): events as `data` messages."""

    async def handle_async_results(
        self, operation_id: str, query: str, operation_name: str | None, variables: dict[str, object] | None
    ) -> None:
        if not await _still_member(self.view, self.context):
            error = Forbidden(MEMBERSHIP_ENDED).formatted
            await self.send_message({"type": "error", "id": operation_id, "payload": error})
            self.tasks.pop(operation_id, None)
            return
        if isinstance(self.websocket, ASGIWebSocketAdapter):
            OUTLET.set(Outlet(self.websocket.ws, operation_id, "data"))
        await super().handle_async_results(operation_id, query, operation_name, variables)
