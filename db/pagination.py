"""Keyset pagination: opaque cursors and the SQL that pages by them."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

import orjson

MAX_PAGE = 100


class PageError(ValueError):
    """Pagination arguments a client can fix (reported as BAD_USER_INPUT)."""


@dataclass(frozen=True, slots=True)
class Order:
    """A total order: sort columns with their SQL types, `id` last as tie-breaker."""

    columns: tuple[tuple[str, str], ...]
    descending: bool = False


@dataclass(frozen=True, slots=True)
class Page:
    """Validated Relay arguments. Hashable, so it can be part of a loader key."""

    first: int | None = None
    after: tuple[Any, ...] | None = None
    last: int | None = None
    before: tuple[Any, ...] | None = None

    @property
    def size(self) -> int:
        return self.last if self.last is not None else (self.first if self.first is not None else 0)

    @property
    def backwards(self) -> bool:
        return self.last is not None


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def encode_cursor(values: tuple[Any, ...]) -> str:
    raw = orjson.dumps([_jsonable(v) for v in values])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


_PARSERS: dict[str, Any] = {
    "uuid": UUID,
    "timestamptz": datetime.fromisoformat,
    "date": date.fromisoformat,
    "text": str,
    "bigint": int,
}


def decode_cursor(cursor: str, order: Order) -> tuple[Any, ...]:
    """The sort values in a cursor, each checked against its column's type (a cursor
    from another ordering, or a forged one, is the client's error, not a failed cast)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = orjson.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise PageError("cursor is not one this API issued") from exc
    if not isinstance(values, list) or len(values) != len(order.columns):
        raise PageError("cursor does not match this list's ordering")
    for value, (_, typ) in zip(values, order.columns, strict=True):
        if value is None:
            continue
        try:
            if typ == "bigint":
                if not isinstance(value, int) or isinstance(value, bool):
                    raise TypeError
            elif not isinstance(value, str):
                raise TypeError
            else:
                _PARSERS[typ](value)
        except (TypeError, ValueError):
            raise PageError("cursor does not match this list's ordering") from None
    return tuple(values)


def make_page(
    order: Order,
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    default: int = 20,
) -> Page:
    if first is not None and last is not None:
        raise PageError("pass either first or last, not both")
    for name, value in (("first", first), ("last", last)):
        if value is not None and not 0 <= value <= MAX_PAGE:
            raise PageError(f"{name} must be between 0 and {MAX_PAGE}")
    if first is None and last is None:
        first = default
    return Page(
        first=first,
        after=decode_cursor(after, order) if after else None,
        last=last,
        before=decode_cursor(before, order) if before else None,
    )


def keyset_sql(order: Order, page: Page, alias: str, prefix: str = "") -> tuple[str, str, dict[str, Any], int]:
    """WHERE conditions, ORDER BY and params for one page; fetches one extra row to see if more exist.

    Cursor values are bound as text and cast in SQL, so asyncpg gets the types it expects.
    """
    cols = ", ".join(f"{alias}.{c}" for c, _ in order.columns)
    conditions: list[str] = []
    params: dict[str, Any] = {}
    for bound, values in (("after", page.after), ("before", page.before)):
        if values is None:
            continue
        forward = (bound == "after") != order.descending
        casts = ", ".join(
            f"CAST(CAST(:{prefix}{bound}{i} AS text) AS {typ})" for i, (_, typ) in enumerate(order.columns)
        )
        conditions.append(f"({cols}) {'>' if forward else '<'} ({casts})")
        params.update({f"{prefix}{bound}{i}": None if v is None else str(v) for i, v in enumerate(values)})
    descending = order.descending != page.backwards
    direction = "DESC" if descending else "ASC"
    order_by = ", ".join(f"{alias}.{c} {direction}" for c, _ in order.columns)
    return " AND ".join(conditions) or "TRUE", order_by, params, page.size + 1


@dataclass(frozen=True, slots=True)
class Slice:
    """One page of rows in display order, with what Relay's PageInfo needs."""

    rows: list[Any]
    has_next: bool
    has_previous: bool


def slice_rows(rows: list[Any], page: Page) -> Slice:
    more = len(rows) > page.size
    rows = rows[: page.size]
    if page.backwards:
        rows.reverse()
        return Slice(rows, has_next=page.before is not None, has_previous=more)
    return Slice(rows, has_next=more, has_previous=page.after is not None)
