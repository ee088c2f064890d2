"""Root fields answered by the compiler when their whole selection is plain data."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

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


def _key(info: strawberry.Info[Context, None], query: ListQuery, order: Order, page: Page) -> tuple[Any, ...] | None:
    raw = info._raw_info
    loc = raw.operation.loc
    if loc is None:
        return None
    try:
        variables = orjson.dumps(raw.variable_values, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return None
    shape = (query.table, query.where, tuple(sorted(query.params)))
    return (
        loc.source.body,
        raw.operation.name.value if raw.operation.name else None,
        tuple(raw.path.as_list()),
        variables,
        shape,
        order,
        page,
    )


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
    key = _key(info, query, order, page)
    if key is not None and key in _CACHE:
        _CACHE.move_to_end(key)
        compiled = _CACHE[key]
    else:
        compiled = _compile(info, query, order, page)
        if key is not None:
            _CACHE[key] = compiled
            if len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
    if compiled is None:
        return None
    statement, compiler_params = compiled
    row = await info.context.db.fetch_one(statement, {**query.params, **compiler_params})
    assert row is not None
    return orjson.Fragment(row["j"])
