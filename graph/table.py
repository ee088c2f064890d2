"""Table-backed GraphQL types: every field declared once, with what it is in SQL.

A type decorated with `@table("pets")` declares each field as one of:

- `col()`: a column (named like the field unless given), printed by its codec,
  which is read from the field's annotation (enum, DateTime, float, Decimal, ...);
- `computed(db.expressions.X)`: a value the database computes from the row;
- `embedded()`: an object made of the row's own columns (an `@embedded` type);
- `one(fk)`, `many(fk, order, ...)`, `paged(fk, order, ...)`: a to-one relation,
  a whole child list, a keyset-paged child connection, with what their
  arguments mean in SQL;
- `resolver_only(why)` on a resolver method: a value only Python can give.

From that one description come the compiled path's plan (graph/compiled/planner.py),
the loaders' SQL (graph/loaders.py), the rows-to-objects mapping (`from_row`) and the
relation resolvers. A field with none of these fails at import, so it cannot exist
without its SQL.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from functools import cached_property
from typing import Annotated, Any, ClassVar, TypeVar, cast

import strawberry
from graphql import GraphQLObjectType, GraphQLResolveInfo, get_named_type
from strawberry.types.base import StrawberryList, StrawberryOptional, get_object_definition
from strawberry.types.enum import StrawberryEnumDefinition
from strawberry.types.field import StrawberryField
from strawberry.utils.str_converters import to_camel_case

from db import json_formats as formats
from db.expressions import Computed, Condition, Flag, ListOrder
from db.pagination import Order, slice_rows
from db.session import Row
from graph.paging import After, Before, First, Last, to_page
from graph.types.node import to_global_id

SQL = "vetql.sql"  # key of a field's description in its Strawberry metadata
T = TypeVar("T")


# --- codecs: how a stored value prints as JSON (SQL side) and becomes the type's Python value ---------------------


@dataclass(frozen=True, slots=True)
class Codec:
    sql: Callable[[str], str]
    py: Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


PLAIN = Codec(lambda x: x, _same)
DATETIME = Codec(formats.iso_datetime, _same)
FLOAT = Codec(formats.float8, lambda v: None if v is None else float(v))
DECIMAL = Codec(formats.numeric_text, _same)
LIST = Codec(lambda x: x, lambda v: None if v is None else list(v))
IDS = Codec(formats.json_array, lambda v: None if v is None else [strawberry.ID(str(i)) for i in v])


def enum_codec(enum: type[Enum]) -> Codec:
    return Codec(formats.enum_name, lambda v: enum(v) if v else None)


def json_flag_codec(key: str, default: bool) -> Codec:
    """A boolean member `key` of a JSON object column."""
    return Codec(lambda x: formats.json_flag(x, key, default), lambda v: bool((v or {}).get(key, default)))


def global_id_codec(type_name: str) -> Codec:
    return Codec(
        lambda x: formats.global_id(type_name, x), lambda v: None if v is None else to_global_id(type_name, v)
    )


def _codec_for(field_type: Any) -> Codec:
    """The codec of a column from its field's (resolved) Strawberry type."""
    while isinstance(field_type, StrawberryOptional):
        field_type = field_type.of_type
    if isinstance(field_type, StrawberryEnumDefinition):
        return enum_codec(cast(type[Enum], field_type.wrapped_cls))
    if isinstance(field_type, StrawberryList):
        return IDS if field_type.of_type is strawberry.ID else LIST
    if field_type is dt.datetime:
        return DATETIME
    if field_type is float:
        return FLOAT
    if field_type is Decimal:
        return DECIMAL
    return PLAIN


# --- field descriptions ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    column: str | None = None  # None: the field's own (snake_case) name
    codec: Codec | None = None  # None: from the annotation


@dataclass(frozen=True)
class ComputedField:
    computed: Computed
    codec: Codec | None = None


@dataclass(frozen=True)
class EmbeddedField:
    pass


@dataclass(frozen=True)
class ToOne:
    fk: str
    shared: bool = False  # the target is shared reference data (no clinic)
    key: str = "id"


