"""The executor's side of the fast paths: pre-serialized JSON passes through completion untouched,
compiled parts of an object are completed without their resolvers, and subscription events are
rendered once per distinct selection."""

from __future__ import annotations

from collections.abc import Sequence
from copy import copy
from typing import Any

import orjson
from graphql import FieldNode, VariableNode, visit
from graphql.execution.executor import CollectedErrors
from graphql.language.visitor import Visitor
from graphql.pyutils import RefMap
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graph import metrics
from graph.context import Context

_SELECTION_VARIABLES: dict[int, tuple[FieldNode, tuple[str, ...]]] = {}


class _Variables(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.spreads = False

    def enter_variable(self, node: VariableNode, *_: Any) -> None:
        self.names.add(node.name.value)

    def enter_fragment_spread(self, *_: Any) -> None:
        self.spreads = True


def _variables_in(node: FieldNode) -> tuple[str, ...] | None:
    """Variables the selection under `node` reads (directives); None if it spreads named fragments."""
    known = _SELECTION_VARIABLES.get(id(node))
    if known is not None and known[0] is node:
        return known[1]
    finder = _Variables()
    if node.selection_set is not None:
        visit(node.selection_set, finder)
    if finder.spreads:
        return None
    names = tuple(sorted(finder.names))
    if len(_SELECTION_VARIABLES) > 1024:
        _SELECTION_VARIABLES.clear()
    _SELECTION_VARIABLES[id(node)] = (node, names)
    return names


class EventRenderer:
    """One subscription's events as the JSON of its field's value, rendered once per distinct selection.

    Subscribers whose documents parse to the same nodes (the parser cache makes
    equal documents identical) and whose variables agree on what the selection
    reads share one rendering of each event: the first renders, the rest reuse
    the bytes. WebSocket subscribers send them as their `data` (`data`); HTTP
    streams (SSE, multipart) hand them to Strawberry as a pre-built value
    (`value`), which the executor passes through. An event that renders with
    errors is not shared (`None`): it goes through the ordinary per-subscriber
    pipeline.
    """

    def __init__(self, executor: Any, field_nodes: Sequence[FieldNode]) -> None:
        self._executor = executor
        self._operation = executor.operation
        names = [_variables_in(node) for node in field_nodes]
        values = executor.variable_values.coerced
        if any(n is None for n in names):
            used: Any = values  # named fragments: every variable counts
        else:
            used = {n: values.get(n) for n in sorted({n for group in names for n in group or ()})}
        # As text: a bytes object from orjson.dumps keeps orjson's whole output buffer (~4 KB) for as long
        # as it lives, and this key lives as long as the subscription.
        self._key = (id(self._operation), orjson.dumps(used, default=str, option=orjson.OPT_SORT_KEYS).decode())
        first = field_nodes[0]
        self._response_key = (first.alias or first.name).value
        self._data_prefix = b"{" + orjson.dumps(self._response_key) + b":"

    def value(self, event: Any, rendered: dict[Any, tuple[Any, bytes]]) -> bytes | None:
        """The JSON of the subscription field's value for `event`; `rendered` holds the event's renderings."""
        hit = rendered.get(self._key)
        if hit is not None and hit[0] is self._operation:
            return hit[1]
        result = self._executor.build_per_event_executor(event).execute_operation(False)
        if self._executor.is_awaitable(result):
            result.close()  # never awaited: this event takes the ordinary path
            return None
        if result.errors:
            return None
        # An exact copy: what orjson.dumps returns holds its ~4 KB buffer, and the event keeps this until
        # every subscriber has it.
        value = bytes(memoryview(orjson.dumps(result.data[self._response_key])))
        metrics.LIVE_RENDERS.inc()
        rendered[self._key] = (self._operation, value)
        return value

    def data(self, event: Any, rendered: dict[Any, tuple[Any, bytes]]) -> bytes | None:
        """The `data` object of `event` for this selection (what a WebSocket `next` carries)."""
        value = self.value(event, rendered)
        return None if value is None else self._data_prefix + value + b"}"

    def prebuilt(self, event: Any, rendered: dict[Any, tuple[Any, bytes]]) -> Any:
        """`event` as Strawberry's pipeline should get it: the shared bytes when they render, else itself."""
        value = self.value(event, rendered)
        return event if value is None else orjson.Fragment(value)


class PassThroughExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Completes values as usual, except JSON already built (an `orjson.Fragment` from compiled SQL):
    the response encoder splices those bytes in as they are."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The compiler collects fields exactly as this executor does (its
        # fragments and coerced variables), so it needs the executor itself.
        if isinstance(self.context_value, Context):
            self.context_value.executor = self

    def build_per_event_executor(self, payload: Any) -> Any:
        """A subscription event's executor: the operation's, with per-event state of its own.

        graphql-core's copy keeps the operation's memo of collected subfields, keyed by the
        identity of field lists that every event builds afresh: each event would add entries
        (and keep their lists alive) for as long as the subscription lasts. Strawberry's own
        per-event path and `EventRenderer` both come through here.
        """
        executor = copy(self)
        executor.root_value = payload
        executor.collected_errors = CollectedErrors()
        executor._relevant_sub_fields = {}
        executor._stream_usages = RefMap()
        executor.pending_incremental_futures = set()
        executor.background_futures = set()
        executor.async_work_finished_hook_task = None
        return executor

    def execute_field(
        self, parent_type: Any, source: Any, field_details_list: Any, path: Any, position_context: Any
    ) -> Any:
        # A compiled part of an object (graph/compiled/roots.py): complete it without its resolver.
        pre = getattr(source, "_vetql_pre", None)
        if pre is not None and path.key in pre:
            field_def = self.schema.get_field(parent_type, field_details_list[0].node.name.value)
            assert field_def is not None
            info = self.build_resolve_info(field_def, [d.node for d in field_details_list], parent_type, path)
            return self.complete_value(
                field_def.type, field_details_list, info, path, pre[path.key], position_context
            )
        return super().execute_field(parent_type, source, field_details_list, path, position_context)

    def complete_value(
        self, return_type: Any, field_details_list: Any, info: Any, path: Any, result: Any, position_context: Any
    ) -> Any:
        if isinstance(result, orjson.Fragment):
            return result
        return super().complete_value(return_type, field_details_list, info, path, result, position_context)
