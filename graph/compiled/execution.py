"""The executor's side of the fast paths: pre-serialized JSON passes through completion untouched."""

from __future__ import annotations

import weakref
from typing import Any

import orjson
from graphql import FieldNode, OperationType, VariableNode, visit
from graphql.language.visitor import Visitor
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graph.context import Context

# Subscription events, rendered once per distinct selection: every subscriber of a
# log gets the same event object from the feed, and those with the same document
# get the same bytes instead of completing the selection once each.
_RENDERED: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], tuple[tuple[FieldNode, ...], orjson.Fragment]]] = (
    weakref.WeakKeyDictionary()
)
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


class PassThroughExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Completes values as usual, except JSON already built (an `orjson.Fragment`, from SQL or from
    another subscriber's identical event): the response encoder splices those bytes in as they are."""

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
        if path.prev is None and self.operation.operation is OperationType.SUBSCRIPTION:
            return self._complete_event(return_type, field_details_list, info, path, result, position_context)
        return super().complete_value(return_type, field_details_list, info, path, result, position_context)

    def _complete_event(
        self, return_type: Any, field_details_list: Any, info: Any, path: Any, result: Any, position_context: Any
    ) -> Any:
        nodes = tuple(details.node for details in field_details_list)
        names = [_variables_in(node) for node in nodes]
        try:
            rendered = _RENDERED.setdefault(result, {})
        except TypeError:  # not weak-referenceable: nothing to share
            return super().complete_value(return_type, field_details_list, info, path, result, position_context)
        if any(n is None for n in names):
            return super().complete_value(return_type, field_details_list, info, path, result, position_context)
        values = self.variable_values.coerced
        used = sorted({name for group in names for name in group or ()})
        key = (tuple(id(node) for node in nodes), orjson.dumps({n: values.get(n) for n in used}, default=str))
        hit = rendered.get(key)
        if hit is not None and all(a is b for a, b in zip(hit[0], nodes, strict=True)):
            return hit[1]
        errors_before = len(self.collected_errors.errors)
        completed = super().complete_value(return_type, field_details_list, info, path, result, position_context)
        if self.is_awaitable(completed) or not isinstance(completed, dict):
            return completed
        if len(self.collected_errors.errors) != errors_before:  # errors are per subscriber: do not share
            return completed
        fragment = orjson.Fragment(orjson.dumps(completed))
        rendered[key] = (nodes, fragment)
        return fragment
