"""Reading records mutation input: IDs, trimmed text, explicit nulls, offsets; Problems as userErrors."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import strawberry

from domain.records.errors import RecordsErrorCode as Code
from domain.records.validation import Problem
from graph.context import Context
from graph.resolvers.user_errors import global_uuid, user_errors
from graph.types.records_mutations import UNSET, RecordsUserError

Info = strawberry.Info[Context, None]


def errors(problems: list[Problem]) -> list[RecordsUserError]:
    return user_errors(problems, RecordsUserError)


def uuid(global_id: str, type_name: str, field: str) -> UUID | Problem:
    """The UUID of a global ID, or a NOT_FOUND Problem naming the field."""
    key = global_uuid(global_id, type_name)
    return Problem(field, Code.NOT_FOUND, f"Not an ID of a {type_name}.") if key is None else key


def given(value: Any) -> bool:
    """Whether the input named the field at all (null included)."""
    return value is not UNSET


def clean(value: str | None) -> str | None:
    """Trimmed text; blank means none."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def not_null(field: str, value: Any) -> list[Problem]:
    return [Problem(field, Code.REQUIRED, f"{field} cannot be null.")] if value is None else []


def aware(field: str, value: datetime | None) -> list[Problem]:
    if value is not None and value.tzinfo is None:
        return [Problem(field, Code.INVALID, f"{field} needs a time-zone offset, e.g. 2025-01-31T18:00:00-03:00.")]
    return []


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
