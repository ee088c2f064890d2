"""RequestDb on the driver connection: claims per transaction, errors without values, nothing left open.

One pooled connection only, so every request below reuses the connection the previous one used:
whatever a request leaves behind, the next one would see.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import sqlalchemy.exc
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_engine
from db.session import DbError, RequestDb
from tests.world import World

SECRET = "Luna bit the technician; muzzle before exams"  # clinical free text: must never reach an error


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url, pool_size=1)  # strictly one connection
    yield engine
    await engine.dispose()


def staff(world: World) -> dict[str, str]:
    return {"sub": str(world.a.vet), "role": "vet", "tenant_id": world.a.tenant}


async def leftover(engine: AsyncEngine) -> tuple[bool, str, bool]:
    """What the next request would inherit on the pooled connection, looked at without starting a
    transaction of our own: (still in a transaction?, claims set, still vetql_app?)."""
    async with engine.connect() as pooled:
        conn = (await pooled.get_raw_connection()).driver_connection
        assert conn is not None
        in_transaction = conn.is_in_transaction()
        claims = await conn.fetchval("SELECT coalesce(current_setting('request.jwt.claims', true), '')")
        role = await conn.fetchval("SELECT current_user")
        return in_transaction, claims, role == "vetql_app"


CLEAN = (False, "", False)


async def test_claims_and_role_last_one_transaction(engine: AsyncEngine, world: World) -> None:
    db = RequestDb(engine, staff(world))
    row = await db.fetch_one(text("SELECT current_user AS who, (SELECT count(*) FROM pets) AS n"))
    assert row is not None and row["who"] == "vetql_app" and row["n"] == len(world.a.pets)
    await db.commit()
    assert await leftover(engine) == CLEAN  # the next request: no one's claims, not vetql_app


async def test_a_refused_statement_carries_its_code_but_not_the_values(engine: AsyncEngine, world: World) -> None:
    db = RequestDb(engine, staff(world))
    insert = text(
        "INSERT INTO patient_alerts (tenant_id, pet_id, alert_type, severity, title, message, created_by)"
        " VALUES (:tenant, :pet, 'aggressive', 'not-a-severity', 'Bites', :message, :by)"
    )
    with pytest.raises(DbError) as refused:
        await db.fetch(insert, {"tenant": world.a.tenant, "pet": world.a.pets[0], "message": SECRET, "by": world.a.vet})
    assert refused.value.sqlstate == "23514" and refused.value.constraint  # check_violation, named
    assert SECRET not in str(refused.value) and "Luna" not in repr(refused.value)
    await db.close()
    assert await leftover(engine) == CLEAN  # nothing of the failed transaction is left


async def test_uncommitted_writes_are_rolled_back_when_the_request_ends(engine: AsyncEngine, world: World) -> None:
    db = RequestDb(engine, staff(world))
    await db.fetch(text("UPDATE pets SET name = 'Not committed' WHERE tenant_id = :t AND id = :p"),
                   {"t": world.a.tenant, "p": world.a.pets[0]})
    await db.close()
    assert await leftover(engine) == CLEAN
    check = RequestDb(engine, staff(world))
    row = await check.fetch_one(text("SELECT name FROM pets WHERE tenant_id = :t AND id = :p"),
                                {"t": world.a.tenant, "p": world.a.pets[0]})
    await check.close()
    assert row is not None and row["name"] != "Not committed"


async def test_a_request_cancelled_mid_statement_leaves_nothing_behind(engine: AsyncEngine, world: World) -> None:
    db = RequestDb(engine, staff(world))
    task = asyncio.create_task(db.fetch(text("SELECT pg_sleep(5)")))
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await db.close()
    # The only connection is usable again and carries neither the transaction nor the claims.
    assert await asyncio.wait_for(leftover(engine), 10) == CLEAN


async def test_read_only_snapshot_refuses_writes(engine: AsyncEngine, world: World) -> None:
    db = RequestDb(engine, staff(world))
    db.read_only_snapshot()
    with pytest.raises(DbError) as refused:
        await db.fetch(text("UPDATE pets SET name = name WHERE tenant_id = :t"), {"t": world.a.tenant})
    assert refused.value.sqlstate == "25006"  # read_only_sql_transaction
    await db.close()


async def test_the_pool_holds_at_most_its_size_and_keeps_every_connection_it_opened(database_url: str) -> None:
    """No overflow to open and close under load (db/engine.py): the same backends serve round after round."""
    engine = create_engine(database_url, pool_size=3, pool_timeout=0.2)
    try:

        async def round_of_three() -> set[int]:
            pooled = [await engine.connect() for _ in range(3)]
            try:
                with pytest.raises(sqlalchemy.exc.TimeoutError):  # a fourth waits, then gives up
                    await engine.connect()
                return {(await c.exec_driver_sql("SELECT pg_backend_pid()")).scalar_one() for c in pooled}
            finally:
                for c in pooled:
                    await c.close()

        first = await round_of_three()
        assert len(first) == 3
        assert await round_of_three() == first
    finally:
        await engine.dispose()
