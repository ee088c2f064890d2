"""The read path's SQL: batched by parent, paged by keyset, always under RLS.

Table and column names here come from code, never from input; every value
is a bound parameter. Each function is one statement however many parents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import text

from db.expressions import ALERT_IS_ACTIVE
from db.pagination import Order, Page, keyset_sql
from db.session import RequestDb, Row

# An alert is active until it is switched off or its expiry passes (db/expressions.py); for writes' RETURNING.
ACTIVE_ALERT = ALERT_IS_ACTIVE.sql("c")
ALERT_COLUMNS = f"c.*, {ALERT_IS_ACTIVE.select('c')}"


@dataclass(frozen=True, slots=True)
class ChildFilter:
    """Extra condition on a paged child list; hashable so it can key a loader."""

    sql: str = "TRUE"
    params: tuple[tuple[str, Any], ...] = ()


async def rows_by_ids(
    db: RequestDb, table: str, tenant: str, ids: Sequence[UUID], *, columns: str = "c.*"
) -> dict[UUID, Row]:
    rows = await db.fetch(
        text(f"SELECT {columns} FROM {table} c WHERE c.tenant_id = :tenant AND c.id = ANY(CAST(:ids AS uuid[]))"),
        {"tenant": tenant, "ids": list(ids)},
    )
    return {row["id"]: row for row in rows}


async def shared_rows_by_ids(
    db: RequestDb, table: str, ids: Sequence[Any], id_type: str, *, columns: str = "c.*"
) -> dict[Any, Row]:
    """Rows of shared reference tables (no tenant_id), e.g. diagnosis codes; or every clinic's, as RLS allows."""
    rows = await db.fetch(
        text(f"SELECT {columns} FROM {table} c WHERE c.id = ANY(CAST(:ids AS {id_type}[]))"), {"ids": list(ids)}
    )
    return {row["id"]: row for row in rows}


async def children(
    db: RequestDb,
    table: str,
    fk: str,
    tenant: str,
    parent_ids: Sequence[UUID],
    *,
    where: ChildFilter,
    order_by: str,
    columns: str = "c.*",
) -> dict[UUID, list[Row]]:
    """All children of each parent (short lists: alerts, problems)."""
    rows = await db.fetch(
        text(
            f"SELECT {columns} FROM {table} c WHERE c.tenant_id = :tenant AND c.{fk} = ANY(CAST(:ids AS uuid[]))"
            f" AND {where.sql} ORDER BY {order_by}"
        ),
        {"tenant": tenant, "ids": list(parent_ids), **dict(where.params)},
    )
    grouped: dict[UUID, list[Row]] = {pid: [] for pid in parent_ids}
    for row in rows:
        grouped[row[fk]].append(row)
    return grouped


async def child_pages(
    db: RequestDb,
    table: str,
    fk: str,
    tenant: str,
    parent_ids: Sequence[UUID],
    order: Order,
    page: Page,
    extra: ChildFilter = ChildFilter(),
    columns: str = "c.*",
) -> dict[UUID, list[Row]]:
    """One page of children per parent (e.g. last 10 vitals of each log), in one statement.

    LATERAL runs the keyset query once per parent on its index, so "last N per
    parent" reads N+1 rows per parent, never the whole history.
    """
    conditions, order_by, params, limit = keyset_sql(order, page, "c")
    rows = await db.fetch(
        text(
            f"SELECT p.parent_id AS _parent, c.* FROM unnest(CAST(:ids AS uuid[])) AS p(parent_id)"
            f" CROSS JOIN LATERAL (SELECT {columns} FROM {table} c WHERE c.tenant_id = :tenant"
            f" AND c.{fk} = p.parent_id AND {conditions} AND {extra.sql}"
            f" ORDER BY {order_by} LIMIT :limit) c"
        ),
        {"tenant": tenant, "ids": list(parent_ids), "limit": limit, **params, **dict(extra.params)},
    )
    grouped: dict[UUID, list[Row]] = {pid: [] for pid in parent_ids}
    for row in rows:
        grouped[row["_parent"]].append(row)
    return grouped


async def child_counts(
    db: RequestDb,
    table: str,
    fk: str,
    tenant: str,
    parent_ids: Sequence[UUID],
    extra: ChildFilter = ChildFilter(),
) -> dict[UUID, int]:
    rows = await db.fetch(
        text(
            f"SELECT c.{fk} AS parent, count(*) AS n FROM {table} c WHERE c.tenant_id = :tenant"
            f" AND c.{fk} = ANY(CAST(:ids AS uuid[])) AND {extra.sql} GROUP BY c.{fk}"
        ),
        {"tenant": tenant, "ids": list(parent_ids), **dict(extra.params)},
    )
    counts = {pid: 0 for pid in parent_ids}
    counts.update({row["parent"]: row["n"] for row in rows})
    return counts


@dataclass(frozen=True, slots=True)
class ListQuery:
    """A top-level list: its table, filter SQL and params, shared by page and count."""

    table: str
    where: str
    params: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Listing:
    """A whole (unpaged) list of one table's rows, alias `c`: its filter, order and cap."""

    table: str
    where: str
    params: dict[str, Any]
    order_by: str
    limit: int | None = None

    def sql(self, columns: str) -> str:
        cap = "" if self.limit is None else f" LIMIT {int(self.limit)}"
        return f"SELECT {columns} FROM {self.table} c WHERE {self.where} ORDER BY {self.order_by}{cap}"


async def listed(db: RequestDb, listing: Listing, columns: str = "c.*") -> list[Row]:
    return list(await db.fetch(listing.sql(columns), listing.params))


async def list_page(db: RequestDb, query: ListQuery, order: Order, page: Page, *, columns: str = "c.*") -> list[Row]:
    conditions, order_by, params, limit = keyset_sql(order, page, "c")
    rows = await db.fetch(
        text(
            f"SELECT {columns} FROM {query.table} c WHERE {query.where} AND {conditions}"
            f" ORDER BY {order_by} LIMIT :limit"
        ),
        {**query.params, **params, "limit": limit},
    )
    return list(rows)


async def list_count(db: RequestDb, query: ListQuery) -> int:
    row = await db.fetch_one(text(f"SELECT count(*) AS n FROM {query.table} c WHERE {query.where}"), query.params)
    return int(row["n"]) if row else 0


def pet_list_query(
    tenant: str,
    *,
    search: str | None = None,
    species: Sequence[str] | None = None,
    has_active_alerts: bool | None = None,
    owner: UUID | None = None,
    include_archived: bool = False,
) -> ListQuery:
    """The clinic's patients meeting every condition given (RLS: an owner's, their own); archived ones on request."""
    conditions = ["c.tenant_id = :tenant"]
    if not include_archived:
        conditions.append("c.archived_at IS NULL")
    params: dict[str, Any] = {"tenant": tenant}
    if search is not None:
        conditions.append("(c.name ILIKE :pattern OR c.microchip_id = :search)")
        params.update(pattern=like_pattern(search), search=search)
    if species:
        conditions.append("c.species = ANY(CAST(:species AS text[]))")
        params["species"] = list(species)
    if has_active_alerts is not None:
        exists = (
            "EXISTS (SELECT 1 FROM patient_alerts a WHERE a.tenant_id = :tenant AND a.pet_id = c.id"
            f" AND {ALERT_IS_ACTIVE.sql('a')})"
        )
        conditions.append(exists if has_active_alerts else f"NOT {exists}")
    if owner is not None:
        conditions.append("c.owner_id = :owner")
        params["owner"] = owner
    return ListQuery("pets", " AND ".join(conditions), params)


def like_pattern(search: str) -> str:
    escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
