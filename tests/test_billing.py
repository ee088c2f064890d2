"""SaaS billing through the API and the database: plans, subscription transitions, usage counted by
triggers under real concurrency, and the plan's cap on active promotions."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from db.session import REQUEST_ROLE, set_claims
from tests.conftest import GQL
from tests.world import World

Token = Callable[..., str]

CREATE_PLAN = """
mutation($input: CreateSubscriptionPlanInput!) {
  createSubscriptionPlan(input: $input) { plan { code name isActive limits } userErrors { field code message } }
}
"""
UPDATE_PLAN = """
mutation($input: UpdateSubscriptionPlanInput!) {
  updateSubscriptionPlan(input: $input) { plan { code name isActive priceMonthly } userErrors { field code } }
}
"""
SUBSCRIBE = """
mutation($input: CreateTenantSubscriptionInput!) {
  createTenantSubscription(input: $input) { subscription { status planCode } userErrors { field code } }
}
"""
CHANGE = """
mutation($input: UpdateTenantSubscriptionInput!) {
  updateTenantSubscription(input: $input) {
    subscription { status planCode cancelAtPeriodEnd canceledAt } userErrors { field code message }
  }
}
"""
SUBSCRIPTION = "query($t: String) { tenantSubscription(tenantId: $t) { status planCode clinicSlug } }"
USAGE = """
query($t: String, $from: Date!, $to: Date!) {
  tenantUsage(tenantId: $t, from: $from, to: $to) {
    periodStart periodEnd appointmentsCreated invoicesCreated messagesSent
  }
}
"""
PLANS = "{ subscriptionPlans { code } }"
CREATE_PROMOTION = """
mutation($input: CreatePromotionInput!) {
  createPromotion(input: $input) { promotion { id } userErrors { field code } }
}
"""
DEACTIVATE = """
mutation($input: UpdatePromotionInput!) { updatePromotion(input: $input) { userErrors { code } } }
"""


async def new_clinic(database_url: str, tier: str = "basic") -> tuple[str, uuid.UUID, uuid.UUID, uuid.UUID]:
    """A clinic of the test's own: (tenant, admin, vet, a pet)."""
    tenant, admin, vet, owner, pet = f"bill-{uuid.uuid4().hex[:8]}", *(uuid.uuid4() for _ in range(4))
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("INSERT INTO tenants (id, name, subscription_tier) VALUES ($1, 'Clínica', $2)", tenant, tier)
        await conn.executemany(
            "INSERT INTO profiles (tenant_id, id, role, full_name) VALUES ($1, $2, $3, 'Persona')",
            [(tenant, admin, "admin"), (tenant, vet, "vet"), (tenant, owner, "owner")],
        )
        await conn.execute(
            "INSERT INTO pets (tenant_id, id, owner_id, name, species) VALUES ($1, $2, $3, 'Tobi', 'dog')",
            tenant, pet, owner,
        )  # fmt: skip
    finally:
        await conn.close()
    return tenant, admin, vet, pet


@pytest.fixture
async def plan_codes(database_url: str) -> AsyncIterator[list[str]]:
    """Plans a test creates, deleted afterwards: other tests rely on the seeded price list."""
    codes: list[str] = []
    yield codes
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("DELETE FROM tenant_subscriptions WHERE plan_id = ANY($1::text[])", codes)
        await conn.execute(
            "UPDATE tenants SET subscription_tier = 'basic' WHERE subscription_tier = ANY($1::text[])", codes
        )
        await conn.execute("DELETE FROM subscription_plans WHERE id = ANY($1::text[])", codes)
    finally:
        await conn.close()


def platform(world: World, token: Token) -> str:
    return token(world.platform_user, None, "platform")


# -- plans ------------------------------------------------------------------------------------------


async def test_platform_creates_changes_and_retires_a_plan(
    gql: GQL, token: Token, world: World, plan_codes: list[str]
) -> None:
    tok = platform(world, token)
    code = f"clinic-plus-{uuid.uuid4().hex[:6]}"
    plan_codes.append(code)
    made = await gql.data(
        CREATE_PLAN,
        {
            "input": {
                "code": code,
                "name": "Plus",
                "priceMonthly": "400000",
                "features": ["appointments"],
                "limits": {"users": 10},
            }
        },
        tok,
    )
    assert made["createSubscriptionPlan"]["userErrors"] == []
    assert made["createSubscriptionPlan"]["plan"]["limits"] == {"users": 10}
    assert code in [p["code"] for p in (await gql.data(PLANS))["subscriptionPlans"]]
    changed = await gql.data(UPDATE_PLAN, {"input": {"code": code, "name": "Plus 2", "priceMonthly": "450000"}}, tok)
    assert changed["updateSubscriptionPlan"]["plan"]["name"] == "Plus 2"
    retired = (await gql.data(UPDATE_PLAN, {"input": {"code": code, "isActive": False}}, tok))["updateSubscriptionPlan"]
    assert retired["plan"]["isActive"] is False
    assert code not in [p["code"] for p in (await gql.data(PLANS))["subscriptionPlans"]]  # public sees active only


