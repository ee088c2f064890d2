"""Gaps of the clinic workflows: `node(id)` for every Node type, `Clinic.subscription` and
`Clinic.usage`, and the usage roll-up the server runs itself.

Each test writes into clinics of its own (created here as superuser), so counts of the
shared world are untouched.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from db.engine import create_engine
from db.session import REQUEST_ROLE, set_claims
from graph.types.node import to_global_id
from server import usage_rollup
from tests.conftest import GQL
from tests.world import World

Token = Callable[..., str]

NODE = """
query($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Promotion { code }
    ... on AppointmentRecurrence { pattern }
    ... on TenantSubscription { planCode clinicSlug }
    ... on SubscriptionPlan { code }
    ... on Clinic { slug }
  }
}
"""
VIEWER_CLINIC = """
query($from: Date!, $to: Date!) {
  viewer { clinic { slug subscription { planCode status } usage(from: $from, to: $to) { appointmentsCreated } } }
}
"""
CLINIC_NODE = """
query($id: ID!, $from: Date!, $to: Date!) {
  node(id: $id) {
    ... on Clinic { slug subscription { planCode status } usage(from: $from, to: $to) { appointmentsCreated } }
  }
}
"""
USAGE = """
query($t: String, $from: Date!, $to: Date!) {
  tenantUsage(tenantId: $t, from: $from, to: $to) {
    periodStart periodEnd appointmentsCreated invoicesCreated messagesSent
  }
}
"""


@dataclass
class Gap:
    tenant: str
    admin: uuid.UUID
    vet: uuid.UUID
    owner: uuid.UUID
    pet: uuid.UUID
    promotion: uuid.UUID
    recurrence: uuid.UUID
    subscription: uuid.UUID


async def make_clinic(database_url: str) -> Gap:
    """A clinic with a promotion, a recurring series and an active subscription to `pro`."""
    g = Gap(f"gap-{uuid.uuid4().hex[:8]}", *(uuid.uuid4() for _ in range(7)))
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            await conn.execute("INSERT INTO tenants (id, name) VALUES ($1, 'Clínica Brecha')", g.tenant)
            await conn.executemany(
                "INSERT INTO profiles (tenant_id, id, role, full_name) VALUES ($1, $2, $3, 'Persona')",
                [(g.tenant, g.admin, "admin"), (g.tenant, g.vet, "vet"), (g.tenant, g.owner, "owner")],
            )
            await conn.execute(
                "INSERT INTO pets (tenant_id, id, owner_id, name, species) VALUES ($1, $2, $3, 'Tobi', 'dog')",
                g.tenant, g.pet, g.owner,
            )  # fmt: skip
            await conn.execute(
                "INSERT INTO promotions (tenant_id, id, code, name, discount_type, discount_value)"
                " VALUES ($1, $2, 'BRECHA10', 'Brecha', 'percentage', 10)",
                g.tenant, g.promotion,
            )  # fmt: skip
            await conn.execute(
                "INSERT INTO appointment_recurrence (tenant_id, id, pet_id, pattern, time_of_day, starts_on)"
                " VALUES ($1, $2, $3, 'daily', '09:00', current_date)",
                g.tenant, g.recurrence, g.pet,
            )  # fmt: skip
            await conn.execute(
                "INSERT INTO tenant_subscriptions (tenant_id, id, plan_id, status) VALUES ($1, $2, 'pro', 'active')",
                g.tenant, g.subscription,
            )  # fmt: skip
    finally:
        await conn.close()
    return g


@pytest.fixture(scope="module")
async def clinics(database_url: str, world: World) -> tuple[Gap, Gap]:
    return await make_clinic(database_url), await make_clinic(database_url)


def platform(world: World, token: Token) -> str:
    return token(world.platform_user, None, "platform")


async def node(gql: GQL, global_id: str, tok: str | None) -> dict[str, Any] | None:
    found: dict[str, Any] | None = (await gql.data(NODE, {"id": global_id}, tok))["node"]
    return found


# -- node(id) ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_name", "attr", "expected"),
    [
        ("Promotion", "promotion", {"code": "BRECHA10"}),
        ("AppointmentRecurrence", "recurrence", {"pattern": "DAILY"}),
    ],
)
async def test_staff_only_objects_by_node_id(
    gql: GQL, token: Token, clinics: tuple[Gap, Gap], world: World, type_name: str, attr: str,
    expected: dict[str, Any],
) -> None:  # fmt: skip
    mine, other = clinics
    gid = to_global_id(type_name, getattr(mine, attr))
    for staff, role in ((mine.vet, "vet"), (mine.admin, "admin")):
        assert await node(gql, gid, token(staff, mine.tenant, role)) == {"__typename": type_name, "id": gid, **expected}
    assert await node(gql, gid, token(other.vet, other.tenant, "vet")) is None  # another clinic's staff
    assert await node(gql, gid, token(other.admin, other.tenant, "admin")) is None
    assert await node(gql, gid, token(mine.owner, mine.tenant, "owner")) is None  # staff only
    assert await node(gql, gid, platform(world, token)) is None  # no clinical data for the platform
    assert await node(gql, gid, None) is None


async def test_a_subscription_by_node_id_for_its_admin_and_the_platform_only(
    gql: GQL, token: Token, clinics: tuple[Gap, Gap], world: World
) -> None:
    mine, other = clinics
    gid = to_global_id("TenantSubscription", mine.subscription)
    seen = {"__typename": "TenantSubscription", "id": gid, "planCode": "pro", "clinicSlug": mine.tenant}
    assert await node(gql, gid, token(mine.admin, mine.tenant, "admin")) == seen
    assert await node(gql, gid, platform(world, token)) == seen
    assert await node(gql, gid, token(mine.vet, mine.tenant, "vet")) is None  # billing: admins only
    assert await node(gql, gid, token(mine.owner, mine.tenant, "owner")) is None
    assert await node(gql, gid, token(other.admin, other.tenant, "admin")) is None
    assert await node(gql, gid, None) is None


async def test_plans_and_clinics_by_node_id(gql: GQL, token: Token, clinics: tuple[Gap, Gap], world: World) -> None:
    mine, other = clinics
    plan = to_global_id("SubscriptionPlan", "pro")
    for tok in (None, token(mine.owner, mine.tenant, "owner"), platform(world, token)):  # public reference data
        assert await node(gql, plan, tok) == {"__typename": "SubscriptionPlan", "id": plan, "code": "pro"}
    assert await node(gql, to_global_id("SubscriptionPlan", "no-such-plan"), None) is None

    clinic = to_global_id("Clinic", mine.tenant)
    seen = {"__typename": "Clinic", "id": clinic, "slug": mine.tenant}
    for who, role in ((mine.owner, "owner"), (mine.vet, "vet"), (mine.admin, "admin")):
        assert await node(gql, clinic, token(who, mine.tenant, role)) == seen  # its members
    assert await node(gql, clinic, platform(world, token)) == seen
    assert await node(gql, clinic, token(other.admin, other.tenant, "admin")) is None
    assert await node(gql, clinic, None) is None
    # a UUID-keyed type with a key that is not a UUID is still a client error
    body = await gql(NODE, {"id": to_global_id("Promotion", "BRECHA10")}, token(mine.vet, mine.tenant, "vet"))
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]


async def test_every_node_type_of_the_schema_resolves_by_node_id() -> None:
    """No type implements Node without `node(id:)` knowing how to fetch it: each is a described table."""
    from graph.schema import schema
    from graph.table import known

    implementing = {t.name for t in schema._schema.get_possible_types(schema._schema.get_type("Node"))}  # type: ignore[arg-type]
    assert {name for name in implementing if known(name) is None or known(name).table is None} == set()  # type: ignore[union-attr]


# -- Clinic.subscription and Clinic.usage -----------------------------------------------------------


async def test_clinic_subscription_and_usage_for_its_admin_and_the_platform(
    gql: GQL, token: Token, clinics: tuple[Gap, Gap], world: World, database_url: str
) -> None:
    mine, other = clinics
    month = date.today().replace(day=1)
    conn = await asyncpg.connect(database_url)
    try:
        at = datetime.now(UTC) + timedelta(days=2)
        await conn.execute(
            "INSERT INTO appointments (tenant_id, pet_id, start_time, end_time) VALUES ($1, $2, $3, $4)",
            mine.tenant, mine.pet, at, at + timedelta(minutes=30),
        )  # fmt: skip
    finally:
        await conn.close()
    window = {"from": month.isoformat(), "to": month.isoformat()}
    sub, usage = {"planCode": "pro", "status": "ACTIVE"}, [{"appointmentsCreated": 1}]

    admin = await gql.data(VIEWER_CLINIC, window, token(mine.admin, mine.tenant, "admin"))
    assert admin["viewer"]["clinic"] == {"slug": mine.tenant, "subscription": sub, "usage": usage}
    for who, role in ((mine.vet, "vet"), (mine.owner, "owner")):
        seen = await gql.data(VIEWER_CLINIC, window, token(who, mine.tenant, role))
        assert seen["viewer"]["clinic"] == {"slug": mine.tenant, "subscription": None, "usage": None}
    # the platform, through node(id); and the same numbers as tenantUsage
    clinic = to_global_id("Clinic", mine.tenant)
    seen = await gql.data(CLINIC_NODE, {"id": clinic, **window}, platform(world, token))
    assert seen["node"] == {"slug": mine.tenant, "subscription": sub, "usage": usage}
    # a clinic that never subscribed
    bare = await gql.data(VIEWER_CLINIC, window, token(world.b.admin, world.b.tenant, "admin"))
    assert bare["viewer"]["clinic"]["subscription"] is None
    # the usage window is checked as in tenantUsage
    body = await gql(VIEWER_CLINIC, {"from": "2020-01-01", "to": "2025-01-01"}, token(mine.admin, mine.tenant, "admin"))
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
    # another clinic's admin cannot reach it at all
    assert (await gql.data(CLINIC_NODE, {"id": clinic, **window}, token(other.admin, other.tenant, "admin")))[
        "node"
    ] is None


async def test_subscriptions_of_many_clinics_load_in_one_statement(
    gql: GQL, token: Token, clinics: tuple[Gap, Gap], world: World, sql: Any
) -> None:
    ids = [to_global_id("Clinic", c.tenant) for c in clinics]
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Clinic { subscription { planCode } } } }"
    found = await gql.data(query, {"ids": ids}, platform(world, token))
    assert found["nodes"] == [{"subscription": {"planCode": "pro"}}] * 2
    assert sum("tenant_subscriptions" in s for s in sql.statements) == 1


# -- usage roll-up ----------------------------------------------------------------------------------


def _claims(role: str, tenant: str, sub: uuid.UUID) -> str:
    return json.dumps({"role": role, "tenant_id": tenant, "sub": str(sub)})


async def test_the_roll_up_task_folds_deltas_and_usage_reads_the_same(
    gql: GQL, token: Token, clinics: tuple[Gap, Gap], world: World, database_url: str
) -> None:
    """What the server's background task does once: committed deltas move into tenant_usage as
    vetql_app with the platform's claims (under RLS), and tenantUsage reads the same totals."""
    g = await make_clinic(database_url)
    conn = await asyncpg.connect(database_url)
    try:
        for i in range(3):  # three transactions as the API runs them: three delta rows
            async with conn.transaction():
                await conn.execute(REQUEST_ROLE)
                await conn.execute(set_claims(_claims("vet", g.tenant, g.vet)))
                at = datetime.now(UTC) + timedelta(days=3, hours=i)
                await conn.execute(
                    "INSERT INTO appointments (pet_id, start_time, end_time) VALUES ($1, $2, $3)",
                    g.pet, at, at + timedelta(minutes=30),
                )  # fmt: skip
        assert await conn.fetchval("SELECT count(*) FROM tenant_usage_deltas WHERE tenant_id = $1", g.tenant) == 3
        month = date.today().replace(day=1).isoformat()
        window = {"t": g.tenant, "from": month, "to": month}
        before = (await gql.data(USAGE, window, platform(world, token)))["tenantUsage"]
        assert [u["appointmentsCreated"] for u in before] == [3]

        engine = create_engine(database_url, pool_size=2)
        try:
            # not None: it took the lock (the count may be lower if a server's own task ran in between)
            assert await usage_rollup.roll_up_once(engine) is not None
            # another process holding the lock: this one skips the period
            async with conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock($1)", usage_rollup.ROLLUP_LOCK_KEY)
                assert await usage_rollup.roll_up_once(engine) is None
        finally:
            await engine.dispose()

        assert await conn.fetchval("SELECT count(*) FROM tenant_usage_deltas WHERE tenant_id = $1", g.tenant) == 0
        row = await conn.fetchrow("SELECT * FROM tenant_usage WHERE tenant_id = $1", g.tenant)
        assert row["appointments_created"] == 3
    finally:
        await conn.close()
    assert (await gql.data(USAGE, window, platform(world, token)))["tenantUsage"] == before  # moved, not copied