@dataclass(frozen=True)
class Arg:
    """An argument of a child list and what it means in SQL."""

    condition: Condition
    annotation: Any
    default: Any


@dataclass(frozen=True)
class ToMany:
    fk: str
    order: ListOrder
    args: dict[str, Arg]


@dataclass(frozen=True)
class Paged:
    fk: str
    order: Order
    args: dict[str, Arg]
    default_size: int = 20


@dataclass(frozen=True)
class ResolverOnly:
    why: str


@dataclass(frozen=True)
class GlobalId:
    column: str


Description = Column | ComputedField | EmbeddedField | ToOne | ToMany | Paged | ResolverOnly | GlobalId


def _field(description: str, sql: Description, resolver: Any = None) -> Any:
    if resolver is None:
        return strawberry.field(description=description, metadata={SQL: sql})
    return strawberry.field(resolver=resolver, description=description, metadata={SQL: sql})


def col(column: str | None = None, *, description: str, codec: Codec | None = None) -> Any:
    """A column of the row (named like the field unless given)."""
    return _field(description, Column(column, codec))


def global_id_of(type_name: str, column: str, *, description: str) -> Any:
    """A column holding another object's key, shown as that object's global ID."""
    return _field(description, Column(column, global_id_codec(type_name)))


def computed(value: Computed, *, description: str) -> Any:
    """A value the database computes from the row (db/expressions.py)."""
    return _field(description, ComputedField(value))


def embedded(*, description: str) -> Any:
    """An object (an `@embedded` type) made of this row's own columns."""
    return _field(description, EmbeddedField())


def flag(condition: Flag, *, default: bool, description: str) -> Arg:
    return Arg(condition, Annotated[bool, strawberry.argument(description=description)], default)


def bound(condition: Condition, annotation: Any, *, description: str) -> Arg:
    return Arg(condition, Annotated[annotation | None, strawberry.argument(description=description)], None)


def resolver_only(why: str) -> Callable[[Callable[..., Any]], Any]:
    """Marks a resolver method as answered in Python on purpose (listed in tests/resolver_only_fields.txt).

    Its docstring is the field's description; `why` is for reviewers.
    """

    def decorate(method: Callable[..., Any]) -> Any:
        description = " ".join((inspect.getdoc(method) or "").split())
        return strawberry.field(resolver=method, description=description, metadata={SQL: ResolverOnly(why)})

    return decorate


# --- relation resolvers (the ordinary path): loaders built from the same descriptions ------------------------------


def _target(info: GraphQLResolveInfo[Any]) -> TableSpec:
    named = get_named_type(info.return_type)
    assert isinstance(named, GraphQLObjectType)
    if "edges" in named.fields:  # a connection: its nodes' type
        edge = get_named_type(named.fields["edges"].type)
        assert isinstance(edge, GraphQLObjectType)
        named = get_named_type(edge.fields["node"].type)
    return spec_of(named.name)


def _signature(args: dict[str, Arg], paged: bool) -> inspect.Signature:
    """The resolver's signature as Strawberry reads it: `self`, `info`, the page arguments, the list's own."""
    params = [
        inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD),
        inspect.Parameter("info", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=strawberry.Info),
    ]
    if paged:
        for name, annotation in (("first", First), ("after", After), ("last", Last), ("before", Before)):
            params.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation))
    for name, arg in args.items():
        params.append(
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=arg.default, annotation=arg.annotation)
        )
    return inspect.Signature(params)


def one(fk: str, *, description: str, shared: bool = False) -> Any:
    """A to-one relation: this row's `fk` holds the target's id (same clinic unless `shared`)."""

    async def resolve(self: Any, info: Any) -> Any:
        key = self._row[fk]
        if key is None:
            return None
        target = _target(info._raw_info)
        row = await info.context.loaders.by_key(target).load(key)
        return None if row is None else target.from_row(row)

    resolve.__signature__ = _signature({}, paged=False)  # type: ignore[attr-defined]
    return _field(description, ToOne(fk, shared), resolve)


