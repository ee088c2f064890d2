"""Renders a selection plan (graph/compiled/planner.py) as ONE SQL expression that builds its JSON.

A plan is a tree of rows and relations, each value already paired with the SQL
that prints it exactly as the API serializes it (db/json_formats.py). Parts of
the tree that hold a field only Python can answer ("resolver-only") render as
JSON objects whose compiled values are JSON *text* (`needs_python`): the
executor splices each such text in as it is and runs the resolvers for the
rest; every other part renders as plain JSON inside one value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from db import json_formats as formats
from db.expressions import Condition, Flag, ListOrder, Sql
from db.pagination import Order, Page, keyset_sql

MAX_PAIRS = 50  # json_build_object takes at most 100 arguments
PK = "__pk"  # key of a resolver-only object's primary key in its JSON


class TooWide(Exception):
    """More fields in one object than one json_build_object takes."""


@dataclass(eq=False)
class Value:
    """A scalar: `sql(alias)` prints its JSON value."""

    sql: Sql


@dataclass(eq=False)
class Row:
    """The object of one row (or, embedded, of part of its parent's row)."""

    pairs: list[tuple[str, Plan]] = field(default_factory=list)
    resolver_only: bool = False  # some selected field is answered by a Python resolver
    type_name: str = ""
    key_column: str = "id"


@dataclass(eq=False)
class Embedded:
    """An object made of its parent row's own columns (JSON settings, preferences)."""

    row: Row


@dataclass(eq=False)
class One:
    """A to-one relation: `fk` on the parent points at `table`.`key`, in the same clinic unless `shared`."""

    table: str
    fk: str
    shared: bool
    row: Row
    key: str = "id"


# A condition on child rows: SQL with `{a}` for the child's alias (and `{p}` for the parent's),
# or an argument's condition with its value (bound as a parameter).
Filter = str | tuple[Condition, Any]


@dataclass(eq=False)
class Many:
    """A whole child list: rows of `table` whose `fk` is the parent's id, in `order`."""

    table: str
    fk: str
    conditions: list[Filter]
    order: ListOrder
    row: Row


@dataclass(eq=False)
class PageInfoPart:
    names: list[tuple[str, str]]  # response key -> PageInfo field name (or __typename)
    typename: str = "PageInfo"


@dataclass(eq=False)
class Edges:
    pairs: list[tuple[str, Plan]]  # response key -> "cursor" (Value None), node (Row) or __typename


@dataclass(eq=False)
class Cursor:
    pass


@dataclass(eq=False)
class TotalCount:
    pass


@dataclass(eq=False)
class PagePlan:
    """A Relay connection over `table` rows meeting `where` (SQL with `{a}` for the row alias)."""

    table: str
    where: list[Filter]
    order: Order
    page: Page
    pairs: list[tuple[str, Plan | PageInfoPart | Edges | TotalCount]] = field(default_factory=list)
    nodes_key: set[str] = field(default_factory=set)  # keys of `nodes` (items without cursors)


Plan = Value | Row | Embedded | One | Many | PagePlan | Edges | Cursor | TotalCount | PageInfoPart


SAME_CLINIC = "{a}.tenant_id = {p}.tenant_id"


def parent_join(fk: str) -> list[str]:
    """Children of the parent row (alias `{p}`) in the same clinic."""
    return [SAME_CLINIC, "{a}." + fk + " = {p}.id"]


def condition_sql(condition: Condition, value: Any, param: str | None) -> str | None:
    """What an argument's value keeps, as SQL with `{a}`; None when it keeps everything."""
    if isinstance(condition, Flag):
        return condition.sql("{a}") if value else None
    if value is None or param is None:
        return None
    return condition.sql("{a}", param)


def needs_python(plan: Any) -> bool:
    if isinstance(plan, Row):
        return plan.resolver_only or any(needs_python(p) for _, p in plan.pairs)
    if isinstance(plan, Embedded | One | Many):
        return needs_python(plan.row)
    if isinstance(plan, PagePlan | Edges):
        return any(needs_python(p) for _, p in plan.pairs)
    return False


class Renderer:
    """Renders plans to SQL; values of the request (cursors, `since`) become bound parameters.

    `tenant`: the parameter naming the one clinic every row of the statement belongs to, when
    there is one. Related rows are then matched to it (`t2.tenant_id = :tenant`), not only to
    their parent's tenant_id: the same rows, and what lets Citus see that every table of the
    statement is read on one shard and send the whole statement to the worker holding it.
    """

    def __init__(self, tenant: str | None = None) -> None:
        self.params: dict[str, Any] = {}
        self._aliases = 0
        self._same_clinic = f"{{a}}.tenant_id = :{tenant}" if tenant else SAME_CLINIC

    def param(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def alias(self) -> str:
        self._aliases += 1
        return f"t{self._aliases}"

    @staticmethod
    def _object(pairs: list[str]) -> str:
        if len(pairs) > MAX_PAIRS:
            raise TooWide
        return f"json_build_object({', '.join(pairs)})"

    def _member(self, key: str, plan: Any, a: str, python_parent: bool, render: Any) -> str:
        sql = render(plan, a)
        if python_parent and not needs_python(plan):
            sql = f"to_json({sql})::text"  # spliced in by the executor as it is
        return f"'{key}', {sql}"

    def where(self, filters: list[Filter], a: str, parent: str = "") -> str:
        """The filters as one condition on rows aliased `a` (children of the row aliased `parent`)."""
        out = []
        for f in filters:
            if isinstance(f, tuple):
                condition, value = f
                bound = condition_sql(condition, value, None if isinstance(condition, Flag) else self.param(value))
                if bound is None:
                    continue
                f = bound
            if f == SAME_CLINIC:
                f = self._same_clinic
            out.append(f.replace("{a}", a).replace("{p}", parent))
        return " AND ".join(out) or "TRUE"

    def value(self, plan: Plan, a: str) -> str:
        """SQL of `plan`'s JSON for the row aliased `a`."""
        if isinstance(plan, Value):
            return plan.sql(a)
        if isinstance(plan, Row):
            return self.row(plan, a)
        if isinstance(plan, Embedded):
            return self.row(plan.row, a)
        if isinstance(plan, One):
            return self.one(plan, a)
        if isinstance(plan, Many):
            return self.many(plan, a)
        if isinstance(plan, PagePlan):
            return self.connection(plan, a)
        raise TypeError(plan)

    def row(self, plan: Row, a: str) -> str:
        python = needs_python(plan)
        pairs = [self._member(key, p, a, python, self.value) for key, p in plan.pairs]
        if plan.resolver_only:
            pairs.append(f"'{PK}', {a}.{plan.key_column}")
        return self._object(pairs)

    def one(self, plan: One, a: str) -> str:
        b = self.alias()
        same_clinic = "" if plan.shared else self._same_clinic.replace("{a}", b).replace("{p}", a) + " AND "
        return (
            f"(SELECT {self.row(plan.row, b)} FROM {plan.table} {b}"
            f" WHERE {same_clinic}{b}.{plan.key} = {a}.{plan.fk})"
        )

    def many(self, plan: Many, a: str) -> str:
        b = self.alias()
        where = self.where([*parent_join(plan.fk), *plan.conditions], b, a)
        return (
            f"(SELECT coalesce(json_agg({self.row(plan.row, b)} ORDER BY {plan.order.sql(b)}), '[]'::json)"
            f" FROM {plan.table} {b} WHERE {where})"
        )

    def connection(self, plan: PagePlan, a: str, b: str | None = None) -> str:
        """JSON of one page of `plan.table` rows meeting `plan.where`, children of the row aliased `a`."""
        b = b or self.alias()
        condition = self.where(plan.where, b, a)
        prefix = f"{b}_"
        keyset, fetch_order, keyset_params, limit = keyset_sql(plan.order, plan.page, b, prefix)
        self.params.update(keyset_params)
        size = plan.page.size
        r = self.alias()
        rows = (
            f"(SELECT {b}.*, row_number() OVER (ORDER BY {fetch_order}) AS _rn"
            f" FROM (SELECT * FROM {plan.table} {b} WHERE {condition} AND {keyset} ORDER BY {fetch_order}"
            f" LIMIT {int(limit)}) {b}) {r}"
        )
        backwards = plan.page.backwards
        shown = f"{r}._rn DESC" if backwards else f"{r}._rn"
        unshown = f"{r}._rn" if backwards else f"{r}._rn DESC"
        cursor = formats.cursor([(f"{r}.{c}", typ) for c, typ in plan.order.columns])
        in_page = f"FILTER (WHERE {r}._rn <= {int(size)})"
        more = f"(count(*) > {int(size)})"
        has_next = more if not backwards else ("true" if plan.page.before is not None else "false")
        has_previous = more if backwards else ("true" if plan.page.after is not None else "false")
        page_info = {
            "hasNextPage": has_next,
            "hasPreviousPage": has_previous,
            "startCursor": f"(array_agg({cursor} ORDER BY {shown}) {in_page})[1]",
            "endCursor": f"(array_agg({cursor} ORDER BY {unshown}) {in_page})[1]",
        }
        python = needs_python(plan)

        def part(p: Any, _: str) -> str:
            if isinstance(p, TotalCount):
                return f"(SELECT count(*) FROM {plan.table} {b} WHERE {condition})"
            if isinstance(p, PageInfoPart):
                return self._object([f"'{k}', {page_info.get(n) or repr_literal(p.typename)}" for k, n in p.names])
            if isinstance(p, Edges):
                item = self._edge(p, r, cursor)
            elif isinstance(p, Row):
                item = self.row(p, r)
            elif isinstance(p, Value):
                return p.sql(r)
            else:
                raise TypeError(p)
            return f"coalesce(json_agg({item} ORDER BY {shown}) {in_page}, '[]'::json)"

        pairs = [self._member(key, p, r, python, part) for key, p in plan.pairs]
        # HAVING true: one row even when no aggregate is selected (e.g. only totalCount); not
        # GROUP BY (), which Citus refuses as a grouping set
        return f"(SELECT {self._object(pairs)} FROM {rows} HAVING true)"

    def _edge(self, plan: Edges, r: str, cursor: str) -> str:
        python = needs_python(plan)

        def part(p: Any, _: str) -> str:
            if isinstance(p, Cursor):
                return cursor
            return self.value(p, r)

        return self._object([self._member(key, p, r, python, part) for key, p in plan.pairs])


def repr_literal(typename: str) -> str:
    """A __typename (the only names a plan carries that are not fields): a quoted SQL literal."""
    return "'" + typename.replace("'", "''") + "'"


def typename(name: str) -> Value:
    literal = repr_literal(name) + "::text"
    return Value(lambda _a: literal)


def root_connection(plan: PagePlan, *, tenant: str | None = None) -> tuple[str, dict[str, Any]]:
    """A root list's page as one statement; `plan.where` filters its rows, alias `c` (all of the clinic
    in parameter `tenant`, if named)."""
    renderer = Renderer(tenant)
    sql = renderer.connection(plan, "", b="c")
    return f"SELECT ({sql})::text AS j", renderer.params


def root_rows(
    table: str, row: Row, *, shared: bool, key: str = "id", key_type: str = "uuid", one: bool = False
) -> tuple[str, dict[str, Any]]:
    """Objects of `table` by key (in the caller's clinic `:_tenant` unless shared): (key, JSON) rows.

    One key is compared as `= :_id`, several as `= ANY(:_ids)`: with one scalar key PostgreSQL settles on
    a generic plan for the prepared statement, where an array of keys keeps it planning the whole
    (large) statement on every execution.
    """
    renderer = Renderer(None if shared else "_tenant")
    obj = renderer.row(row, "c")
    clinic = "" if shared else "c.tenant_id = :_tenant AND "
    match = f"c.{key} = CAST(:_id AS {key_type})" if one else f"c.{key} = ANY(CAST(:_ids AS {key_type}[]))"
    sql = f"SELECT c.{key} AS k, ({obj})::text AS j FROM {table} c WHERE {clinic}{match}"
    return sql, renderer.params


def root_list(listing: Any, row: Row, *, first_only: bool = False) -> tuple[str, dict[str, Any]]:
    """A whole root list (db/reads.py `Listing`) as one JSON array, or its first object only."""
    renderer = Renderer("tenant" if "tenant" in listing.params else None)
    inner = listing.sql("c.*")
    obj = renderer.row(row, "c")
    order = listing.order_by
    if first_only:
        sql = f"SELECT (SELECT {obj} FROM ({inner}) c ORDER BY {order} LIMIT 1)::text AS j"
    else:
        sql = f"SELECT (SELECT coalesce(json_agg({obj} ORDER BY {order}), '[]'::json) FROM ({inner}) c)::text AS j"
    return sql, renderer.params
