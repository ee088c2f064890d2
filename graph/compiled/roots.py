"""Root fields answered by one compiled statement: a page of a list, objects by key.

The statement's result is the response JSON for the field. When the selection
holds resolver-only fields, the parts around them arrive as JSON text, decoded
here into objects the executor completes (`_vetql_pre` holds each compiled
part by response key); the rows of objects whose own fields need Python are
read by their loader, one statement per type.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

import orjson
import strawberry
from graphql import GraphQLObjectType, get_named_type

from db import json_sql as q
from db import reads
from db.expressions import ListOrder
from db.pagination import Order, Page
from db.reads import Listing, ListQuery
from graph.compiled.planner import Planner, Unsupported, field_details
from graph.context import Context
from graph.table import TableSpec, spec_of

Info = strawberry.Info[Context, None]
T = TypeVar("T")
_NO_ORDER = ListOrder(lambda _a: "")  # a root list's plan: only decoded, never rendered as a child list


class Prepared:
    """A connection, edge or page info whose every selected part is compiled: the executor completes it from
    `_vetql_pre` (graph/compiled/execution.py)."""

    __slots__ = ("_vetql_pre",)

    def __init__(self, parts: dict[str, Any]) -> None:
        self._vetql_pre = parts


class Compiled:
    """One root field's statement, and its plan when the result needs decoding."""

    __slots__ = ("params", "plan", "python", "statement")

    def __init__(self, statement: str, params: dict[str, Any], plan: Any) -> None:
        self.statement = statement
        self.params = params
        self.plan = plan
        self.python = q.needs_python(plan)


# Compiled statements by (document, operation, field path, variables, shape): the SQL depends
# on nothing else, so a dashboard that refreshes the same query all day plans it once. Values of
# the caller (its clinic) stay parameters.
_CACHE: OrderedDict[tuple[Any, ...], Compiled | None] = OrderedDict()
_CACHE_SIZE = 256