def many(fk: str, *, order: ListOrder, description: str, **args: Arg) -> Any:
    """A whole child list: rows whose `fk` is this row's id, in `order`; `args` narrow it."""
    relation = ToMany(fk, order, args)

    async def resolve(self: Any, info: Any, **values: Any) -> Any:
        target = _target(info._raw_info)
        conditions = _conditions(relation.args, values)
        rows = await info.context.loaders.children(target, relation, conditions).load(self._row["id"])
        return [target.from_row(r) for r in rows]

    resolve.__signature__ = _signature(args, paged=False)  # type: ignore[attr-defined]
    return _field(description, relation, resolve)


def paged(fk: str, *, order: Order, description: str, default_size: int = 20, **args: Arg) -> Any:
    """A child connection paged by keyset in `order`; `args` narrow it."""
    from graph.types.connection import build_connection

    relation = Paged(fk, order, args, default_size)

    async def resolve(
        self: Any, info: Any, first: Any = None, after: Any = None, last: Any = None, before: Any = None, **values: Any
    ) -> Any:
        target = _target(info._raw_info)
        page = to_page(order, first, after, last, before, default=default_size)
        conditions = _conditions(relation.args, values)
        loaders = info.context.loaders
        parent = self._row["id"]
        rows = await loaders.pages(target, relation, conditions).load((parent, page))
        return build_connection(
            slice_rows(list(rows), page),
            order,
            target.from_row,
            lambda: loaders.counts(target, relation, conditions).load(parent),
        )

    resolve.__signature__ = _signature(args, paged=True)  # type: ignore[attr-defined]
    return _field(description, relation, resolve)


def _conditions(args: dict[str, Arg], values: dict[str, Any]) -> tuple[tuple[Condition, Any], ...]:
    """The conditions the given argument values impose (hashable: part of a loader's key)."""
    out: list[tuple[Condition, Any]] = []
    for name, arg in args.items():
        value = values.get(name, arg.default)
        if isinstance(arg.condition, Flag):
            if value:
                out.append((arg.condition, True))
        elif value is not None:
            out.append((arg.condition, value))
    return tuple(out)


# --- the registry -----------------------------------------------------------------------------------------------------


@dataclass
class TableSpec:
    """What one table-backed (or embedded) type is in SQL, read from its fields' descriptions."""

    cls: Any  # the Strawberry type
    table: str | None  # None: an embedded type, made of its parent's row
    key: str = "id"
    shared: bool = False
    key_type: str = "uuid"
    platform_visible: bool = False  # with no clinic (the platform), read every clinic's rows RLS shows
    _fields: dict[str, tuple[str, Description, StrawberryField]] | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        definition = get_object_definition(self.cls, strict=True)
        return definition.name

    @property
    def fields(self) -> dict[str, tuple[str, Description, StrawberryField]]:
        """GraphQL field name -> (python name, description, Strawberry field), in declaration order."""
        if self._fields is None:
            definition = get_object_definition(self.cls, strict=True)
            found = {}
            for f in definition.fields:
                described = f.metadata.get(SQL)
                if described is None:
                    if f.python_name != "id":
                        raise TypeError(f"{self.name}.{f.python_name} says nothing of its SQL")
                    described = GlobalId(self.key)
                found[f.graphql_name or to_camel_case(f.python_name)] = (f.python_name, described, f)
            self._fields = found
        return self._fields

    @cached_property
    def computed(self) -> list[Computed]:
        """Every value the database computes for a row of this type, embedded objects' included."""
        out: list[Computed] = []
        for _, described, f in self.fields.values():
            if isinstance(described, ComputedField):
                out.append(described.computed)
            elif isinstance(described, EmbeddedField):
                out.extend(embedded_spec(f).computed)
        return out

    @cached_property
    def select_list(self) -> str:
        """The loaders' SELECT list for alias `c`."""
        return ", ".join(["c.*", *(c.select("c") for c in self.computed)])

    @cached_property
    def _fillers(self) -> list[tuple[str, Callable[[Row], Any]]]:
        out: list[tuple[str, Callable[[Row], Any]]] = []
        for _, (python_name, described, f) in self.fields.items():
            if isinstance(described, GlobalId):
                type_name, key = self.name, described.column
                out.append((python_name, lambda r, k=key, t=type_name: to_global_id(t, r[k])))  # type: ignore[misc]
            elif isinstance(described, Column):
                column = described.column or python_name
                codec = described.codec or _codec_for(f.type)
                out.append((python_name, lambda r, c=column, py=codec.py: py(r[c])))  # type: ignore[misc]
            elif isinstance(described, ComputedField):
                codec = described.codec or _codec_for(f.type)
                name = described.computed.name
                out.append((python_name, lambda r, c=name, py=codec.py: py(r[c])))  # type: ignore[misc]
            elif isinstance(described, EmbeddedField):
                inner = embedded_spec(f)
                out.append((python_name, inner.from_row))
        return out

    def from_row(self, row: Row) -> Any:
        """The type's object for a row selected with `select_list` (or `RETURNING` it)."""
        obj = self.cls.__new__(self.cls)
        self.fill(obj, row)
        return obj

    def fill(self, obj: Any, row: Row) -> None:
        values = obj.__dict__
        for python_name, value_of in self._fillers:
            values[python_name] = value_of(row)
        values["_row"] = row

    def codec(self, graphql_name: str) -> Codec:
        _, described, f = self.fields[graphql_name]
        if isinstance(described, GlobalId):
            return global_id_codec(self.name)
        assert isinstance(described, Column | ComputedField)
        return described.codec or _codec_for(f.type)

    def column_sql(self, graphql_name: str, alias: str) -> str:
        """SQL of a column or computed field's JSON value for the row aliased `alias`."""
        python_name, described, _ = self.fields[graphql_name]
        codec = self.codec(graphql_name)
        if isinstance(described, GlobalId):
            return codec.sql(f"{alias}.{described.column}")
        if isinstance(described, Column):
            return codec.sql(f"{alias}.{described.column or python_name}")
        assert isinstance(described, ComputedField)
        return codec.sql(f"({described.computed.sql(alias)})")


