"""What every resolver gets in `info.context`."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from db.claims import Claims
from db.session import RequestDb
from graph.live import LiveEvents
from graph.loaders import Loaders


@dataclass
class Context:
    """Per connection: the caller's verified claims and the pool. Per operation: `db` and `loaders`.

    Strawberry builds the context once per HTTP request but once per WebSocket
    connection; `for_operation` gives each operation its own transaction and
    loaders, so nothing is shared between operations.
    """

    engine: AsyncEngine
    claims: Claims | None
    # Filled by Strawberry from a WebSocket's connection_init payload.
    connection_params: dict[str, object] | None = None
    # Live events of this process (subscriptions); None where there is no broker.
    hub: LiveEvents | None = None
    # Answer plain-data selections from compiled SQL (graph/compiled); off only to compare paths.
    compiled: bool = True
    # The operation's graphql-core executor (set by graph/compiled/execution.py).
    executor: Any = field(default=None, repr=False)
    db: RequestDb = field(init=False)
    _loaders: Loaders | None = field(init=False, default=None, repr=False)

    def __post_init__(self) -> None:
        self.db = RequestDb(self.engine, self.claims.as_json_claims() if self.claims else None)

    @property
    def loaders(self) -> Loaders:
        """Built on first use: a query answered by the compiled path needs none."""
        if self._loaders is None:
            self._loaders = Loaders(self.db, self.tenant_id)
        return self._loaders

    def for_operation(self) -> Context:
        return replace(self, executor=None)

    @property
    def tenant_id(self) -> str | None:
        return self.claims.tenant_id if self.claims and self.claims.role != "platform" else None

    @property
    def is_staff(self) -> bool:
        return self.claims is not None and self.claims.is_staff
