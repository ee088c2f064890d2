"""A Citus cluster's databases: Citus keeps its nodes per database, so a new one is set up on each."""

from __future__ import annotations

import asyncpg

from db import urls

_NODES = "SELECT nodename, nodeport, groupid = 0 AS coordinator FROM pg_dist_node WHERE isactive ORDER BY groupid"


async def nodes(conn: asyncpg.Connection) -> list[tuple[str, int, bool]]:
    """(host, port, is the coordinator) of the cluster `conn`'s database belongs to; [] without Citus."""
    if not await conn.fetchval("SELECT true FROM pg_extension WHERE extname = 'citus'"):
        return []
    return [(r["nodename"], r["nodeport"], r["coordinator"]) for r in await conn.fetch(_NODES)]


async def create_database(server_url: str, name: str) -> str:
    """An empty database `name` (dropped first if it exists) on the server at `server_url`; on a
    Citus coordinator, on every node of its cluster with the extension and the nodes registered."""
    admin = await asyncpg.connect(urls.with_database(server_url, "postgres"))
    try:
        cluster = await nodes(admin)
        if not cluster:
            await _recreate(admin, name)
            return urls.with_database(server_url, name)
    finally:
        await admin.close()
    for host, port, _ in cluster:
        node = await asyncpg.connect(host=host, port=port, user="postgres", database="postgres")
        try:
            await _recreate(node, name)
        finally:
            await node.close()
        node = await asyncpg.connect(host=host, port=port, user="postgres", database=name)
        try:
            await node.execute("CREATE EXTENSION citus")
        finally:
            await node.close()
    url = urls.with_database(server_url, name)
    coordinator = await asyncpg.connect(url)
    try:
        for host, port, is_coordinator in cluster:
            if is_coordinator:
                await coordinator.execute("SELECT citus_set_coordinator_host($1, $2)", host, port)
            else:
                await coordinator.execute("SELECT citus_add_node($1, $2)", host, port)
    finally:
        await coordinator.close()
    return url


async def _recreate(conn: asyncpg.Connection, name: str) -> None:
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.execute(f'CREATE DATABASE "{name}"')
