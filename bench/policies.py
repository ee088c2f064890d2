"""Row-level security in the form migration 0024 writes against the form it replaced, on 2 x 100,000 pets.

    python -m bench.policies [--pets 100000] [--runs 30] [--reload]

0024 rewrote every policy for Citus: `tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.is_staff())`
(claims read once per statement through an InitPlan, refused by Citus) became
`tenant_id = ANY (ARRAY[vetql.staff_tenant()])`. This checks, on one PostgreSQL, that the clinic filter
still drives an index scan and costs no more: a staff member's first page of pets by name, the clinic's
pet count, and one pet by id, each as vetql_app under staff claims, EXPLAIN ANALYZE'd `--runs` times
under the old policy and the new one. Prints the scan each plan uses and the median execution time.
Its own database (`vetql_policy_bench`), kept between runs unless --reload. No test asserts these times.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import uuid
from typing import Any

import asyncpg

from bench.dataset import server_url
from db import citus, migrate, urls
from db.session import set_claims

DATABASE = "vetql_policy_bench"
CLINICS = ("policy-a", "policy-b")
OLD = "tenant_id = (SELECT vetql.tenant_id()) AND (SELECT vetql.is_staff())"
NEW = "tenant_id = ANY (ARRAY[vetql.staff_tenant()])"
QUERIES = {
    "first page by name": "SELECT id, name FROM pets WHERE tenant_id = $1 ORDER BY name, id LIMIT 50",
    "count of the clinic's pets": "SELECT count(*) FROM pets WHERE tenant_id = $1",
    "one pet by id": "SELECT * FROM pets WHERE tenant_id = $1 AND id = $2",
}

_LOAD = """
INSERT INTO pets (tenant_id, id, owner_id, name, species, sex)
SELECT $1, gen_random_uuid(), $2, 'Pet ' || lpad(n::text, 6, '0'), CASE WHEN n % 2 = 0 THEN 'dog' ELSE 'cat' END,
       CASE WHEN n % 3 = 0 THEN 'female' ELSE 'male' END
  FROM generate_series(1, $3) AS n
"""


async def _load(url: str, pets: int) -> None:
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")  # no audit rows for the load
            for clinic in CLINICS:
                await conn.execute("INSERT INTO tenants (id, name) VALUES ($1, $1)", clinic)
                owner = uuid.uuid4()
                await conn.execute(
                    "INSERT INTO profiles (tenant_id, id, role, full_name) VALUES ($1, $2, 'owner', 'Owner')",
                    clinic, owner,
                )
                await conn.execute(
                    "INSERT INTO profiles (tenant_id, id, role, full_name) VALUES ($1, $2, 'vet', 'Vet')",
                    clinic, uuid.uuid5(uuid.NAMESPACE_URL, clinic),
                )
                await conn.execute(_LOAD, clinic, owner, pets)
        await conn.execute("ANALYZE pets")
    finally:
        await conn.close()


async def _prepare(base: str, pets: int, reload: bool) -> str:
    url = urls.with_database(base, DATABASE)
    admin = await asyncpg.connect(urls.with_database(base, "postgres"))
    try:
        exists = await admin.fetchval("SELECT true FROM pg_database WHERE datname = $1", DATABASE)
    finally:
        await admin.close()
    if exists and not reload:
        conn = await asyncpg.connect(url)
        try:
            have = await conn.fetchval("SELECT count(*) FROM pets WHERE tenant_id = $1", CLINICS[0])
        finally:
            await conn.close()
        if have == pets:
            return url
    print(f"==> loading {len(CLINICS)} x {pets:,} pets into {DATABASE}", flush=True)
    url = await citus.create_database(base, DATABASE)
    await asyncio.to_thread(migrate.upgrade, url)
    await _load(url, pets)
    return url


def _scans(plan: dict[str, Any]) -> list[str]:
    found = []
    if "Scan" in plan["Node Type"]:
        found.append(f"{plan['Node Type']}" + (f" on {plan['Index Name']}" if "Index Name" in plan else ""))
    for child in plan.get("Plans", []):
        found.extend(_scans(child))
    return found


async def _measure(url: str, policy: str, runs: int) -> dict[str, tuple[list[str], float]]:
    conn = await asyncpg.connect(url)
    results: dict[str, tuple[list[str], float]] = {}
    try:
        await conn.execute(f"ALTER POLICY staff_all ON pets USING ({policy}) WITH CHECK ({policy})")
        clinic = CLINICS[0]
        vet = uuid.uuid5(uuid.NAMESPACE_URL, clinic)
        pet = await conn.fetchval("SELECT id FROM pets WHERE tenant_id = $1 ORDER BY id LIMIT 1 OFFSET 500", clinic)
        claims = json.dumps({"sub": str(vet), "role": "vet", "tenant_id": clinic})
        for label, sql in QUERIES.items():
            args: list[Any] = [clinic] if "$2" not in sql else [clinic, pet]
            times, scans = [], []
            for _ in range(runs):
                async with conn.transaction():
                    await conn.execute("SET LOCAL ROLE vetql_app")
                    await conn.execute(set_claims(claims))
                    plan = json.loads(await conn.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", *args))[0]
                times.append(plan["Execution Time"])
                scans = _scans(plan["Plan"])
            results[label] = (scans, statistics.median(times))
    finally:
        await conn.close()
    return results


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.policies", description=__doc__.splitlines()[0])
    parser.add_argument("--pets", type=int, default=100_000, help="pets per clinic (default 100,000)")
    parser.add_argument("--runs", type=int, default=30, help="EXPLAIN ANALYZE runs per query and policy")
    parser.add_argument("--reload", action="store_true", help="load the database again")
    args = parser.parse_args(argv)
    url = await _prepare(await asyncio.to_thread(server_url), args.pets, args.reload)
    measured = {name: await _measure(url, policy, args.runs) for name, policy in (("old", OLD), ("new", NEW))}
    conn = await asyncpg.connect(url)
    try:  # leave the database as the migrations made it
        await conn.execute(f"ALTER POLICY staff_all ON pets USING ({NEW}) WITH CHECK ({NEW})")
    finally:
        await conn.close()
    print(f"\n{len(CLINICS)} clinics x {args.pets:,} pets, staff of one clinic, median of {args.runs} runs")
    for label in QUERIES:
        old_scans, old_ms = measured["old"][label]
        new_scans, new_ms = measured["new"][label]
        print(f"- {label}: old {old_ms:.3f} ms ({', '.join(old_scans)}); new {new_ms:.3f} ms "
              f"({', '.join(new_scans)}); new/old {new_ms / old_ms:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
