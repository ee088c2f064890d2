"""The front desk's search on 100,000 pets per clinic: p50 and p99 of `search`, through the API.

    python -m bench.search_bench [--pets 100000] [--clinics 2] [--runs 50] [--reload]

Loads its own database (`vetql_search_bench`, kept between runs unless the size changes or
--reload): per clinic N pets and N/2 owners with Paraguayan names (accents included), phones,
documents, e-mails and microchips, generated in SQL. Then it asks `search` through the app
in-process (HTTP over ASGI, a staff token, row-level security as in production) with the
kinds of text reception types, one request at a time, and prints p50/p99 per kind and the
plan of the name search. No test asserts these times.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench.dataset import server_url
from db import migrate, urls
from server.app import create_app
from server.auth import sign
from server.settings import Settings

DATABASE = "vetql_search_bench"
QUERY = "query($t: String!) { search(text: $t) { score owner { id fullName phone } pet { id name } } }"

_LOAD = """
WITH first AS (SELECT ARRAY['José','María','Lucía','Ñandú','Iván','Sofía','Tomás','Liz','Raúl','Inés',
                            'Ángel','Belén','Andrés','Mónica','Óscar','Verónica','Héctor','Zunilda'] AS n),
     last AS (SELECT ARRAY['Benítez','González','Martínez','Giménez','Ramírez','Núñez','Acuña','Báez',
                           'Ortiz','Villalba','Cáceres','Sánchez','Duarte','Ayala','Fernández','Peña'] AS n)
INSERT INTO profiles (tenant_id, id, role, full_name, email, phone, document_type, document_number)
SELECT $1, gen_random_uuid(), 'owner',
       (SELECT n[1 + i % 18] FROM first) || ' ' || (SELECT n[1 + (i / 18) % 16] FROM last) || ' ' ||
       (SELECT n[1 + (i / 288) % 16] FROM last),
       'cliente' || i || '@correo.com.py', '+595981' || lpad(i::text, 6, '0'), 'ci', (1000000 + i)::text
FROM generate_series(1, $2) AS i
"""
_OWNER_KEYS = """
CREATE TEMP TABLE owner_keys ON COMMIT DROP AS
SELECT (row_number() OVER (ORDER BY id) - 1)::int AS k, id FROM profiles WHERE tenant_id = $1 AND role = 'owner'
"""
_PETS = """
INSERT INTO pets (tenant_id, owner_id, name, species, microchip_id)
SELECT $1, o.id,
       (ARRAY['Tatú','Firulais','Michí','Luna','Rocky','Pelusa','Ñandutí','Toby','Canela',
              'Chispa','Lúcas','Mía','Bóris','Kira','Nala','Simón','Pipí','Tóbi'])[1 + i % 18]
       || CASE WHEN i % 3 = 0 THEN '' ELSE ' ' || (i % 997)::text END,
       (ARRAY['dog','cat','bird','rabbit'])[1 + i % 4], '985141' || lpad(i::text, 9, '0')
