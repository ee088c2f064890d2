"""The one retry policy of writes: a deadlock or serialization failure re-runs the whole attempt afresh.

Writes run READ COMMITTED (db/session.py), so a row lock a concurrent writer holds is
waited for, not a failure. What is left is a deadlock between two writers locking rows
in different orders (40P01), and a serialization failure (40001) should a transaction
ever run at a stricter level. Either means "try again": roll back, so the attempt starts
from nothing in a new transaction, wait a jittered moment, and run all of it again.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from db.session import DbError, RequestDb

T = TypeVar("T")

DEADLOCK = "40P01"
SERIALIZATION_FAILURE = "40001"
RETRYABLE = frozenset({DEADLOCK, SERIALIZATION_FAILURE})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """At most `attempts` runs; before run n+1 a random wait of up to `base * 2**(n-1)` seconds, capped."""

    attempts: int = 5
    base: float = 0.01
    cap: float = 0.2

    def backoff(self, failed: int) -> float:
        return random.uniform(0, min(self.cap, self.base * 2 ** (failed - 1)))  # noqa: S311 (jitter, not secrecy)


WRITES = RetryPolicy()


async def retrying(
    db: RequestDb,
    attempt: Callable[[], Awaitable[T]],
    policy: RetryPolicy = WRITES,
    *,
    on_retry: Callable[[], None] | None = None,
) -> T:
    """`attempt()` in the request's transaction; after a retryable failure, roll back and run it again.

    Anything else, and the last failure once the attempts are spent, is raised as it came.
    `on_retry` runs after each rollback (e.g. to forget what the failed attempt read).
    """
    for tries in range(1, policy.attempts + 1):
        try:
            return await attempt()
        except DbError as exc:
            if exc.sqlstate not in RETRYABLE or tries == policy.attempts:
                raise
            await db.close()  # roll back: the next statement begins a new transaction
            if on_retry is not None:
                on_retry()
            await asyncio.sleep(policy.backoff(tries))
    raise AssertionError("unreachable")
