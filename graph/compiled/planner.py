"""Plans a selection for one SQL statement, from the types' field descriptions (graph/table.py).

Fields are collected exactly as the executor collects them (its fragments,
coerced variables, `@include`/`@skip`), so the plan answers what the executor
would. A resolver-only field does not stop the plan: its object is marked, the
statement still builds every other field, and the executor runs only that
field's resolver (see `decode`).
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLObjectType, GraphQLResolveInfo, get_named_type
from graphql.execution.collect_fields import FieldDetails, collect_subfields
from graphql.execution.values import get_argument_values
from strawberry.utils.str_converters import to_camel_case

from db import json_sql as q
from db.pagination import Order, Page
from graph.errors import BadUserInput
from graph.paging import to_page
from graph.table import Column as ColumnField
from graph.table import (
    ComputedField,
    EmbeddedField,
    GlobalId,
    Paged,
    ResolverOnly,
    TableSpec,
    ToMany,
    ToOne,
    embedded_spec,
    known,
)

FieldDetailsList = list[FieldDetails]


class Unsupported(Exception):
    """The selection holds something no description covers (e.g. @defer): use the ordinary resolvers."""


class Planner:
    def __init__(self, info: GraphQLResolveInfo[Any], executor: Any) -> None:
        self.schema = info.schema
        self.fragments = executor.fragments
        self.variables = executor.variable_values
        self.operation = info.operation

    def _subfields(self, gql_type: GraphQLObjectType, fields: FieldDetailsList) -> dict[str, FieldDetailsList]:
        grouped, defer_usages, _ = collect_subfields(
            self.schema, self.fragments, self.variables, self.operation, gql_type, fields
        )
        if defer_usages:
            raise Unsupported("@defer")
        return grouped

    def _args(self, parent: GraphQLObjectType, name: str, fields: FieldDetailsList) -> dict[str, Any]:
        """Coerced arguments, keyed by their GraphQL names."""
        field_def = parent.fields[name]
        return get_argument_values(field_def, fields[0].node, self.variables, fields[0].fragment_variable_values)

    def _type(self, name: str) -> GraphQLObjectType:
        gql_type = self.schema.get_type(name)
        assert isinstance(gql_type, GraphQLObjectType)
        return gql_type

    def row(self, gql_type: GraphQLObjectType, fields: FieldDetailsList, spec: TableSpec | None = None) -> q.Row:
        """The plan of one object of a described type, shaped like the selection."""
        spec = spec or known(gql_type.name)
        if spec is None:
            raise Unsupported(gql_type.name)
        plan = q.Row(type_name=gql_type.name, key_column=spec.key)
        for key, details in self._subfields(gql_type, fields).items():
            name = details[0].node.name.value
            if name == "__typename":
                plan.pairs.append((key, q.typename(gql_type.name)))
                continue
            described = spec.fields.get(name)
            if described is None:
                raise Unsupported(f"{gql_type.name}.{name}")
            _, sql, strawberry_field = described
            if isinstance(sql, GlobalId | ColumnField | ComputedField):
                plan.pairs.append((key, q.Value(_column(spec, name))))
            elif isinstance(sql, EmbeddedField):
                inner = get_named_type(gql_type.fields[name].type)
                assert isinstance(inner, GraphQLObjectType)
                plan.pairs.append((key, q.Embedded(self.row(inner, details, embedded_spec(strawberry_field)))))
            elif isinstance(sql, ResolverOnly):
                plan.resolver_only = True
            else:
                plan.pairs.append((key, self._relation(gql_type, name, details, sql)))
        return plan

    def _relation(
        self, parent: GraphQLObjectType, name: str, details: FieldDetailsList, sql: ToOne | ToMany | Paged
    ) -> q.Plan:
        target_type = get_named_type(parent.fields[name].type)
        assert isinstance(target_type, GraphQLObjectType)
        if isinstance(sql, ToOne):
            target = _spec(target_type.name)
            assert target.table is not None
            row = self.row(target_type, details, target)
            return q.One(target.table, sql.fk, sql.shared or target.shared, row, target.key)
        args = self._args(parent, name, details)
        filters = _filters(sql.args, args)
        if isinstance(sql, ToMany):
            target = _spec(target_type.name)
            assert target.table is not None
            return q.Many(target.table, sql.fk, filters, sql.order, self.row(target_type, details, target))
        page = self._page(sql.order, args, sql.default_size)
        return self.connection(target_type, details, [*q.parent_join(sql.fk), *filters], sql.order, page)

    @staticmethod
    def _page(order: Order, args: dict[str, Any], default: int) -> Page:
        try:
            return to_page(order, args.get("first"), args.get("after"), args.get("last"), args.get("before"), default)
        except BadUserInput:
            raise Unsupported("invalid page: the ordinary path reports it") from None

    def connection(
        self, conn_type: GraphQLObjectType, fields: FieldDetailsList, where: list[q.Filter], order: Order, page: Page
    ) -> q.PagePlan:
        """The plan of one page of a connection whose nodes are rows meeting `where`."""
        edge_type = get_named_type(conn_type.fields["edges"].type)
        assert isinstance(edge_type, GraphQLObjectType)
        node_type = get_named_type(edge_type.fields["node"].type)
        assert isinstance(node_type, GraphQLObjectType)
        target = _spec(node_type.name)
        assert target.table is not None
        plan = q.PagePlan(target.table, where, order, page)
        for key, details in self._subfields(conn_type, fields).items():
            name = details[0].node.name.value
            if name == "__typename":
                plan.pairs.append((key, q.typename(conn_type.name)))
            elif name == "totalCount":
                plan.pairs.append((key, q.TotalCount()))
            elif name == "nodes":
                plan.pairs.append((key, self.row(node_type, details, target)))
            elif name == "edges":
                plan.pairs.append((key, self._edges(edge_type, node_type, details, target)))
            elif name == "pageInfo":
                info_type = get_named_type(conn_type.fields[name].type)
                assert isinstance(info_type, GraphQLObjectType)
                names = [(k, d[0].node.name.value) for k, d in self._subfields(info_type, details).items()]
                plan.pairs.append((key, q.PageInfoPart(names, info_type.name)))
            else:
                raise Unsupported(f"{conn_type.name}.{name}")
        return plan

    def _edges(
        self, edge_type: GraphQLObjectType, node_type: GraphQLObjectType, fields: FieldDetailsList, target: TableSpec
    ) -> q.Edges:
        plan = q.Edges([])
        for key, details in self._subfields(edge_type, fields).items():
            name = details[0].node.name.value
            if name == "__typename":
                plan.pairs.append((key, q.typename(edge_type.name)))
            elif name == "cursor":
                plan.pairs.append((key, q.Cursor()))
            elif name == "node":
                plan.pairs.append((key, self.row(node_type, details, target)))
            else:
                raise Unsupported(f"{edge_type.name}.{name}")
        return plan


def _spec(type_name: str) -> TableSpec:
    spec = known(type_name)
    if spec is None:
        raise Unsupported(type_name)
    return spec


def _column(spec: TableSpec, name: str) -> Any:
    return lambda a: spec.column_sql(name, a)


def _filters(declared: dict[str, Any], args: dict[str, Any]) -> list[q.Filter]:
    out: list[q.Filter] = []
    for python_name, arg in declared.items():
        out.append((arg.condition, args.get(to_camel_case(python_name), arg.default)))
    return out


def field_details(info: GraphQLResolveInfo[Any]) -> FieldDetailsList:
    return [FieldDetails(node, None) for node in info.field_nodes]
