"""What a mutation can refuse: one Problem (where, which of the domain's codes, why) for every domain."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any, Generic, TypeVar

C = TypeVar("C", bound=Enum)


@dataclass(frozen=True, slots=True)
class Problem(Generic[C]):
    """Something in the input a user can fix: the input's path (None: the whole input), a code, a message."""

    field: str | None
    code: C
    message: str


class Refused(Exception):
    """A rule refused the input: nothing the attempt wrote is kept; `problems` say what to fix."""

    def __init__(self, problems: Iterable[Problem[Any]]) -> None:
        self.problems = list(problems)
        super().__init__(", ".join(f"{p.field}: {p.code.name}" for p in self.problems))
