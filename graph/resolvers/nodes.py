"""`node(id:)` and `nodes(ids:)`: any object by its global ID, under RLS."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from uuid import UUID

import strawberry

from graph.compiled import roots as compiled
from graph.context import Context
from graph.errors import BadUserInput
from graph.table import TableSpec, known
from graph.types.node import Node, from_global_id

MAX_NODES = 100

NodeId = Annotated[strawberry.ID, strawberry.argument(description="A global ID from any object's `id` field.")]


def _parse(global_id: str) -> tuple[TableSpec, Any]:
    """The described type an ID names, and its key; BAD_USER_INPUT when it names none of ours."""
    type_name, key = from_global_id(global_id)
    spec = known(type_name)
    if spec is None or spec.table is None:
        raise BadUserInput(f"{global_id!r} is not a valid ID")
    if spec.key_type != "uuid":
        return spec, key
    try:
        return spec, UUID(key)
    except ValueError:
        raise BadUserInput(f"{global_id!r} is not a valid ID") from None


async def _fetch(info: strawberry.Info[Context, None], spec: TableSpec, keys: list[Any]) -> dict[Any, Any]:
    """Objects of one type by key: compiled from the selection when possible, else through the type's loader."""
    found = await compiled.by_keys(info, spec.name, keys)
    if found is not None:
        return found
    rows = await info.context.loaders.by_key(spec).load_many(keys)
    return {k: spec.from_row(r) for k, r in zip(keys, rows, strict=True) if r is not None}


async def node(info: strawberry.Info[Context, None], id: NodeId) -> Node | None:
    """The object with this ID, or null if it does not exist or the caller may not see it."""
    spec, key = _parse(id)
    return (await _fetch(info, spec, [key])).get(key)


async def nodes(
    info: strawberry.Info[Context, None],
    ids: Annotated[list[strawberry.ID], strawberry.argument(description=f"Up to {MAX_NODES} global IDs.")],
) -> list[Node | None]:
    """Several objects by ID, in the order asked; null where one is missing or hidden."""
    if len(ids) > MAX_NODES:
        raise BadUserInput(f"at most {MAX_NODES} ids at once")
    parsed = [_parse(i) for i in ids]
    by_type: dict[str, tuple[TableSpec, list[Any]]] = {}
    for spec, key in parsed:
        by_type.setdefault(spec.name, (spec, []))[1].append(key)
    # One statement per type asked for, however many ids.
    found = await asyncio.gather(*(_fetch(info, spec, list(dict.fromkeys(keys))) for spec, keys in by_type.values()))
    objects = {(name, key): obj for name, got in zip(by_type, found, strict=True) for key, obj in got.items()}
    return [objects.get((spec.name, key)) for spec, key in parsed]