@pytest.mark.parametrize(
    ("fields", "field", "error"),
    [
        ({"code": "Bad Code"}, "code", "INVALID"),
        ({"code": "basic"}, "code", "PLAN_ID_TAKEN"),
        ({"limits": {"seats": 3}}, "limits.seats", "INVALID"),
        ({"limits": {"users": "many"}}, "limits", "INVALID"),
        ({"priceMonthly": "-5"}, "priceMonthly", "OUT_OF_RANGE"),
    ],
)
async def test_create_plan_reports_bad_input_as_user_errors(
    gql: GQL, token: Token, world: World, fields: dict[str, Any], field: str, error: str
) -> None:
    body = {"code": f"x-{uuid.uuid4().hex[:6]}", "name": "X", **fields}
    payload = (await gql.data(CREATE_PLAN, {"input": body}, platform(world, token)))["createSubscriptionPlan"]
    assert payload["plan"] is None
    assert (field, error) in [(e["field"], e["code"]) for e in payload["userErrors"]]


@pytest.mark.parametrize("role", ["admin", "vet", "owner"])
async def test_only_the_platform_may_change_plans_and_subscriptions(
    gql: GQL, token: Token, world: World, role: str
) -> None:
    member = {"admin": world.a.admin, "vet": world.a.vet, "owner": world.a.owners[0]}[role]
    tok = token(member, world.a.tenant, role)
    calls = [
        (CREATE_PLAN, {"input": {"code": "sneaky", "name": "S"}}),
        (UPDATE_PLAN, {"input": {"code": "basic", "priceMonthly": "0"}}),
        (SUBSCRIBE, {"input": {"tenantId": world.a.tenant, "planCode": "enterprise"}}),
        (CHANGE, {"input": {"tenantId": world.a.tenant, "status": "ACTIVE"}}),
    ]
    for query, variables in calls:
        body = await gql(query, variables, tok)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]


# -- subscriptions ----------------------------------------------------------------------------------


async def test_subscription_moves_only_along_the_allowed_transitions(
    gql: GQL, token: Token, world: World, database_url: str
) -> None:
    tok = platform(world, token)
    tenant, *_ = await new_clinic(database_url)

    async def change(**fields: Any) -> dict[str, Any]:
        payload: dict[str, Any] = await gql.data(CHANGE, {"input": {"tenantId": tenant, **fields}}, tok)
        return payload["updateTenantSubscription"]  # type: ignore[no-any-return]

    assert [e["code"] for e in (await change(status="ACTIVE"))["userErrors"]] == ["NOT_FOUND"]
    started = await gql.data(SUBSCRIBE, {"input": {"tenantId": tenant, "planCode": "pro"}}, tok)
    assert started["createTenantSubscription"]["subscription"] == {"status": "TRIALING", "planCode": "pro"}
    twice = await gql.data(SUBSCRIBE, {"input": {"tenantId": tenant, "planCode": "pro"}}, tok)
    assert [e["code"] for e in twice["createTenantSubscription"]["userErrors"]] == ["ALREADY_SUBSCRIBED"]

    assert [e["code"] for e in (await change(status="PAST_DUE"))["userErrors"]] == ["INVALID_TRANSITION"]
    for status in ("ACTIVE", "PAST_DUE", "SUSPENDED", "ACTIVE"):
        assert (await change(status=status))["subscription"]["status"] == status
    later = await change(cancelAtPeriodEnd=True, planCode="enterprise")
    assert later["subscription"]["cancelAtPeriodEnd"] is True and later["subscription"]["planCode"] == "enterprise"
    assert (await change(status="CANCELED"))["subscription"]["canceledAt"] is not None
    final = await change(status="ACTIVE")
    assert [(e["field"], e["code"]) for e in final["userErrors"]] == [("status", "INVALID_TRANSITION")]
    # the database holds the same rule for any other writer
    conn = await asyncpg.connect(database_url)
    try:
        with pytest.raises(asyncpg.CheckViolationError):
            await conn.execute("UPDATE tenant_subscriptions SET status = 'active' WHERE tenant_id = $1", tenant)
        assert await conn.fetchval("SELECT subscription_tier FROM tenants WHERE id = $1", tenant) == "enterprise"
    finally:
        await conn.close()


