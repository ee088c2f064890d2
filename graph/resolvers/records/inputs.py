"""Reading records mutation input: trimmed text, explicit nulls, offsets; the domain's mutation skeleton."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.problems import Problem
from domain.records.errors import CONSTRAINTS
from domain.records.errors import RecordsErrorCode as Code
from graph.mutations import Mutations
from graph.types.records_mutations import UNSET, RecordsUserError

RECORDS = Mutations(Code, RecordsUserError, CONSTRAINTS)


def given(value: Any) -> bool:
    """Whether the input named the field at all (null included)."""
    return value is not UNSET


def clean(value: str | None) -> str | None:
    """Trimmed text; blank means none."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def not_null(field: str, value: Any) -> list[Problem[Code]]:
    return [Problem(field, Code.REQUIRED, f"{field} cannot be null.")] if value is None else []


def aware(field: str, value: datetime | None) -> list[Problem[Code]]:
    if value is not None and value.tzinfo is None:
        return [Problem(field, Code.INVALID, f"{field} needs a time-zone offset, e.g. 2025-01-31T18:00:00-03:00.")]
    return []


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