def _key(info: Info, *shape: Any) -> tuple[Any, ...] | None:
    raw = info._raw_info
    loc = raw.operation.loc
    if loc is None:
        return None
    try:
        variables = orjson.dumps(raw.variable_values, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return None
    operation = raw.operation.name.value if raw.operation.name else None
    return (loc.source.body, operation, tuple(raw.path.as_list()), variables, *shape)


def _cached(key: tuple[Any, ...] | None, build: Callable[[], Compiled | None]) -> Compiled | None:
    if key is not None and key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    compiled = build()
    if key is not None:
        _CACHE[key] = compiled
        if len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return compiled


def _plan(info: Info, build: Callable[[Planner], tuple[str, dict[str, Any], Any]]) -> Compiled | None:
    try:
        sql, params, plan = build(Planner(info._raw_info, info.context.executor))
    except (Unsupported, q.TooWide):
        return None
    return Compiled(sql, params, plan)


def _usable(info: Info) -> bool:
    return info.context.compiled and info.context.executor is not None


async def connection(info: Info, query: ListQuery, order: Order, page: Page) -> Any:
    """The connection of `query`'s rows from one statement; None when it cannot be compiled."""
    if not _usable(info):
        return None

    def build(planner: Planner) -> tuple[str, dict[str, Any], Any]:
        raw = info._raw_info
        conn_type = get_named_type(raw.return_type)
        assert isinstance(conn_type, GraphQLObjectType)
        plan = planner.connection(conn_type, field_details(raw), [query.where], order, page)
        sql, params = q.root_connection(plan, tenant="tenant" if "tenant" in query.params else None)
        return sql, params, plan

    shape = (query.table, query.where, tuple(sorted(query.params)), order, page)
    compiled = _cached(_key(info, *shape), lambda: _plan(info, build))
    if compiled is None:
        return None
    row = await info.context.db.fetch_one(compiled.statement, {**query.params, **compiled.params})
    assert row is not None
    return await _result(info, compiled, row["j"])


async def listing(info: Info, listed: Listing, *, first_only: bool = False) -> Any:
    """A whole root list (or its first object) from one statement; None when it cannot be compiled."""
    if not _usable(info):
        return None

    def build(planner: Planner) -> tuple[str, dict[str, Any], Any]:
        raw = info._raw_info
        item_type = get_named_type(raw.return_type)
        assert isinstance(item_type, GraphQLObjectType)
        plan = planner.row(item_type, field_details(raw))
        sql, params = q.root_list(listed, plan, first_only=first_only)
        return sql, params, (plan if first_only else q.Many(listed.table, "", [], _NO_ORDER, plan))

    shape = (listed.table, listed.where, listed.order_by, listed.limit, tuple(sorted(listed.params)), first_only)
    compiled = _cached(_key(info, "list", *shape), lambda: _plan(info, build))
    if compiled is None:
        return None
    row = await info.context.db.fetch_one(compiled.statement, {**listed.params, **compiled.params})
    assert row is not None
    return await _result(info, compiled, row["j"])


async def listed(info: Info, rows: Listing, cls: type[T]) -> list[T]:
    """A whole root list of a described type: compiled from the selection, else rows through the type's codecs."""
    fast = await listing(info, rows)
    if fast is not None:
        return cast(list[T], fast)
    spec = cls.__vetql_table__  # type: ignore[attr-defined]
    return [spec.from_row(r) for r in await reads.listed(info.context.db, rows, spec.select_list)]


async def first(info: Info, rows: Listing, cls: type[T]) -> T | None:
    """The first object of a root list of a described type (compiled when possible)."""
    fast = await listing(info, rows, first_only=True)
    if fast is not None:
        return cast(T | None, fast)
    spec = cls.__vetql_table__  # type: ignore[attr-defined]
    found = await reads.listed(info.context.db, rows, spec.select_list)
    return cast(T, spec.from_row(found[0])) if found else None


def _rows_plan(info: Info, spec: TableSpec, type_name: str, scoped: bool, one: bool) -> Compiled | None:
    assert spec.table is not None
    table = spec.table

    def build(planner: Planner) -> tuple[str, dict[str, Any], Any]:
        gql_type = info._raw_info.schema.get_type(type_name)
        assert isinstance(gql_type, GraphQLObjectType)
        plan = planner.row(gql_type, field_details(info._raw_info), spec)
        sql, params = q.root_rows(table, plan, shared=not scoped, key=spec.key, key_type=spec.key_type, one=one)
        return sql, params, plan

    return _cached(_key(info, "rows", type_name, scoped, one), lambda: _plan(info, build))


async def by_keys(info: Info, type_name: str, keys: Sequence[Any]) -> dict[Any, Any] | None:
    """Objects of one type by key (only those that exist and RLS shows), from one statement; None when
    the selection cannot be compiled. Works for a field typed as the object or as an interface it implements."""
    if not _usable(info):
        return None
    spec = spec_of(type_name)
    tenant = info.context.tenant_id
    if not spec.shared and tenant is None and not spec.platform_visible:
        return {}
    # The platform reads every clinic's rows of some tables (RLS decides); everyone else their clinic's.
    scoped = not spec.shared and tenant is not None
    one = len(keys) == 1
    compiled = _rows_plan(info, spec, type_name, scoped, one)
    if compiled is None:
        return None
    params = {**compiled.params, **({"_id": keys[0]} if one else {"_ids": list(keys)})}
    if scoped:
        params["_tenant"] = tenant
    rows = await info.context.db.fetch(compiled.statement, params)
    return {r["k"]: await _result(info, compiled, r["j"]) for r in rows}


async def _result(info: Info, compiled: Compiled, json: str | None) -> Any:
    if json is None:
        return None
    if not compiled.python:
        return orjson.Fragment(json)
    pending: list[tuple[TableSpec, Any, Any]] = []
    value = _decode(compiled.plan, orjson.loads(json), pending)
    await _load(info, pending)
    return value


def _parts(pairs: list[tuple[str, Any]], value: dict[str, Any], pending: list[Any]) -> dict[str, Any]:
    parts: dict[str, Any] = {}
    for key, plan in pairs:
        part = value[key]
        if not q.needs_python(plan):
            parts[key] = None if part is None else orjson.Fragment(part)
        else:
            parts[key] = _decode(plan, part, pending)
    return parts


def _decode(plan: Any, value: Any, pending: list[tuple[TableSpec, Any, Any]]) -> Any:
    if value is None:
        return None
    if isinstance(plan, q.Embedded | q.One):
        return _decode(plan.row, value, pending)
    if isinstance(plan, q.Many):
        return [_decode(plan.row, item, pending) for item in value]
    if isinstance(plan, q.Row):
        spec = spec_of(plan.type_name)
        obj = spec.cls.__new__(spec.cls)
        obj._vetql_pre = _parts(plan.pairs, value, pending)
        if plan.resolver_only:
            pending.append((spec, value[q.PK], obj))
        return obj
    if isinstance(plan, q.PagePlan):
        parts: dict[str, Any] = {}
        for key, part_plan in plan.pairs:
            part = value[key]
            if not q.needs_python(part_plan):
                parts[key] = None if part is None else orjson.Fragment(part)
            elif isinstance(part_plan, q.Edges):
                parts[key] = [Prepared(_parts(part_plan.pairs, edge, pending)) for edge in part]
            else:  # nodes
                parts[key] = [_decode(part_plan, item, pending) for item in part]
        return Prepared(parts)
    raise TypeError(plan)


async def _load(info: Info, pending: list[tuple[TableSpec, Any, Any]]) -> None:
    """Give objects whose resolver-only fields need their row that row: one statement per type."""
    by_spec: dict[int, tuple[TableSpec, list[tuple[Any, Any]]]] = {}
    for spec, key, obj in pending:
        by_spec.setdefault(id(spec), (spec, []))[1].append((key, obj))
    for spec, items in by_spec.values():
        loaded = await info.context.loaders.by_key(spec).load_many([_key_value(spec, k) for k, _ in items])
        for (_, obj), row in zip(items, loaded, strict=True):
            if row is not None:
                spec.fill(obj, row)


def _key_value(spec: TableSpec, key: Any) -> Any:
    if spec.key_type == "uuid":
        from uuid import UUID

        return UUID(key)
    return key
