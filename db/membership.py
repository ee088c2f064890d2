"""Who is a member: a token is honoured only for an active profile of its clinic with its role.

VetQL checks this before it sets a request's claims (policies keep trusting the
verified claims: Citus cannot run the sub-select a policy would need). The
answer is remembered for a few seconds per (clinic, profile, role); `forget()`
is the hook a change of membership (deactivation, a new role) calls after its
transaction commits, so this process stops honouring the old answer at once.
Other processes follow within the cache time. Checks of one key that arrive
while it is being asked share that one question: when every monitor of a clinic
reconnects at once (a restart), the database is asked once per identity, not
once per socket, and the pool stays free for the subscriptions themselves.
"""

from __future__ import annotations

import asyncio
import time
import uuid
import weakref
from collections.abc import Callable
from typing import Final

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from db.claims import Claims
from db.session import RequestDb

# Run under the token's own claims as vetql_app: every role sees its own profile row
# (staff_all, owner_read), so the check needs no privilege a request does not have.
_MEMBER = text(
    "SELECT role = :role AND is_active AS ok FROM profiles WHERE tenant_id = :tenant AND id = :sub"
)
_TENANT = text("SELECT true AS ok FROM tenants WHERE id = :tenant")

Key = tuple[str, uuid.UUID, str]  # (clinic, profile, role)

_ALL: Final[weakref.WeakSet[Membership]] = weakref.WeakSet()


def forget(tenant_id: str, profile_id: uuid.UUID) -> None:
    """A profile's membership changed (committed): every checker of this process asks again."""
    for membership in list(_ALL):
        membership.forget(tenant_id, profile_id)


class Membership:
    """Active-member checks with a short cache; listeners hear of every `forget`."""

    MAX_ENTRIES = 10_000

    def __init__(self, engine: AsyncEngine, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.engine = engine
        self.ttl = ttl
        self.clock = clock
        self._known: dict[Key, tuple[float, bool]] = {}
        self._asking: dict[Key, asyncio.Task[bool]] = {}  # the question in flight per key
        self._listeners: list[Callable[[str, uuid.UUID], None]] = []
        self._generation = 0  # moves on every forget: an answer asked for before it is not kept
        _ALL.add(self)

    def on_forget(self, listener: Callable[[str, uuid.UUID], None]) -> None:
        """Call `listener(tenant_id, profile_id)` whenever a membership is forgotten (live subscriptions)."""
        self._listeners.append(listener)

    def forget(self, tenant_id: str, profile_id: uuid.UUID) -> None:
        self._generation += 1
        for key in [k for k in self._known if k[0] == tenant_id and k[1] == profile_id]:
            del self._known[key]
        for key in [k for k in self._asking if k[0] == tenant_id and k[1] == profile_id]:
            del self._asking[key]  # who asks from now on asks anew; who waits gets that answer once
        for listener in self._listeners:
            listener(tenant_id, profile_id)

    async def allows(self, claims: Claims) -> bool:
        """True when the claims belong to an active member (platform: the clinic named, if any, exists).

        Database errors propagate: a check that could not run is not a refusal.
        """
        tenant = claims.tenant_id
        if tenant is None:
            return claims.role == "platform"
        key = (tenant, claims.sub, claims.role)
        now = self.clock()
        known = self._known.get(key)
        if known is not None and known[0] > now:
            return known[1]
        asking = self._asking.get(key)
        if asking is None:
            # a task of its own, so that a caller that goes away (its socket closed) cancels only its wait
            asking = asyncio.create_task(self._look_up(key, claims), name="vetql-membership")
            self._asking[key] = asking
            asking.add_done_callback(lambda done: self._asked(key, done))
        return await asyncio.shield(asking)

    async def _look_up(self, key: Key, claims: Claims) -> bool:
        generation = self._generation
        ok = await self._ask(claims)
        if generation != self._generation:
            return ok  # membership changed while asking: answer this once, remember nothing
        if len(self._known) >= self.MAX_ENTRIES:
            del self._known[next(iter(self._known))]  # the oldest
        self._known[key] = (self.clock() + self.ttl, ok)
        return ok

    def _asked(self, key: Key, done: asyncio.Task[bool]) -> None:
        if self._asking.get(key) is done:
            del self._asking[key]
        if not done.cancelled():
            done.exception()  # retrieved here too: every waiter may have gone before it failed

    async def _ask(self, claims: Claims) -> bool:
        db = RequestDb(self.engine, claims.as_json_claims())
        try:
            if claims.role == "platform":
                row = await db.fetch_one(_TENANT, {"tenant": claims.tenant_id})
            else:
                row = await db.fetch_one(_MEMBER, {"tenant": claims.tenant_id, "sub": claims.sub, "role": claims.role})
        finally:
            await db.close()
        return row is not None and bool(row["ok"])
