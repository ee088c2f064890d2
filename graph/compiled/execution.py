"""The executor's side of the fast path: pre-serialized JSON passes through completion untouched."""

from __future__ import annotations

from typing import Any

import orjson
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graph.context import Context


class PassThroughExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Completes values as usual, except JSON a resolver already built in SQL (an `orjson.Fragment`):
    the response encoder splices those bytes in as they are."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The compiler collects fields exactly as this executor does (its
        # fragments and coerced variables), so it needs the executor itself.
        if isinstance(self.context_value, Context):
            self.context_value.executor = self

    def complete_value(
        self, return_type: Any, field_details_list: Any, info: Any, path: Any, result: Any, position_context: Any
    ) -> Any:
        if isinstance(result, orjson.Fragment):
            return result
        return super().complete_value(return_type, field_details_list, info, path, result, position_context)
