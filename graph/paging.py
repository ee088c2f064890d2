"""Relay pagination arguments to validated pages, with client errors typed."""

from __future__ import annotations

from typing import Annotated

import strawberry

from db.pagination import MAX_PAGE, Order, Page, PageError, make_page
from graph.errors import BadUserInput

First = Annotated[
    int | None, strawberry.argument(description=f"Items from the start (after `after`); at most {MAX_PAGE}.")
]
After = Annotated[str | None, strawberry.argument(description="Cursor to start after (from `pageInfo.endCursor`).")]
Last = Annotated[
    int | None, strawberry.argument(description=f"Items from the end (before `before`); at most {MAX_PAGE}.")
]
Before = Annotated[str | None, strawberry.argument(description="Cursor to end before (from `pageInfo.startCursor`).")]


def to_page(
    order: Order,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    default: int = 20,
) -> Page:
    try:
        return make_page(order, first=first, after=after, last=last, before=before, default=default)
    except PageError as exc:
        raise BadUserInput(str(exc)) from None
