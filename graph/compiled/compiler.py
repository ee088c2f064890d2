"""Compiles a selection to SQL that builds its JSON, using the executor's own field collection."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from graphql import GraphQLObjectType, GraphQLResolveInfo, get_named_type
from graphql.execution.collect_fields import FieldDetails, collect_subfields
from graphql.execution.values import get_argument_values

from db import json_formats as formats
from db.pagination import Order, Page, keyset_sql
from graph.compiled.plan import RELATIONS, SCALARS, Many, One, Paged
from graph.errors import BadUserInput
from graph.paging import to_page

MAX_PAIRS = 50  # json_build_object takes at most 100 arguments
FieldDetailsList = list[FieldDetails]


class Unsupported(Exception):
    """The selection holds something the compiler does not know: use the ordinary resolvers."""


class Compiler:
    def __init__(self, info: GraphQLResolveInfo[Any], executor: Any) -> None:
        self.schema = info.schema
        self.fragments = executor.fragments
        self.variables = executor.variable_values
        self.operation = info.operation
        self.params: dict[str, Any] = {}
        self._aliases = 0

    def param(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def alias(self) -> str:
        self._aliases += 1
        return f"t{self._aliases}"

    def _subfields(self, gql_type: GraphQLObjectType, fields: FieldDetailsList) -> dict[str, FieldDetailsList]:
        grouped, defer_usages, _ = collect_subfields(
            self.schema, self.fragments, self.variables, self.operation, gql_type, fields
        )
        if defer_usages:
            raise Unsupported("@defer")
        return grouped

    def _args(self, parent: GraphQLObjectType, name: str, fields: FieldDetailsList) -> dict[str, Any]:
        """Coerced arguments, keyed by their GraphQL names (camelCase)."""
        field_def = parent.fields[name]
        values = get_argument_values(field_def, fields[0].node, self.variables, fields[0].fragment_variable_values)
        by_out_name = {(arg.out_name or key): key for key, arg in field_def.args.items()}
        return {by_out_name.get(key, key): value for key, value in values.items()}

    @staticmethod
    def _object(pairs: list[str]) -> str:
        if len(pairs) > MAX_PAIRS:
            raise Unsupported("too many fields for one json_build_object")
        return f"json_build_object({', '.join(pairs)})"

    def object_json(self, gql_type: GraphQLObjectType, fields: FieldDetailsList, a: str) -> str:
        """JSON of one row `a` of type `gql_type`, shaped like the selection."""
        type_name = gql_type.name
        scalars = SCALARS.get(type_name)
        if scalars is None:
            raise Unsupported(type_name)
        pairs = []
        for key, details in self._subfields(gql_type, fields).items():
            name = details[0].node.name.value
            if name == "__typename":
                expr = f"'{type_name}'"
            elif name in scalars:
                if details[0].node.arguments:
                    raise Unsupported(f"{type_name}.{name} with arguments")
                expr = scalars[name](a)
            elif (type_name, name) in RELATIONS:
                expr = self._relation(gql_type, name, details, a)
            else:
                raise Unsupported(f"{type_name}.{name}")
            pairs.append(f"'{key}', {expr}")
        return self._object(pairs)

    def _relation(self, parent: GraphQLObjectType, name: str, fields: FieldDetailsList, a: str) -> str:
        relation = RELATIONS[(parent.name, name)]
        target = get_named_type(parent.fields[name].type)
        assert isinstance(target, GraphQLObjectType)
        b = self.alias()
        if isinstance(relation, One):
            node_type = self.schema.get_type(relation.type_name)
            assert isinstance(node_type, GraphQLObjectType)
            same_clinic = "" if relation.shared else f"{b}.tenant_id = {a}.tenant_id AND "
            return (
                f"(SELECT {self.object_json(node_type, fields, b)} FROM {relation.table} {b}"
                f" WHERE {same_clinic}{b}.id = {a}.{relation.fk})"
            )
        args = self._args(parent, name, fields)
        where = f"{b}.tenant_id = {a}.tenant_id AND {b}.{relation.fk} = {a}.id"
        if isinstance(relation, Many):
            if args.get("activeOnly", True):
                where += " AND " + relation.active.replace("c.", f"{b}.")
            return (
                f"(SELECT coalesce(json_agg({self.object_json(target, fields, b)}"
                f" ORDER BY {relation.order_by.format(a=b)}), '[]'::json)"
                f" FROM {relation.table} {b} WHERE {where})"
            )
        assert isinstance(relation, Paged)
        page = self._page(relation.order, args)
        if args.get("since") is not None:
            since = args["since"]
            if not isinstance(since, datetime):
                raise Unsupported("since")
            where += f" AND {b}.recorded_at >= {self.param(since)}"
        if args.get("upcomingOnly"):
            where += f" AND {b}.end_time > now()"
        return self.connection_json(target, fields, relation.table, where, b, relation.order, page)

    def _page(self, order: Order, args: dict[str, Any]) -> Page:
        try:
            return to_page(order, args.get("first"), args.get("after"), args.get("last"), args.get("before"))
        except BadUserInput:
            raise Unsupported("invalid page: the ordinary path reports it") from None

    def connection_json(
        self,
        conn_type: GraphQLObjectType,
        fields: FieldDetailsList,
        table: str,
        where: str,
        b: str,
        order: Order,
        page: Page,
    ) -> str:
        """JSON of a Relay connection over `table` rows (alias `b`) meeting `where`, one page of them."""
        prefix = f"{b}_"
        keyset, fetch_order, keyset_params, limit = keyset_sql(order, page, b, prefix)
        self.params.update(keyset_params)
        size = page.size
        r = self.alias()
        rows = (
            f"(SELECT {b}.*, row_number() OVER (ORDER BY {fetch_order}) AS _rn"
            f" FROM (SELECT * FROM {table} {b} WHERE {where} AND {keyset} ORDER BY {fetch_order}"
            f" LIMIT {int(limit)}) {b}) {r}"
        )
        shown = f"{r}._rn DESC" if page.backwards else f"{r}._rn"
        unshown = f"{r}._rn" if page.backwards else f"{r}._rn DESC"
        cursor = formats.cursor([(f"{r}.{c}", typ) for c, typ in order.columns])
        in_page = f"FILTER (WHERE {r}._rn <= {int(size)})"
        more = f"(count(*) > {int(size)})"
        has_next = more if not page.backwards else ("true" if page.before is not None else "false")
        has_previous = more if page.backwards else ("true" if page.after is not None else "false")

        pairs = []
        for key, details in self._subfields(conn_type, fields).items():
            name = details[0].node.name.value
            if name == "__typename":
                expr = f"'{conn_type.name}'"
            elif name == "totalCount":
                expr = f"(SELECT count(*) FROM {table} {b} WHERE {where})"
            elif name in ("edges", "nodes"):
                item_type = get_named_type(conn_type.fields[name].type)
                assert isinstance(item_type, GraphQLObjectType)
                if name == "nodes":
                    item = self.object_json(item_type, details, r)
                else:
                    item = self._edge_json(item_type, details, r, cursor)
                expr = f"coalesce(json_agg({item} ORDER BY {shown}) {in_page}, '[]'::json)"
            elif name == "pageInfo":
                info_type = get_named_type(conn_type.fields[name].type)
                assert isinstance(info_type, GraphQLObjectType)
                values = {
                    "hasNextPage": has_next,
                    "hasPreviousPage": has_previous,
                    "startCursor": f"(array_agg({cursor} ORDER BY {shown}) {in_page})[1]",
                    "endCursor": f"(array_agg({cursor} ORDER BY {unshown}) {in_page})[1]",
                    "__typename": f"'{info_type.name}'",
                }
                sub = []
                for sub_key, sub_details in self._subfields(info_type, details).items():
                    sub.append(f"'{sub_key}', {values[sub_details[0].node.name.value]}")
                expr = self._object(sub)
            else:
                raise Unsupported(f"{conn_type.name}.{name}")
            pairs.append(f"'{key}', {expr}")
        # GROUP BY (): one row even when no aggregate is selected (e.g. only totalCount)
        return f"(SELECT {self._object(pairs)} FROM {rows} GROUP BY ())"

    def _edge_json(self, edge_type: GraphQLObjectType, fields: FieldDetailsList, r: str, cursor: str) -> str:
        pairs = []
        for key, details in self._subfields(edge_type, fields).items():
            name = details[0].node.name.value
            if name == "__typename":
                expr = f"'{edge_type.name}'"
            elif name == "cursor":
                expr = cursor
            elif name == "node":
                node_type = get_named_type(edge_type.fields[name].type)
                assert isinstance(node_type, GraphQLObjectType)
                expr = self.object_json(node_type, details, r)
            else:
                raise Unsupported(f"{edge_type.name}.{name}")
            pairs.append(f"'{key}', {expr}")
        return self._object(pairs)


def field_details(info: GraphQLResolveInfo[Any]) -> FieldDetailsList:
    return [FieldDetails(node, None) for node in info.field_nodes]
