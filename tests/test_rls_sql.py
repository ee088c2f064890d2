"""Row-level security checked in SQL, as any client of the database would meet it.

Every test connects as the superuser, opens a transaction, switches to `vetql_app` with
`db.session.REQUEST_ROLE` and sets claims the way PostgREST does; writes are always rolled back.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from db.session import REQUEST_ROLE, set_claims
from tests.world import World

CLINIC_TABLES = """
SELECT c.relname
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
 ORDER BY c.relname
"""

# Tables every staff member of a clinic reads in full (the others are narrower on purpose:
# user_devices are their user's, billing is the admin's).
STAFF_READS_ALL = [
    "anesthesia_logs",
    "anesthesia_vitals",
    "appointments",
    "exam_rooms",
    "patient_alerts",
    "patient_problems",
    "pets",
    "profiles",
]


@pytest.fixture
async def conn(database_url: str, world: World) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(database_url)
    try:
        yield connection
    finally:
        await connection.close()


@pytest.fixture
async def clinic_tables(conn: asyncpg.Connection) -> list[str]:
    tables = [r["relname"] for r in await conn.fetch(CLINIC_TABLES)]
    # the query finds the clinic tables: the known ones are among them
    assert {"pets", "patient_alerts", "anesthesia_vitals", "tenant_usage", "promotions"} <= set(tables)
    return tables


def claims(role: str, tenant: str | None, sub: uuid.UUID) -> str:
    body: dict[str, Any] = {"role": role, "sub": str(sub)}
    if tenant is not None:
        body["tenant_id"] = tenant
    return json.dumps(body)


async def as_app(conn: asyncpg.Connection, claim_json: str | None = None) -> None:
    """Inside the open transaction: become vetql_app, with these claims if given."""
    await conn.execute(REQUEST_ROLE)
    if claim_json is not None:
        await conn.execute(set_claims(claim_json))
    assert await conn.fetchval("SELECT current_user") == "vetql_app"


async def counts_by_tenant(conn: asyncpg.Connection, table: str) -> dict[str, int]:
    rows = await conn.fetch(f'SELECT tenant_id, count(*) AS n FROM "{table}" GROUP BY tenant_id')
    return {r["tenant_id"]: r["n"] for r in rows}


async def fails_with(conn: asyncpg.Connection, error: type[Exception], sql: str, *args: object) -> None:
    """`sql` raises `error`; run in a savepoint rolled back after it, so the transaction goes on."""
    savepoint = conn.transaction()
    await savepoint.start()
    try:
        with pytest.raises(error):
            await conn.execute(sql, *args)
    finally:
        await savepoint.rollback()


class Rollback:
    """`async with Rollback(conn):` a transaction that is always rolled back."""

    def __init__(self, conn: asyncpg.Connection, isolation: str = "repeatable_read") -> None:
        self.tx = conn.transaction(isolation=isolation)

    async def __aenter__(self) -> None:
        await self.tx.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.tx.rollback()


# -- no claims -----------------------------------------------------------------------------------


async def test_no_claims_sees_no_row_of_any_clinic_table(conn: asyncpg.Connection, clinic_tables: list[str]) -> None:
    async with Rollback(conn):
        as_superuser = {t: await conn.fetchval(f'SELECT count(*) FROM "{t}"') for t in clinic_tables}
        assert as_superuser["pets"] > 0 and as_superuser["anesthesia_vitals"] > 0
        await as_app(conn)
        visible = {t: await conn.fetchval(f'SELECT count(*) FROM "{t}"') for t in clinic_tables}
        visible["tenants"] = await conn.fetchval("SELECT count(*) FROM tenants")
    assert visible == dict.fromkeys([*clinic_tables, "tenants"], 0)


async def test_no_claims_sees_the_public_plans(conn: asyncpg.Connection) -> None:
    async with Rollback(conn):
        await as_app(conn)
        plans = await conn.fetch("SELECT id, is_active FROM subscription_plans ORDER BY price_monthly, id")
        diagnosis_codes = await conn.fetchval("SELECT count(*) FROM diagnosis_codes")
    assert [p["id"] for p in plans] == ["basic", "pro", "enterprise"]
    assert all(p["is_active"] for p in plans)
    assert diagnosis_codes == 0  # reference data is for signed-in users


# -- staff of clinic A ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["vet", "admin"])
async def test_staff_claims_see_only_own_clinic_rows_in_every_table(
    conn: asyncpg.Connection, clinic_tables: list[str], world: World, role: str
) -> None:
    sub = world.a.admin if role == "admin" else world.a.vet
    async with Rollback(conn):
        everything = {t: await counts_by_tenant(conn, t) for t in STAFF_READS_ALL}
        await as_app(conn, claims(role, "clinic-a", sub))
        visible = {t: await counts_by_tenant(conn, t) for t in clinic_tables}
        tenants = [r["id"] for r in await conn.fetch("SELECT id FROM tenants")]
    strangers = {t: {k: n for k, n in by_tenant.items() if k != "clinic-a"} for t, by_tenant in visible.items()}
    assert strangers == {t: {} for t in clinic_tables}
    for t in STAFF_READS_ALL:  # and all of their own clinic's rows, so the claims did take effect
        assert visible[t] == {"clinic-a": everything[t]["clinic-a"]}, t
    assert tenants == ["clinic-a"]


async def test_staff_cannot_insert_a_row_for_another_clinic(conn: asyncpg.Connection, world: World) -> None:
    async with Rollback(conn):
        await as_app(conn, claims("vet", "clinic-a", world.a.vet))
        with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError, match="row-level security"):
            await conn.execute(
                "INSERT INTO patient_alerts (tenant_id, pet_id, alert_type, title)"
                " VALUES ('clinic-b', $1, 'aggressive', 'Muerde')",
                world.b.pets[0],
            )


async def test_staff_cannot_create_a_clinic_row_for_another_clinic_in_any_staff_table(
    conn: asyncpg.Connection, world: World
) -> None:
    async with Rollback(conn):
        await as_app(conn, claims("admin", "clinic-a", world.a.admin))
        for sql in (
            "INSERT INTO exam_rooms (tenant_id, name) VALUES ('clinic-b', 'Sala intrusa')",
            "INSERT INTO profiles (tenant_id, role, full_name) VALUES ('clinic-b', 'vet', 'Intruso')",
            "INSERT INTO promotions (tenant_id, code, name, discount_type, discount_value)"
            " VALUES ('clinic-b', 'INTRUSO', 'x', 'fixed', 1)",
        ):
            await fails_with(conn, asyncpg.exceptions.InsufficientPrivilegeError, sql)


async def test_staff_cannot_move_own_row_to_another_clinic(conn: asyncpg.Connection, world: World) -> None:
    # the policy's WITH CHECK refuses it; on Citus the distribution column cannot change at all
    refused, why = asyncpg.exceptions.InsufficientPrivilegeError, "row-level security"
    if await conn.fetchval("SELECT vetql.on_citus()"):
        refused, why = asyncpg.exceptions.FeatureNotSupportedError, "modifying the partition value"
    async with Rollback(conn):
        await as_app(conn, claims("vet", "clinic-a", world.a.vet))
        with pytest.raises(refused, match=why):
            await conn.execute(
                "UPDATE exam_rooms SET tenant_id = 'clinic-b' WHERE tenant_id = 'clinic-a' AND id = $1",
                world.a.rooms[0],
            )


async def test_staff_updates_and_deletes_of_another_clinic_touch_no_row(conn: asyncpg.Connection, world: World) -> None:
    # Counted before and after under clinic B's admin claims, as vetql_app throughout: Citus lets no
    # other role read, in the same transaction, the shards vetql_app wrote.
    as_b, as_a = claims("admin", "clinic-b", world.b.admin), claims("admin", "clinic-a", world.a.admin)
    counts = (
        "SELECT (SELECT count(*) FROM patient_alerts) AS alerts, (SELECT count(*) FROM anesthesia_vitals) AS vitals,"
        " (SELECT count(*) FROM pets WHERE name = 'Hackeado') AS renamed"
    )
    async with Rollback(conn):
        await as_app(conn, as_b)
        before = dict(await conn.fetchrow(counts))
        await conn.execute(set_claims(as_a))
        a_vitals = await conn.fetchval("SELECT count(*) FROM anesthesia_vitals")
        assert before["alerts"] > 0 and before["vitals"] > 0 and a_vitals > 0
        assert await conn.execute("UPDATE pets SET name = 'Hackeado' WHERE tenant_id = 'clinic-b'") == "UPDATE 0"
        assert await conn.execute("UPDATE pets SET name = 'Hackeado' WHERE id = $1", world.b.pets[0]) == "UPDATE 0"
        assert await conn.execute("DELETE FROM patient_alerts WHERE tenant_id = 'clinic-b'") == "DELETE 0"
        assert await conn.execute("DELETE FROM anesthesia_vitals") == f"DELETE {a_vitals}"
        # the same statements reach clinic A's own rows: the policy, not the SQL, stopped them
        own_alerts = await conn.execute("DELETE FROM patient_alerts")
        assert own_alerts != "DELETE 0"
        await conn.execute(set_claims(as_b))
        after = dict(await conn.fetchrow(counts))
    assert after == before and after["renamed"] == 0


async def test_staff_insert_without_tenant_id_gets_own_clinic(conn: asyncpg.Connection, world: World) -> None:
    async with Rollback(conn):
        await as_app(conn, claims("vet", "clinic-a", world.a.vet))
        tenant = await conn.fetchval(
            "INSERT INTO patient_alerts (pet_id, alert_type, title) VALUES ($1, 'allergy', 'Penicilina')"
            " RETURNING tenant_id",
            world.a.pets[2],
        )
    assert tenant == "clinic-a"


async def test_staff_insert_without_tenant_id_cannot_reach_another_clinic_pet(
    conn: asyncpg.Connection, world: World
) -> None:
    # the defaulted tenant_id is A's, so B's pet is not found: the composite key keeps clinics apart
    async with Rollback(conn):
        await as_app(conn, claims("vet", "clinic-a", world.a.vet))
        with pytest.raises(asyncpg.exceptions.ForeignKeyViolationError):
            await conn.execute(
                "INSERT INTO patient_alerts (pet_id, alert_type, title) VALUES ($1, 'allergy', 'x')",
                world.b.pets[0],
            )


# -- an owner of clinic A --------------------------------------------------------------------------


async def test_owner_claims_see_only_own_pets(conn: asyncpg.Connection, world: World) -> None:
    for owner in world.a.owners:
        async with Rollback(conn):
            await as_app(conn, claims("owner", "clinic-a", owner))
            pets = {r["id"] for r in await conn.fetch("SELECT id FROM pets")}
            profiles = {r["id"] for r in await conn.fetch("SELECT id FROM profiles")}
        assert pets == set(world.a.pets_by_owner[owner])
        assert profiles == {owner}


async def test_owner_claims_see_no_staff_only_rows(conn: asyncpg.Connection, world: World) -> None:
    async with Rollback(conn):
        await as_app(conn, claims("owner", "clinic-a", world.a.owners[0]))
        staff_only = {
            t: await conn.fetchval(f"SELECT count(*) FROM {t}")
            for t in (
                "patient_alerts",
                "anesthesia_logs",
                "anesthesia_vitals",
                "exam_rooms",
                "promotions",
                "tenant_usage",
                "tenant_subscriptions",
                "medical_records",
            )
        }
        problems = await conn.fetchval("SELECT count(*) FROM patient_problems")
    assert staff_only == dict.fromkeys(staff_only, 0)
    assert problems > 0  # owner 0 owns pets with problems: the owner does read through policies


async def test_owner_cannot_insert_alerts(conn: asyncpg.Connection, world: World) -> None:
    owner = world.a.owners[0]
    async with Rollback(conn):
        await as_app(conn, claims("owner", "clinic-a", owner))
        with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError, match="row-level security"):
            await conn.execute(
                "INSERT INTO patient_alerts (pet_id, alert_type, title) VALUES ($1, 'vip', 'Soy VIP')",
                world.a.pets_by_owner[owner][0],
            )


async def test_owner_cannot_update_or_delete_own_pets(conn: asyncpg.Connection, world: World) -> None:
    owner = world.a.owners[0]
    async with Rollback(conn):
        await as_app(conn, claims("owner", "clinic-a", owner))
        assert await conn.execute("UPDATE pets SET name = 'Otro'") == "UPDATE 0"
        assert await conn.execute("DELETE FROM patient_problems") == "DELETE 0"


# -- claims are transaction-local ------------------------------------------------------------------


@pytest.mark.parametrize("end", ["commit", "rollback"])
async def test_claims_do_not_leak_into_the_next_transaction(conn: asyncpg.Connection, world: World, end: str) -> None:
    tx = conn.transaction()
    await tx.start()
    await as_app(conn, claims("admin", "clinic-a", world.a.admin))
    assert await conn.fetchval("SELECT count(*) FROM pets") >= len(world.a.pets)
    await (tx.commit() if end == "commit" else tx.rollback())

    assert await conn.fetchval("SELECT current_setting('request.jwt.claims', true)") == ""
    assert await conn.fetchval("SELECT current_user") != "vetql_app"
    async with Rollback(conn):
        await conn.execute(REQUEST_ROLE)
        assert await conn.fetchval("SELECT vetql.tenant_id()") is None
        assert await conn.fetchval("SELECT count(*) FROM pets") == 0
        assert await conn.fetchval("SELECT count(*) FROM profiles") == 0


# -- keys are per clinic ---------------------------------------------------------------------------


async def test_two_clinics_may_share_a_promotion_code_and_a_room_name(conn: asyncpg.Connection) -> None:
    async with Rollback(conn):
        for tenant in ("clinic-a", "clinic-b"):
            await conn.execute(
                "INSERT INTO promotions (tenant_id, code, name, discount_type, discount_value)"
                " VALUES ($1, 'BIENVENIDA', 'Bienvenida', 'percentage', 10)",
                tenant,
            )
            await conn.execute("INSERT INTO exam_rooms (tenant_id, name) VALUES ($1, 'Quirófano Norte')", tenant)
        assert await conn.fetchval("SELECT count(*) FROM promotions WHERE code = 'BIENVENIDA'") == 2
        assert await conn.fetchval("SELECT count(*) FROM exam_rooms WHERE name = 'Quirófano Norte'") == 2
        # within one clinic they stay unique
        await fails_with(
            conn,
            asyncpg.exceptions.UniqueViolationError,
            "INSERT INTO promotions (tenant_id, code, name, discount_type, discount_value)"
            " VALUES ('clinic-a', 'bienvenida', 'Otra', 'fixed', 5000)",
        )
        await fails_with(
            conn,
            asyncpg.exceptions.UniqueViolationError,
            "INSERT INTO exam_rooms (tenant_id, name) VALUES ('clinic-b', 'quirófano norte')",
        )


async def test_staff_of_each_clinic_may_create_the_same_code_through_rls(
    conn: asyncpg.Connection, world: World
) -> None:
    async with Rollback(conn):
        for clinic in (world.a, world.b):
            async with conn.transaction():
                await as_app(conn, claims("admin", clinic.tenant, clinic.admin))
                tenant = await conn.fetchval(
                    "INSERT INTO promotions (code, name, discount_type, discount_value)"
                    " VALUES ('INVIERNO', 'Invierno', 'percentage', 15) RETURNING tenant_id"
                )
                assert tenant == clinic.tenant
                await conn.execute(set_claims(''))
        for clinic in (world.a, world.b):  # each clinic's own, read by its own staff (see the test above)
            await conn.execute(set_claims(claims("admin", clinic.tenant, clinic.admin)))
            assert await conn.fetchval("SELECT count(*) FROM promotions WHERE code = 'INVIERNO'") == 1
