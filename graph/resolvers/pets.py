"""`pets` and `pet`: the patient list and one patient."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, cast

import strawberry

from db import reads
from db.pagination import Order, slice_rows
from graph.compiled import roots as compiled
from graph.context import Context
from graph.errors import BadUserInput
from graph.paging import After, Before, First, Last, to_page
from graph.types.connection import Connection, build_connection
from graph.types.enums import Species
from graph.types.node import uuid_of
from graph.types.pet import Pet

MAX_SEARCH = 100


@strawberry.enum(description="Orders of the patient list.")
class PetOrder(Enum):
    NAME_ASC = "name_asc"
    NAME_DESC = "name_desc"
    CREATED_AT_ASC = "created_at_asc"
    CREATED_AT_DESC = "created_at_desc"


_ORDERS = {
    PetOrder.NAME_ASC: Order((("name", "text"), ("id", "uuid"))),
    PetOrder.NAME_DESC: Order((("name", "text"), ("id", "uuid")), descending=True),
    PetOrder.CREATED_AT_ASC: Order((("created_at", "timestamptz"), ("id", "uuid"))),
    PetOrder.CREATED_AT_DESC: Order((("created_at", "timestamptz"), ("id", "uuid")), descending=True),
}


@strawberry.input(description="Narrows the patient list. All given conditions must hold.")
class PetFilter:
    search: str | None = strawberry.field(
        default=None, description="Part of the name (any case), or an exact microchip number."
    )
    species: list[Species] | None = strawberry.field(default=None, description="Any of these species.")
    has_active_alerts: bool | None = strawberry.field(
        default=None, description="True: only pets with an active alert; false: only pets without."
    )
    owner_id: strawberry.ID | None = strawberry.field(default=None, description="Only this owner's pets.")
    include_archived: bool = strawberry.field(default=False, description="Also archived pets (hidden by default).")


def _list_query(tenant: str, where: PetFilter | None) -> reads.ListQuery:
    if where is None:
        return reads.pet_list_query(tenant)
    search = None
    if where.search is not None:
        search = where.search.strip()
        if not search or len(search) > MAX_SEARCH:
            raise BadUserInput(f"search must be 1 to {MAX_SEARCH} characters")
    return reads.pet_list_query(
        tenant,
        search=search,
        species=None if not where.species else [s.value for s in where.species],
        has_active_alerts=where.has_active_alerts,
        owner=None if where.owner_id is None else uuid_of(where.owner_id, "Profile"),
        include_archived=where.include_archived,
    )


async def pets(
    info: strawberry.Info[Context, None],
    first: First = None,
    after: After = None,
    last: Last = None,
    before: Before = None,
    filter: Annotated[PetFilter | None, strawberry.argument(description="Conditions the pets must meet.")] = None,
    order_by: Annotated[PetOrder, strawberry.argument(description="Sort order.")] = PetOrder.NAME_ASC,
) -> Connection[Pet]:
    """The clinic's patients (an owner: their own pets), a page at a time."""
    order = _ORDERS[order_by]
    page = to_page(order, first, after, last, before)
    ctx = info.context
    if ctx.tenant_id is None:  # platform operator or anonymous: no clinical data
        return build_connection(slice_rows([], page), order, Pet.from_row, _zero)
    query = _list_query(ctx.tenant_id, filter)
    fast = await compiled.connection(info, query, order, page)
    if fast is not None:  # JSON straight from SQL (resolver-only fields, if any, around it)
        return cast(Connection[Pet], fast)
    rows = await reads.list_page(ctx.db, query, order, page, columns=Pet.__vetql_table__.select_list)
    for row in rows:
        ctx.loaders.pet_by_id.prime(row["id"], row)
    return build_connection(
        slice_rows(rows, page),
        order,
        Pet.from_row,
        lambda: reads.list_count(ctx.db, query),
    )


async def _zero() -> int:
    return 0


async def pet(
    info: strawberry.Info[Context, None],
    id: Annotated[strawberry.ID, strawberry.argument(description="The pet's global ID.")],
) -> Pet | None:
    """One patient by ID; null if it does not exist or the caller may not see it."""
    pk = uuid_of(id, "Pet")
    ctx = info.context
    found = await compiled.by_keys(info, "Pet", [pk])
    if found is not None:
        return cast(Pet | None, found.get(pk))
    row = await ctx.loaders.pet_by_id.load(pk)
    return None if row is None else Pet.from_row(row)
