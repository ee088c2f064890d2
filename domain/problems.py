"""What a mutation can refuse: one Problem (where, which of the domain's codes, why) for every domain."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Generic, TypeVar

C = TypeVar("C", bound=Enum)


@dataclass(frozen=True, slots=True)
class Problem(Generic[C]):
    """Something in the input a user can fix: the input's path (None: the whole input), a code, a message."""

    field: str | None
    code: C
    message: str
