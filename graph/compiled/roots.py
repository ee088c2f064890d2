"""Root fields answered by the compiler when their whole selection is plain data."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any
from uuid import UUID

import orjson
import strawberry
from graphql import GraphQLObjectType, get_named_type
from sqlalchemy import TextClause, text

from db.pagination import Order, Page
from db.reads import ListQuery
from graph.compiled.compiler import Compiler, Unsupported, field_details
from graph.context import Context

# Compiled statements by (document, operation, field path, variables, list query
# shape): the SQL depends on nothing else, so a dashboard that refreshes the same
# query all day compiles it once. Values of the caller (its clinic) stay parameters.
_CACHE: OrderedDict[tuple[Any, ...], tuple[TextClause, dict[str, Any]] | None] = OrderedDict()
_CACHE_SIZE = 256


def _key(info: strawberry.Info[Context, None], *shape: Any) -> tuple[Any, ...] | None:
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


def _cached(
    key: tuple[Any, ...] | None, build: Callable[[], tuple[TextClause, dict[str, Any]] | None]
) -> tuple[TextClause, dict[str, Any]] | None:
    if key is not None and key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    compiled = build()
    if key is not None:
        _CACHE[key] = compiled
        if len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return compiled


def _compile(
    info: strawberry.Info[Context, None], query: ListQuery, order: Order, page: Page
) -> tuple[TextClause, dict[str, Any]] | None:
    raw = info._raw_info
    conn_type = get_named_type(raw.return_type)
    assert isinstance(conn_type, GraphQLObjectType)
    compiler = Compiler(raw, info.context.executor)
    try:
        sql = compiler.connection_json(conn_type, field_details(raw), query.table, query.where, "c", order, page)
    except Unsupported:
        return None
    return text(f"SELECT ({sql})::text AS j"), compiler.params


async def connection(
    info: strawberry.Info[Context, None], query: ListQuery, order: Order, page: Page
) -> orjson.Fragment | None:
    """The connection of `query`'s rows as JSON from one statement; None when it cannot be compiled."""
    if info.context.executor is None:
        return None
    shape = (query.table, query.where, tuple(sorted(query.params)), order, page)
    compiled = _cached(_key(info, *shape), lambda: _compile(info, query, order, page))
    if compiled is None:
        return None
    statement, compiler_params = compiled
    row = await info.context.db.fetch_one(statement, {**query.params, **compiler_params})
    assert row is not None
    return orjson.Fragment(row["j"])


def _compile_one(info: strawberry.Info[Context, None], table: str) -> tuple[TextClause, dict[str, Any]] | None:
    raw = info._raw_info
    node_type = get_named_type(raw.return_type)
    assert isinstance(node_type, GraphQLObjectType)
    compiler = Compiler(raw, info.context.executor)
    try:
        obj = compiler.object_json(node_type, field_details(raw), "c")
    except Unsupported:
        return None
    sql = f"SELECT (SELECT {obj} FROM {table} c WHERE c.tenant_id = :_tenant AND c.id = :_id)::text AS j"
    return text(sql), compiler.params


async def one(info: strawberry.Info[Context, None], table: str, tenant: str, pk: UUID) -> tuple[bool, Any]:
    """(compiled, value): the object's JSON, or None when it does not exist or is hidden by RLS."""
    if info.context.executor is None:
        return False, None
    compiled = _cached(_key(info, "one", table), lambda: _compile_one(info, table))
    if compiled is None:
        return False, None
    statement, compiler_params = compiled
    row = await info.context.db.fetch_one(statement, {**compiler_params, "_tenant": tenant, "_id": pk})
    assert row is not None
    return True, None if row["j"] is None else orjson.Fragment(row["j"])
