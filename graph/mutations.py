"""How every mutation runs: its input rules, then its write in one transaction under one retry policy.

A mutation is two functions of its own and one call:

    problems = ...                      # clean: pure rules over the input, a list of Problems
    async def perform(w: Write) -> P:   # the write: SQL through w.db; w.refuse(...) to say no
    return await SCHEDULING.run(info, AppointmentPayload, perform, problems=problems)

`run` answers Problems without touching the database; otherwise it runs `perform` in the
request's transaction, retried as a whole after a deadlock or serialization failure
(db/retry.py). A refusal, or a constraint the domain's table names, is rolled back and
becomes the payload's userErrors; anything else is raised. On success it commits, then
tells the loaders what changed (`Write.clear`, `Write.prime`), so the rest of the
request reads the new values.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping
from enum import Enum
from typing import Any, Generic, NoReturn, TypeVar
from uuid import UUID

import strawberry
from aiodataloader import DataLoader

from db.retry import RETRYABLE, WRITES, RetryPolicy, retrying
from db.session import DbError, RequestDb, Row
from domain.problems import Problem, Refused
from graph.context import Context
from graph.errors import BadUserInput
from graph.loaders import Loaders
from graph.types.node import uuid_of
from graph.types.user_errors import UserError

Info = strawberry.Info[Context, None]
C = TypeVar("C", bound=Enum)
E = TypeVar("E", bound=UserError[Any])
P = TypeVar("P")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Write(Generic[C]):
    """One attempt of a mutation: the request's transaction, the caller, and what to tell the loaders."""

    def __init__(self, context: Context) -> None:
        self.db: RequestDb = context.db
        self._context = context
        self._after: list[Callable[[Loaders], object]] = []

    @property
    def tenant(self) -> str:
        """The caller's clinic; the field's permission class has required one."""
        tenant = self._context.tenant_id
        assert tenant is not None
        return tenant

    @property
    def by(self) -> UUID:
        """The caller's profile."""
        assert self._context.claims is not None
        return self._context.claims.sub

    def refuse(self, *problems: Problem[C]) -> NoReturn:
        """Say no: nothing of this attempt is kept and the payload carries `problems`."""
        raise Refused(problems)

    def clear(self, loader: Callable[[Loaders], DataLoader[K, V]], *keys: K) -> None:
        """Once committed, a loader of its own kind (not one of a described type) forgets `keys`."""
        self._after.append(lambda loaders: [loader(loaders).clear(key) for key in keys])

    def forget(self, type_name: str) -> None:
        """Once committed, the loaders forget every row and list of this described type they hold."""
        self._after.append(lambda loaders: loaders.forget(type_name))

    def prime(self, type_name: str, key: Any, row: Row) -> None:
        """Once committed, the loaders answer `key` of this described type with `row` (as written)."""
        self._after.append(lambda loaders: loaders.of(type_name).clear(key).prime(key, row))

    def _committed(self) -> None:
        loaders = _loaders_in_use(self._context)
        if loaders is not None:
            for tell in self._after:
                tell(loaders)


class _Refusal(Generic[C]):
    def __init__(self, problems: list[Problem[C]]) -> None:
        self.problems = problems


class Mutations(Generic[C, E]):
    """The skeleton of one domain's mutations: its codes, its userError type, its constraint table."""

    def __init__(
        self,
        codes: type[C],
        user_error: type[E],
        constraints: Mapping[str, Problem[C]],
        policy: RetryPolicy = WRITES,
    ) -> None:
        self._not_found = codes["NOT_FOUND"]
        self._user_error = user_error
        self._constraints = constraints
        self._policy = policy

    def id(self, global_id: str, type_name: str, field: str) -> UUID | Problem[C]:
        """The UUID inside an input's global ID of a `type_name`, or a NOT_FOUND Problem naming the field."""
        try:
            return uuid_of(global_id, type_name)
        except BadUserInput:
            return Problem(field, self._not_found, f"Not an ID of a {type_name}.")

    def errors(self, problems: Iterable[Problem[C]]) -> list[E]:
        return self._user_error.of(problems)

    def refused(self, payload: Callable[..., P], problems: Iterable[Problem[C]]) -> P:
        """The payload saying no: every other field at its empty default."""
        return payload(user_errors=self.errors(problems))

    async def run(
        self,
        info: Info,
        payload: Callable[..., P],
        perform: Callable[[Write[C]], Awaitable[P]],
        *,
        problems: Iterable[Problem[C]] = (),
        constraints: Mapping[str, Problem[C]] | None = None,
        then: Callable[[P], Awaitable[P]] | None = None,
    ) -> P:
        """The mutation's payload: `problems` if any; else `perform`'s, committed (and then `then`'s, if given).

        `constraints` are this mutation's own readings of constraint names, over the domain's table.
        """
        found = list(problems)
        if found:
            return self.refused(payload, found)
        context = info.context
        known = {**self._constraints, **constraints} if constraints else self._constraints

        async def attempt() -> P | _Refusal[C]:
            write: Write[C] = Write(context)
            try:
                result = await perform(write)
                await context.db.commit()
            except Refused as refusal:
                await context.db.close()  # whatever the attempt wrote is rolled back
                return _Refusal(refusal.problems)
            except DbError as exc:
                problem = None if exc.sqlstate in RETRYABLE else known.get(exc.constraint or "")
                if problem is None:
                    raise
                await context.db.close()
                return _Refusal([problem])
            write._committed()
            return result

        outcome = await retrying(context.db, attempt, self._policy, on_retry=lambda: _forget_reads(context))
        if isinstance(outcome, _Refusal):
            return self.refused(payload, outcome.problems)
        return outcome if then is None else await then(outcome)


def _loaders_in_use(context: Context) -> Loaders | None:
    """The operation's loaders if something has used them; if not, none holds anything to go stale.

    (Building them only to tell them about a write would cost every recordVitals call its CPU.)
    """
    return context._loaders


def _forget_reads(context: Context) -> None:
    """After a rollback: nothing a failed attempt read may answer the next one."""
    loaders = _loaders_in_use(context)
    if loaders is not None:
        for loader in vars(loaders).values():
            if isinstance(loader, DataLoader):
                loader.clear_all()
