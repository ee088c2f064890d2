"""Who waits for a lock, on one PostgreSQL or across a Citus cluster (tests that stage lock waits).

On Citus a statement's lock waits happen on the worker that holds the clinic's shards, where the
coordinator's pg_stat_activity does not see them; citus_lock_waits gathers them from every node, by
global process id.
"""

from __future__ import annotations

import asyncpg


async def on_citus(conn: asyncpg.Connection) -> bool:
    return bool(await conn.fetchval("SELECT vetql.on_citus()"))


async def waiting_backends(conn: asyncpg.Connection) -> int:
    """How many backends of this database wait on a lock now."""
    if await on_citus(conn):
        return int(await conn.fetchval("SELECT count(DISTINCT waiting_gpid) FROM citus_lock_waits"))
    return int(
        await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
    )


async def backend_id(conn: asyncpg.Connection) -> int:
    """`conn`'s backend as waits_on_lock knows it (its pid, or its global pid on Citus)."""
    if await on_citus(conn):
        return int(await conn.fetchval("SELECT citus_backend_gpid()"))
    return conn.get_server_pid()


async def waits_on_lock(watch: asyncpg.Connection, backend: int) -> bool:
    """Whether the backend `backend_id` named waits on a lock now (asked over another connection)."""
    if await on_citus(watch):
        found = await watch.fetchval("SELECT EXISTS (SELECT 1 FROM citus_lock_waits WHERE waiting_gpid = $1)", backend)
        return bool(found)
    return await watch.fetchval("SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1", backend) == "Lock"
