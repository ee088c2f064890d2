"""Root fields answered by the compiler when their whole selection is plain data."""

from __future__ import annotations

from typing import Any

import orjson
import strawberry
from graphql import GraphQLObjectType, get_named_type
from sqlalchemy import text

from db.pagination import Order, Page
from db.reads import ListQuery
from graph.compiled.compiler import Compiler, Unsupported, field_details
from graph.context import Context


async def connection(
    info: strawberry.Info[Context, None], query: ListQuery, order: Order, page: Page
) -> orjson.Fragment | None:
    """The connection of `query`'s rows as JSON from one statement; None when it cannot be compiled."""
    raw = info._raw_info
    conn_type = get_named_type(raw.return_type)
    assert isinstance(conn_type, GraphQLObjectType)
    if info.context.executor is None:
        return None
    compiler = Compiler(raw, info.context.executor)
    try:
        sql = compiler.connection_json(conn_type, field_details(raw), query.table, query.where, "c", order, page)
    except Unsupported:
        return None
    params: dict[str, Any] = {**query.params, **compiler.params}
    row = await info.context.db.fetch_one(text(f"SELECT ({sql})::text AS j"), params)
    assert row is not None
    return orjson.Fragment(row["j"])