async def test_a_clinic_cannot_roll_up_another_clinics_usage(database_url: str, clinics: tuple[Gap, Gap]) -> None:
    """Without the platform's claims the function moves nothing: RLS, not the caller, decides."""
    mine, _ = clinics
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("INSERT INTO invoices (tenant_id, invoice_number, client_id) VALUES ($1, 'F-1', $2)",
                           mine.tenant, mine.owner)  # fmt: skip
        async with conn.transaction():
            await conn.execute(REQUEST_ROLE)
            await conn.execute(set_claims(_claims("admin", mine.tenant, mine.admin)))
            assert await conn.fetchval("SELECT vetql.roll_up_usage()") == 0
        assert await conn.fetchval("SELECT count(*) FROM tenant_usage_deltas WHERE tenant_id = $1", mine.tenant) >= 1
    finally:
        await conn.close()


async def test_the_periodic_task_survives_errors_and_stops_when_cancelled(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[int] = []
    third = asyncio.Event()

    async def failing(engine: Any) -> int | None:
        calls.append(1)
        if len(calls) == 3:
            third.set()
        if len(calls) == 1:
            raise OSError("database unreachable")
        return 2

    monkeypatch.setattr(usage_rollup, "roll_up_once", failing)
    with caplog.at_level(logging.INFO, logger="vetql.usage"):
        task = asyncio.create_task(usage_rollup.run_periodically(None, every=0.01))  # type: ignore[arg-type]
        await asyncio.wait_for(third.wait(), 5)
        assert not task.done()  # the failure did not end it
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert any("roll-up failed" in r.getMessage() for r in caplog.records)
    assert any("folded 2" in r.getMessage() for r in caplog.records)


async def test_the_app_runs_the_roll_up_in_its_lifespan_and_cancels_it(
    settings: Any, database_url: str, world: World
) -> None:
    app_settings = settings.model_copy(update={"usage_rollup_seconds": 0.05})
    from server.app import create_app

    app = create_app(app_settings, database_url)
    g = await make_clinic(database_url)
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("INSERT INTO invoices (tenant_id, invoice_number, client_id) VALUES ($1, 'F-1', $2)",
                           g.tenant, g.owner)  # fmt: skip
        async with app.router.lifespan_context(app):
            for _ in range(200):
                if not await conn.fetchval("SELECT count(*) FROM tenant_usage_deltas WHERE tenant_id = $1", g.tenant):
                    break
                await asyncio.sleep(0.05)
        assert await conn.fetchval("SELECT invoices_created FROM tenant_usage WHERE tenant_id = $1", g.tenant) == 1
    finally:
        await conn.close()


# -- active users -----------------------------------------------------------------------------------

ACTIVE = """
query($t: String, $from: Date!, $to: Date!) { tenantUsage(tenantId: $t, from: $from, to: $to) { activeUsers } }
"""


async def test_active_users_are_distinct_profiles_that_wrote_in_the_month(
    gql: GQL, token: Token, world: World, database_url: str
) -> None:
    """Concurrent writers, the same person many times, folded and pending rows together, a
    rollback: each profile counts once per month, before and after the roll-up."""
    g = await make_clinic(database_url)
    month = date.today().replace(day=1).isoformat()
    window = {"t": g.tenant, "from": month, "to": month}

    async def active() -> list[int]:
        rows = (await gql.data(ACTIVE, window, platform(world, token)))["tenantUsage"]
        return [r["activeUsers"] for r in rows]

    async def write(conn: asyncpg.Connection, who: uuid.UUID, role: str, i: int, ready: Any = None) -> None:
        await conn.execute(REQUEST_ROLE)
        await conn.execute(set_claims(_claims(role, g.tenant, who)))
        if ready is not None:
            await ready.wait()
        at = datetime.now(UTC) + timedelta(days=4, minutes=10 * i)
        await conn.execute(
            "INSERT INTO appointments (pet_id, start_time, end_time, created_by) VALUES ($1, $2, $3, $4)",
            g.pet, at, at + timedelta(minutes=10), who,
        )  # fmt: skip
        if role != "owner":
            await conn.execute(
                "INSERT INTO patient_alerts (pet_id, alert_type, title, created_by) VALUES ($1, 'vip', 'VIP', $2)",
                g.pet, who,
            )  # fmt: skip

    # ten overlapping REPEATABLE READ transactions of the same vet: all commit, one active user
    conns = [await asyncpg.connect(database_url) for _ in range(10)]
    ready = asyncio.Barrier(len(conns))

    async def one(i: int, conn: asyncpg.Connection) -> None:
        async with conn.transaction(isolation="repeatable_read"):
            await write(conn, g.vet, "vet", i, ready)

    try:
        await asyncio.gather(*(one(i, c) for i, c in enumerate(conns)))
    finally:
        for c in conns:
            await c.close()
    assert await active() == [1]

    conn = await asyncpg.connect(database_url)
    engine = create_engine(database_url, pool_size=2)
    try:
        async with conn.transaction():
            await write(conn, g.owner, "owner", 20)  # an owner booking: active too
        rolled_back = conn.transaction()
        await rolled_back.start()
        await write(conn, g.admin, "admin", 21)
        await rolled_back.rollback()  # not counted
        assert await active() == [2]

        assert await usage_rollup.roll_up_once(engine) is not None
        assert await active() == [2]  # moved, not copied
        assert await conn.fetchval("SELECT active_users FROM tenant_usage WHERE tenant_id = $1", g.tenant) == 2

        async with conn.transaction():
            await write(conn, g.vet, "vet", 22)  # already folded this month: still counted once
        assert await active() == [2]
        async with conn.transaction():
            await write(conn, g.admin, "admin", 23)  # someone new
        assert await active() == [3]
        await usage_rollup.roll_up_once(engine)
        assert await active() == [3]
        assert await conn.fetchval("SELECT active_users FROM tenant_usage WHERE tenant_id = $1", g.tenant) == 3
        left = await conn.fetchval("SELECT count(*) FROM tenant_active_user_deltas WHERE tenant_id = $1", g.tenant)
        assert left == 0
    finally:
        await engine.dispose()
        await conn.close()
    # an admin reads the same through Clinic.usage
    seen = await gql.data(
        "query($from: Date!, $to: Date!) { viewer { clinic { usage(from: $from, to: $to) { activeUsers } } } }",
        {"from": month, "to": month},
        token(g.admin, g.tenant, "admin"),
    )
    assert seen["viewer"]["clinic"]["usage"] == [{"activeUsers": 3}]
