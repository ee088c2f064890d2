"""The userError of every domain's mutations: field, code, message, declared once, named per domain."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from enum import Enum
from typing import Generic, Self, TypeVar

import strawberry
from strawberry.types.base import get_object_definition

from domain.problems import Problem

C = TypeVar("C", bound=Enum)
T = TypeVar("T", bound=type)

FIXABLE = "Something in the input a user can fix."


@strawberry.type
class UserError(Generic[C]):
    """A domain's Problem as clients see it. Not in the schema itself: each domain names its own (`user_error`)."""

    field: str | None = strawberry.field(description="The offending input.")
    code: C = strawberry.field(description="Stable code to branch on.")
    message: str = strawberry.field(description="Human-readable explanation.")

    @classmethod
    def of(cls, problems: Iterable[Problem[C]]) -> list[Self]:
        """The userErrors of `problems`, in order."""
        return [cls(field=p.field, code=p.code, message=p.message) for p in problems]


def user_error(name: str, *, field: str, description: str = FIXABLE) -> Callable[[T], T]:
    """Declare `class XUserError(UserError[XErrorCode])` as the GraphQL type `name`, its `field`
    described as given (each domain shows its own example of an input path)."""

    def declare(cls: T) -> T:
        typed = strawberry.type(cls, name=name, description=description)
        definition = get_object_definition(typed, strict=True)
        fields = []
        for each in definition.fields:  # the base's field objects are shared: describe a copy
            if each.python_name == "field":
                each = copy.copy(each)
                each.description = field
            fields.append(each)
        definition.fields = fields
        return typed

    return declare
