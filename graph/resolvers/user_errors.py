"""What every domain's mutations share: IDs read from input, Problems reported as userErrors, the caller's clinic."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar
from uuid import UUID

import strawberry

from graph.context import Context
from graph.errors import BadUserInput
from graph.types.node import uuid_of

E = TypeVar("E")


class DomainProblem(Protocol):
    """A domain's Problem (`domain/<domain>`): where, which of the domain's codes, and why."""

    @property
    def field(self) -> str | None: ...

    @property
    def code(self) -> Any: ...

    @property
    def message(self) -> str: ...


def global_uuid(global_id: str, type_name: str) -> UUID | None:
    """The UUID inside a global ID of a `type_name`; None when it is not one (a userError, not a raise)."""
    try:
        return uuid_of(global_id, type_name)
    except BadUserInput:
        return None


def user_errors(problems: Iterable[DomainProblem], error_type: Callable[..., E]) -> list[E]:
    """The domain's `XUserError`s for its Problems, in order."""
    return [error_type(field=p.field, code=p.code, message=p.message) for p in problems]


def tenant_of(info: strawberry.Info[Context, None]) -> str:
    """The caller's clinic; the field's permission class has already required one."""
    tenant = info.context.tenant_id
    assert tenant is not None
    return tenant
