"""Per-request DataLoaders: one batched SQL statement per nesting level, built from the types' descriptions.

Built fresh for every operation (never at module level, which would serve
one caller's rows to another). Each loader is bound to the caller's clinic;
with no clinic in the claims there is no clinic data to load. A loader is made
on first use for each (type, relation, arguments) and reused for the rest of
the operation, so siblings asking for the same thing share one statement.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, TypeVar
from uuid import UUID

from aiodataloader import DataLoader

from db import billing, reads
from db.expressions import Condition
from db.json_sql import condition_sql
from db.pagination import Page
from db.reads import ChildFilter
from db.session import RequestDb, Row
from graph.table import Paged, TableSpec, ToMany, spec_of

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

Conditions = tuple[tuple[Condition, Any], ...]


class _Loader(DataLoader[K, V]):
    def __init__(self, batch: Callable[[Sequence[K]], Awaitable[list[V]]]) -> None:
        super().__init__()
        self._batch = batch

    async def batch_load_fn(self, keys: Sequence[K]) -> list[V]:
        return await self._batch(keys)


def _filter(conditions: Conditions) -> ChildFilter:
    """The SQL of a child list's argument conditions, over alias `c`, with its parameters."""
    sql: list[str] = []
    params: list[tuple[str, Any]] = []
    for i, (condition, value) in enumerate(conditions):
        name = f"arg{i}"
        text = condition_sql(condition, value, f":{name}")
        if text is None:
            continue
        sql.append(text.replace("{a}", "c"))
        if f":{name}" in text:
            params.append((name, value))
    return ChildFilter(" AND ".join(sql) or "TRUE", tuple(params))


class Loaders:
    """Every loader of one operation, bound to its database transaction and clinic."""

    def __init__(self, db: RequestDb, tenant: str | None) -> None:
        self._db = db
        self._tenant = tenant
        self._made: dict[tuple[Any, ...], Any] = {}
        # Billing rows: a clinic's admin reads its own, the platform (no clinic) every clinic's (RLS).
        self.subscription_by_clinic: _Loader[str, Row | None] = _Loader(self._subscriptions)

    def _once(self, key: tuple[Any, ...], make: Callable[[], V]) -> V:
        made: V | None = self._made.get(key)
        if made is None:
            made = self._made[key] = make()
        return made

    def of(self, type_name: str) -> _Loader[Any, Row | None]:
        """Rows of a described type (graph/table.py) by key."""
        return self.by_key(spec_of(type_name))

    def forget(self, type_name: str) -> None:
        """Drop everything this operation has loaded of a described type (after writing to its table)."""
        table = spec_of(type_name).table
        self._made = {key: loader for key, loader in self._made.items() if key[1] != table}

    @property
    def pet_by_id(self) -> _Loader[UUID, Row | None]:
        return self.by_key(spec_of("Pet"))

    @property
    def profile_by_id(self) -> _Loader[UUID, Row | None]:
        return self.by_key(spec_of("Profile"))

    def by_key(self, spec: TableSpec) -> _Loader[Any, Row | None]:
        """Rows of `spec`'s table by key; None where missing or hidden by RLS."""
        assert spec.table is not None
        table = spec.table

        async def batch(keys: Sequence[Any]) -> list[Row | None]:
            if spec.shared or (self._tenant is None and spec.platform_visible):
                rows = await reads.shared_rows_by_ids(self._db, table, keys, spec.key_type, columns=spec.select_list)
            elif self._tenant is None:
                return [None] * len(keys)
            else:
                rows = await reads.rows_by_ids(self._db, table, self._tenant, keys, columns=spec.select_list)
            return [rows.get(k) for k in keys]

        return self._once(("key", table), lambda: _Loader(batch))

    def children(self, spec: TableSpec, relation: ToMany, conditions: Conditions) -> _Loader[UUID, list[Row]]:
        """Whole child lists by parent id, narrowed by the list's argument conditions."""
        assert spec.table is not None
        table, extra = spec.table, _filter(conditions)

        async def batch(parents: Sequence[UUID]) -> list[list[Row]]:
            if self._tenant is None:
                return [[] for _ in parents]
            rows = await reads.children(
                self._db,
                table,
                relation.fk,
                self._tenant,
                parents,
                where=extra,
                order_by=relation.order.sql("c"),
                columns=spec.select_list,
            )
            return [rows[p] for p in parents]

        return self._once(("children", table, relation.fk, extra), lambda: _Loader(batch))

    def pages(self, spec: TableSpec, relation: Paged, conditions: Conditions) -> _Loader[tuple[UUID, Page], list[Row]]:
        """One page of children per (parent id, page)."""
        assert spec.table is not None
        table, extra = spec.table, _filter(conditions)

        async def batch(keys: Sequence[tuple[UUID, Page]]) -> list[list[Row]]:
            if self._tenant is None:
                return [[] for _ in keys]
            by_page: dict[Page, list[UUID]] = {}
            for parent, page in keys:
                by_page.setdefault(page, []).append(parent)
            found: dict[tuple[UUID, Page], list[Row]] = {}
            for page, parents in by_page.items():
                rows = await reads.child_pages(
                    self._db, table, relation.fk, self._tenant, parents, relation.order, page, extra, spec.select_list
                )
                found.update({(p, page): rows[p] for p in parents})
            return [found[k] for k in keys]

        return self._once(("pages", table, relation.fk, extra), lambda: _Loader(batch))

    def counts(self, spec: TableSpec, relation: Paged, conditions: Conditions) -> _Loader[UUID, int]:
        """How many children each parent has, narrowed by the list's argument conditions."""
        assert spec.table is not None
        table, extra = spec.table, _filter(conditions)

        async def batch(parents: Sequence[UUID]) -> list[int]:
            if self._tenant is None:
                return [0] * len(parents)
            counts = await reads.child_counts(self._db, table, relation.fk, self._tenant, parents, extra)
            return [counts[p] for p in parents]

        return self._once(("counts", table, relation.fk, extra), lambda: _Loader(batch))

    async def _subscriptions(self, clinics: Sequence[str]) -> list[Row | None]:
        rows = await billing.current_subscriptions(self._db, clinics)
        return [rows.get(c) for c in clinics]
