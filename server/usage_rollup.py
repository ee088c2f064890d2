"""Usage roll-up without a cron: every few minutes one server process folds committed
`tenant_usage_deltas` into `tenant_usage` with `vetql.roll_up_usage()`, and active users'
`tenant_active_user_deltas` with `vetql.roll_up_active_users()`, in one transaction.

The call runs like any request: as `vetql_app`, under row-level security, with the claims
of the platform operator, the one role whose policies let it read and delete every
clinic's deltas and write every clinic's `tenant_usage` (the function is SECURITY INVOKER
and so is its sibling; they need nothing more). The login role is never used outside RLS.

`pg_try_advisory_xact_lock` makes it one process at a time: the others skip the period.
The lock is the transaction's, so it is released by the COMMIT or ROLLBACK that ends the
roll-up even if the connection goes back to the pool. A failure (database down, a
timeout) is logged and tried again next period; it never stops the server.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncEngine

from db import billing
from db.session import RequestDb

log = logging.getLogger("vetql.usage")

ROLLUP_EVERY_SECONDS = 300.0
# Advisory lock key of the roll-up (any constant the rest of VetQL does not use): 'vetqlusg'.
ROLLUP_LOCK_KEY = 0x766574716C757367
_PLATFORM = {"role": "platform"}


async def roll_up_once(engine: AsyncEngine) -> int | None:
    """One roll-up: how many delta rows were folded, or None when another process holds the lock."""
    db = RequestDb(engine, _PLATFORM)
    try:
        folded = await billing.roll_up_usage(db, ROLLUP_LOCK_KEY)
        if folded is not None:
            await db.commit()
        return folded
    finally:
        await db.close()  # rolls back (and unlocks) anything not committed


async def run_periodically(engine: AsyncEngine, every: float = ROLLUP_EVERY_SECONDS) -> None:
    """Roll up every `every` seconds until cancelled; errors are logged, never raised."""
    while True:
        await asyncio.sleep(every)
        try:
            folded = await roll_up_once(engine)
        except Exception:
            log.exception("usage roll-up failed; trying again in %.0f s", every)
            continue
        if folded:
            log.info("usage roll-up folded %d delta rows", folded)
