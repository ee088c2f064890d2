"""Where a clinic's rows live: on a Citus cluster, on one worker, distributed by tenant_id; on one
PostgreSQL, in its tables as they were (vetql.distribute() is a no-op there). The suite runs on both
(.ci/run), and each test asserts what holds on the server it runs on."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg

from db import citus

T = TypeVar("T")
SHARED = {"subscription_plans", "diagnosis_codes", "tenants"}


def run(url: str, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    async def main() -> T:
        conn = await asyncpg.connect(url)
        try:
            return await work(conn)
        finally:
            await conn.close()

    return asyncio.run(main())


async def _tables(conn: asyncpg.Connection) -> tuple[set[str], set[str]]:
    rows = await conn.fetch(
        "SELECT c.relname, EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id'"
        " AND NOT a.attisdropped) AS clinic FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace"
        " AND c.relkind = 'r' AND c.relname <> 'alembic_version' AND c.relname !~ '_[0-9]{6,}$'"
    )
    return {r["relname"] for r in rows if r["clinic"]}, {r["relname"] for r in rows if not r["clinic"]}


def test_clinic_tables_are_distributed_by_tenant_and_shared_tables_replicated(database_url: str) -> None:
    async def check(conn: asyncpg.Connection) -> None:
        clinic, shared = await _tables(conn)
        assert shared == SHARED and len(clinic) > 30
        if not await citus.nodes(conn):
            assert await conn.fetchval("SELECT vetql.on_citus()") is False
            await conn.execute("CALL vetql.distribute()")  # nothing to do without Citus
            assert await _tables(conn) == (clinic, shared)
            return
        rows = await conn.fetch(
            "SELECT logicalrelid::regclass::text AS t, partmethod::text AS partmethod,"
            " column_to_column_name(logicalrelid, partkey) AS col,"
            " colocationid FROM pg_dist_partition"
        )
        by_table = {r["t"]: r for r in rows}
        assert {t for t in by_table if by_table[t]["partmethod"] == "h"} == clinic
        assert all(by_table[t]["col"] == "tenant_id" for t in clinic)
        assert len({by_table[t]["colocationid"] for t in clinic}) == 1  # one co-location group
        assert {t for t in by_table if by_table[t]["partmethod"] == "n"} == shared

    run(database_url, check)


def test_a_clinics_rows_live_on_one_worker_and_two_clinics_on_different_workers(database_url: str) -> None:
    async def check(conn: asyncpg.Connection) -> None:
        nodes = await citus.nodes(conn)
        if not nodes:
            # one node: every clinic's rows in the same tables, kept apart by forced row-level security alone
            assert await conn.fetchval("SELECT vetql.on_citus()") is False
            assert await conn.fetchval(
                "SELECT relrowsecurity AND relforcerowsecurity FROM pg_class WHERE oid = 'pets'::regclass"
            )
            return
        workers = [(h, p) for h, p, coordinator in nodes if not coordinator]

        async def worker_of(tenant: str) -> tuple[str, int]:
            row = await conn.fetchrow(
                "SELECT n.nodename, n.nodeport FROM pg_dist_placement p JOIN pg_dist_node n ON n.groupid = p.groupid"
                " WHERE p.shardid = get_shard_id_for_distribution_column('pets', CAST($1 AS text))", tenant
            )
            return row["nodename"], row["nodeport"]

        # two clinic ids that hash to shards on different workers
        first = f"citus-{uuid.uuid4().hex[:8]}"
        home = await worker_of(first)
        second = ""
        for _ in range(200):
            second = f"citus-{uuid.uuid4().hex[:8]}"
            if await worker_of(second) != home:
                break
        assert {home, await worker_of(second)} <= set(workers)
        for tenant in (first, second):
            owner = uuid.uuid4()
            await conn.execute("INSERT INTO tenants (id, name) VALUES ($1, $1)", tenant)
            await conn.execute(
                "INSERT INTO profiles (tenant_id, id, role, full_name) VALUES ($1, $2, 'owner', 'Dueña')", tenant, owner
            )
            await conn.execute(
                "INSERT INTO pets (tenant_id, owner_id, name, species, sex) VALUES ($1, $2, 'Tatú', 'dog', 'male')",
                tenant, owner,
            )
        try:
            for tenant in (first, second):
                here = await worker_of(tenant)
                # every co-located table's shard for this clinic is on the same worker
                places = await conn.fetch(
                    "SELECT DISTINCT n.nodename, n.nodeport FROM pg_dist_partition d"
                    " JOIN pg_dist_shard s ON s.logicalrelid = d.logicalrelid"
                    " JOIN pg_dist_placement p ON p.shardid = s.shardid JOIN pg_dist_node n ON n.groupid = p.groupid"
                    " WHERE d.partmethod = 'h'"
                    " AND s.shardid = get_shard_id_for_distribution_column(d.logicalrelid, CAST($1 AS text))",
                    tenant,
                )
                assert [(r["nodename"], r["nodeport"]) for r in places] == [here]
                # and the rows are physically there, and only there
                for host, port in workers:
                    worker = await asyncpg.connect(host=host, port=port, user="postgres",
                                                   database=await conn.fetchval("SELECT current_database()"))
                    try:
                        shard = await conn.fetchval(
                            "SELECT shard_name('pets'::regclass,"
                            " get_shard_id_for_distribution_column('pets', CAST($1 AS text)))",
                            tenant,
                        )
                        present = await worker.fetchval("SELECT to_regclass($1) IS NOT NULL", f"public.{shard}")
                        found = await worker.fetchval(f"SELECT count(*) FROM public.{shard} WHERE tenant_id = $1",
                                                      tenant) if present else 0
                    finally:
                        await worker.close()
                    assert found == (1 if (host, port) == here else 0), (tenant, host, port)
        finally:
            await conn.execute("DELETE FROM tenants WHERE id = ANY($1)", [first, second])

    run(database_url, check)