FROM generate_series(1, $2) AS i JOIN owner_keys o ON o.k = i % $3
"""



def cases(owners: int) -> list[tuple[str, str]]:
    """(kind, text) as reception types them; `i` is an owner the load above generated."""
    i = min(4242, owners - 1)
    return [
        ("name part", "liz"),
        ("name, no accents", "nandu benitez"),
        ("full name", "Sofía Núñez Acuña"),
        ("pet name", "tatu"),
        ("phone, local", f"0981 {i:06d}"[:8] + " " + f"{i:06d}"[3:]),
        ("phone, E.164", f"+595981{i:06d}"),
        ("document", f"{1000000 + i:,}".replace(",", ".")),
        ("e-mail", f"cliente{i}@correo.com.py"),
        ("microchip", f"985141{i:09d}"),
    ]


async def _load(url: str, clinics: int, pets: int) -> tuple[list[tuple[str, uuid.UUID]], float]:
    conn = await asyncpg.connect(url)
    started = time.perf_counter()
    try:
        marker = f"search-bench clinics={clinics} pets={pets}"
        current = await conn.fetchval(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1", DATABASE
        )
        staff = []
        for c in range(clinics):
            tenant = f"search-{c}"
            staff.append((tenant, uuid.uuid5(uuid.NAMESPACE_URL, f"vetql-search-bench/{tenant}/vet")))
        if current != marker:
            for tenant, vet in staff:
                print(f"==> loading {tenant}: {pets // 2:,} owners, {pets:,} pets", flush=True)
                async with conn.transaction():
                    await conn.execute("DELETE FROM tenants WHERE id = $1", tenant)
                    await conn.execute("INSERT INTO tenants (id, name) VALUES ($1, $1)", tenant)
                    await conn.execute(
                        "INSERT INTO profiles (tenant_id, id, role, full_name) VALUES ($1, $2, 'vet', 'Dra. Bench')",
                        tenant, vet,
                    )  # fmt: skip
                    await conn.execute(_LOAD, tenant, pets // 2)
                    await conn.execute(_OWNER_KEYS, tenant)
                    await conn.execute("CREATE UNIQUE INDEX ON owner_keys (k)")
                    await conn.execute("ANALYZE owner_keys")
                    await conn.execute(_PETS, tenant, pets, pets // 2)
            await conn.execute("ANALYZE profiles")
            await conn.execute("ANALYZE pets")
            await conn.execute(f"COMMENT ON DATABASE \"{DATABASE}\" IS '{marker}'")
        return staff, time.perf_counter() - started
    finally:
        await conn.close()


async def _explain(url: str, tenant: str) -> str:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "EXPLAIN (ANALYZE, COSTS OFF) SELECT id FROM profiles c WHERE c.tenant_id = $1 AND c.role = 'owner'"
            " AND c.archived_at IS NULL AND c.full_name_folded %> (SELECT vetql.fold($2)) LIMIT 20",
            tenant, "nandu benitez",
        )  # fmt: skip
        return "\n".join("    " + r[0] for r in rows)
    finally:
        await conn.close()


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def _measure(
    url: str, staff: list[tuple[str, uuid.UUID]], runs: int, kinds: list[tuple[str, str]]
) -> dict[str, list[float]]:
    settings = Settings(jwt_secret=secrets.token_hex(32), data_dir=Path(".vetql"), env="development")
    app = create_app(settings, url)
    tenant, vet = staff[0]
    bearer = sign(settings, sub=vet, tenant_id=tenant, role="vet", ttl=timedelta(hours=1))
    headers = {"Authorization": f"Bearer {bearer}"}
    timings: dict[str, list[float]] = {kind: [] for kind, _ in kinds}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            for kind, text in kinds:  # warm-up, and a check that each kind finds something
                body: dict[str, Any] = (await http.post("/graphql", json={"query": QUERY, "variables": {"t": text}},
                                                        headers=headers)).json()  # fmt: skip
                assert body.get("errors") is None, body
                print(f"    {kind:18} {text!r:32} {len(body['data']['search'])} hits", flush=True)
            for _ in range(runs):
                for kind, text in kinds:
                    started = time.perf_counter()
                    response = await http.post("/graphql", json={"query": QUERY, "variables": {"t": text}},
                                               headers=headers)  # fmt: skip
                    timings[kind].append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200
    await app.state.engine.dispose()
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search_bench", description=__doc__.split("\n")[0])
    parser.add_argument("--pets", type=int, default=100_000, help="pets per clinic (owners: half as many)")
    parser.add_argument("--clinics", type=int, default=2)
    parser.add_argument("--runs", type=int, default=50, help="requests per kind of search text")
    parser.add_argument("--reload", action="store_true", help="load the data again")
    args = parser.parse_args(argv)
    url = urls.with_database(server_url(), DATABASE)
    admin = urls.with_database(server_url(), "postgres")

    async def ensure_database() -> None:
        conn = await asyncpg.connect(admin)
        try:
            exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", DATABASE)
            if args.reload and exists:
                await conn.execute(f'DROP DATABASE "{DATABASE}" WITH (FORCE)')
                exists = None
            if not exists:
                await conn.execute(f'CREATE DATABASE "{DATABASE}"')
        finally:
            await conn.close()

    asyncio.run(ensure_database())
    print(f"==> migrating {DATABASE}", flush=True)
    migrate.upgrade(url)
    staff, loaded = asyncio.run(_load(url, args.clinics, args.pets))
    print(f"==> data ready in {loaded:.1f} s; plan of a name search:", flush=True)
    print(asyncio.run(_explain(url, staff[0][0])), flush=True)
    print(f"==> search through the API, {args.runs} runs per kind, one request at a time", flush=True)
    timings = asyncio.run(_measure(url, staff, args.runs, cases(args.pets // 2)))
    every = [t for values in timings.values() for t in values]
    print(f"\n{'kind':18} {'p50 ms':>8} {'p99 ms':>8}")
    for kind, values in timings.items():
        print(f"{kind:18} {statistics.median(values):8.2f} {_percentile(values, 99):8.2f}")
    print(f"{'all':18} {statistics.median(every):8.2f} {_percentile(every, 99):8.2f}")
    print(f"({args.clinics} clinics x {args.pets:,} pets and {args.pets // 2:,} owners; target: fast at the desk)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