async def test_a_retired_plan_or_unknown_clinic_takes_no_new_subscription(
    gql: GQL, token: Token, world: World, database_url: str, plan_codes: list[str]
) -> None:
    tok = platform(world, token)
    code = f"old-{uuid.uuid4().hex[:6]}"
    plan_codes.append(code)
    await gql.data(CREATE_PLAN, {"input": {"code": code, "name": "Vieja"}}, tok)
    await gql.data(UPDATE_PLAN, {"input": {"code": code, "isActive": False}}, tok)
    tenant, *_ = await new_clinic(database_url)
    retired = await gql.data(SUBSCRIBE, {"input": {"tenantId": tenant, "planCode": code}}, tok)
    assert [e["code"] for e in retired["createTenantSubscription"]["userErrors"]] == ["PLAN_RETIRED"]
    nowhere = await gql.data(SUBSCRIBE, {"input": {"tenantId": "no-such-clinic", "planCode": "pro"}}, tok)
    assert [e["code"] for e in nowhere["createTenantSubscription"]["userErrors"]] == ["NOT_FOUND"]


async def test_an_admin_reads_their_own_subscription_and_usage_only(
    gql: GQL, token: Token, world: World, database_url: str
) -> None:
    tenant, admin, vet, _ = await new_clinic(database_url)
    await gql.data(SUBSCRIBE, {"input": {"tenantId": tenant, "planCode": "basic", "status": "ACTIVE"}},
                   platform(world, token))  # fmt: skip
    mine = token(admin, tenant, "admin")
    assert (await gql.data(SUBSCRIPTION, {}, mine))["tenantSubscription"] == {
        "status": "ACTIVE", "planCode": "basic", "clinicSlug": tenant,
    }  # fmt: skip
    other = await gql(SUBSCRIPTION, {"t": world.b.tenant}, mine)
    assert [e["extensions"]["code"] for e in other["errors"]] == ["BAD_USER_INPUT"]
    for tok in (token(vet, tenant, "vet"), token(world.a.owners[0], world.a.tenant, "owner"), None):
        body = await gql(USAGE, {"from": "2025-01-01", "to": "2025-02-01"}, tok)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    # the platform names the clinic; without one it is a client error
    body = await gql(SUBSCRIPTION, {}, platform(world, token))
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]


# -- usage counted by the database ------------------------------------------------------------------


def _claims(role: str, tenant: str, sub: uuid.UUID) -> str:
    return json.dumps({"role": role, "tenant_id": tenant, "sub": str(sub)})


async def _as_app(conn: asyncpg.Connection, claims: str) -> None:
    await conn.execute(REQUEST_ROLE)
    await conn.execute(set_claims(claims))


async def test_concurrent_inserts_are_each_counted_once_and_never_conflict(
    gql: GQL, token: Token, world: World, database_url: str
) -> None:
    """20 overlapping REPEATABLE READ transactions (stricter than the API's READ COMMITTED writes) insert
    appointments and invoices in one clinic: all commit, none fails to serialize, and the month counts exactly them."""
    tenant, admin, vet, pet = await new_clinic(database_url)
    claims = _claims("vet", tenant, vet)
    start = datetime.now(UTC) + timedelta(days=3)
    conns = [await asyncpg.connect(database_url) for _ in range(20)]
    ready = asyncio.Barrier(len(conns))

    async def book(i: int, conn: asyncpg.Connection) -> None:
        async with conn.transaction(isolation="repeatable_read"):
            await _as_app(conn, claims)
            await ready.wait()  # every transaction has its snapshot before anyone commits
            at = start + timedelta(hours=i)
            await conn.execute(
                "INSERT INTO appointments (pet_id, start_time, end_time) VALUES ($1, $2, $3)",
                pet, at, at + timedelta(minutes=30),
            )  # fmt: skip
            if i % 2 == 0:
                await conn.execute("INSERT INTO invoices (invoice_number, client_id) VALUES ($1, $2)", f"F-{i}", admin)

    try:
        await asyncio.gather(*(book(i, c) for i, c in enumerate(conns)))
        rolled_back = conns[0].transaction()
        await rolled_back.start()
        await _as_app(conns[0], claims)
        await conns[0].execute(
            "INSERT INTO appointments (pet_id, start_time, end_time) VALUES ($1, $2, $3)",
            pet, start - timedelta(hours=5), start - timedelta(hours=4),
        )  # fmt: skip
        await rolled_back.rollback()  # not counted
    finally:
        for c in conns:
            await c.close()

    month = date.today().replace(day=1).isoformat()
    usage = {"t": tenant, "from": month, "to": month}
    counted = (await gql.data(USAGE, usage, platform(world, token)))["tenantUsage"]
    assert [(u["appointmentsCreated"], u["invoicesCreated"]) for u in counted] == [(20, 10)]
    assert (await gql.data(USAGE, {**usage, "t": None}, token(admin, tenant, "admin")))["tenantUsage"] == counted

    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT vetql.roll_up_usage()") >= 20
        folded = await conn.fetchrow("SELECT * FROM tenant_usage WHERE tenant_id = $1", tenant)
        left = await conn.fetchval("SELECT count(*) FROM tenant_usage_deltas WHERE tenant_id = $1", tenant)
    finally:
        await conn.close()
    assert (folded["appointments_created"], folded["invoices_created"], left) == (20, 10, 0)
    assert (await gql.data(USAGE, usage, platform(world, token)))["tenantUsage"] == counted  # moved, not copied