_SPECS: dict[str, TableSpec] = {}


def spec_of(type_name: str) -> TableSpec:
    return _SPECS[type_name]


def known(type_name: str) -> TableSpec | None:
    return _SPECS.get(type_name)


def all_specs() -> list[TableSpec]:
    return list(_SPECS.values())


def embedded_spec(f: StrawberryField) -> TableSpec:
    field_type = f.type
    while isinstance(field_type, StrawberryOptional):
        field_type = field_type.of_type
    definition = get_object_definition(field_type, strict=True)
    return _SPECS[definition.name]


C = TypeVar("C", bound=type)


S = TypeVar("S", bound="TableRow")


class TableRow:
    """Base of table-backed and embedded types: `from_row` builds one from a row of its table."""

    __vetql_table__: ClassVar[TableSpec]

    @classmethod
    def from_row(cls: type[S], row: Row) -> S:
        return cast(S, cls.__vetql_table__.from_row(row))


def _register(cls: C, spec: TableSpec) -> C:
    definition = get_object_definition(cls, strict=True)
    _SPECS[definition.name] = spec
    cls.__vetql_table__ = spec  # type: ignore[attr-defined]
    return cls


def table(
    name: str, *, key: str = "id", shared: bool = False, key_type: str = "uuid", platform_visible: bool = False
) -> Callable[[C], C]:
    """Marks a Strawberry type as the rows of table `name` (clinic rows unless `shared`)."""

    def decorate(cls: C) -> C:
        return _register(cls, TableSpec(cls, name, key, shared, key_type, platform_visible))

    return decorate


def embedded_type(cls: C) -> C:
    """Marks a Strawberry type as made of its parent row's columns (see `embedded()`)."""
    return _register(cls, TableSpec(cls, None))


def check_described() -> list[str]:
    """Every field of every registered type, described (raises on one that is not); 'Type.field' names."""
    names: list[str] = []
    for spec in all_specs():
        names.extend(f"{spec.name}.{graphql_name}" for graphql_name in spec.fields)
    return names


def row_of(obj: Any) -> Row:
    return cast(Row, obj._row)
