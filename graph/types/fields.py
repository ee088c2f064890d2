"""A typed `@strawberry.field(description=...)` for resolver methods."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import strawberry

F = TypeVar("F", bound=Callable[..., Any])


def described(description: str) -> Callable[[F], F]:
    """Strawberry's keyword-only `field(...)` overload returns Any, which would leave every
    resolver method untyped under mypy --strict; this keeps the method's own signature."""
    return cast(Callable[[F], F], strawberry.field(description=description))