async def test_usage_is_counted_in_the_clinics_calendar_month(
    gql: GQL, token: Token, world: World, database_url: str
) -> None:
    tenant, admin, _, pet = await new_clinic(database_url)  # America/Asuncion, UTC-3
    conn = await asyncpg.connect(database_url)
    try:
        # 02:00 UTC on 1 March is still 28 February in Asunción
        await conn.execute(
            "INSERT INTO appointments (tenant_id, pet_id, start_time, end_time, created_at)"
            " VALUES ($1, $2, '2025-03-10 12:00Z', '2025-03-10 12:30Z', '2025-03-01 02:00Z')",
            tenant, pet,
        )  # fmt: skip
        conv = await conn.fetchval(
            "INSERT INTO conversations (tenant_id, client_id, last_message_at) VALUES ($1, $2, '2025-03-05 12:00Z')"
            " RETURNING id",
            tenant, admin,
        )  # fmt: skip
        await conn.execute("UPDATE conversations SET last_message_at = '2025-03-06 12:00Z' WHERE id = $1", conv)
        await conn.execute("UPDATE conversations SET status = 'closed' WHERE id = $1", conv)  # no new message
    finally:
        await conn.close()
    rows = await gql.data(USAGE, {"t": tenant, "from": "2025-02-01", "to": "2025-03-31"}, platform(world, token))
    assert rows["tenantUsage"] == [
        {"periodStart": "2025-02-01", "periodEnd": "2025-03-01", "appointmentsCreated": 1, "invoicesCreated": 0,
         "messagesSent": 0},
        {"periodStart": "2025-03-01", "periodEnd": "2025-04-01", "appointmentsCreated": 0, "invoicesCreated": 0,
         "messagesSent": 2},
    ]  # fmt: skip
    too_long = await gql(USAGE, {"t": tenant, "from": "2020-01-01", "to": "2025-01-01"}, platform(world, token))
    assert [e["extensions"]["code"] for e in too_long["errors"]] == ["BAD_USER_INPUT"]


# -- plan limits ------------------------------------------------------------------------------------


async def test_the_basic_plans_cap_on_active_promotions_holds_under_concurrent_creation(
    gql: GQL, token: Token, database_url: str
) -> None:
    tenant, _, vet, _ = await new_clinic(database_url, tier="basic")  # active_promotions: 3
    tok = token(vet, tenant, "vet")

    def promotion(i: int) -> dict[str, Any]:
        return {"input": {"code": f"CAP{i}", "name": "Tope", "discountType": "FIXED", "discountValue": "1000"}}

    results = await asyncio.gather(*(gql.data(CREATE_PROMOTION, promotion(i), tok) for i in range(6)))
    errors = sorted(tuple(e["code"] for e in r["createPromotion"]["userErrors"]) for r in results)
    assert errors == [(), (), (), ("PLAN_LIMIT_REACHED",), ("PLAN_LIMIT_REACHED",), ("PLAN_LIMIT_REACHED",)]
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM promotions WHERE tenant_id = $1", tenant) == 3
    finally:
        await conn.close()
    # switching one off frees its slot; switching it on again is refused while full
    made = [r["createPromotion"]["promotion"]["id"] for r in results if r["createPromotion"]["promotion"]]
    off = await gql.data(DEACTIVATE, {"input": {"id": made[0], "isActive": False}}, tok)
    assert off["updatePromotion"]["userErrors"] == []
    assert (await gql.data(CREATE_PROMOTION, promotion(9), tok))["createPromotion"]["userErrors"] == []
    on = await gql.data(DEACTIVATE, {"input": {"id": made[0], "isActive": True}}, tok)
    assert [e["code"] for e in on["updatePromotion"]["userErrors"]] == ["PLAN_LIMIT_REACHED"]
