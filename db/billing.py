"""SQL of SaaS billing: plans, clinics' subscriptions and usage per month."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import orjson
from sqlalchemy import text

from db.reads import Listing
from db.session import RequestDb, Row


def _plan_params(values: Mapping[str, Any]) -> dict[str, Any]:
    params = dict(values)
    for key in ("features", "limits"):
        if key in params:
            params[key] = orjson.dumps(params[key]).decode()
    return params


async def insert_plan(db: RequestDb, values: Mapping[str, Any]) -> Row | None:
    """The new plan; None when the id is taken."""
    return await db.fetch_one(
        text(
            "INSERT INTO subscription_plans (id, name, description, price_monthly, price_yearly, features, limits)"
            " VALUES (:id, :name, :description, :price_monthly, :price_yearly, CAST(:features AS jsonb),"
            " CAST(:limits AS jsonb)) ON CONFLICT (id) DO NOTHING RETURNING *"
        ),
        _plan_params(values),
    )


async def plan_for_update(db: RequestDb, plan: str) -> Row | None:
    return await db.fetch_one(text("SELECT * FROM subscription_plans WHERE id = :id FOR UPDATE"), {"id": plan})


async def update_plan(db: RequestDb, values: Mapping[str, Any]) -> Row:
    row = await db.fetch_one(
        text(
            "UPDATE subscription_plans SET name = :name, description = :description, price_monthly = :price_monthly,"
            " price_yearly = :price_yearly, features = CAST(:features AS jsonb), limits = CAST(:limits AS jsonb),"
            " is_active = :is_active WHERE id = :id RETURNING *"
        ),
        _plan_params(values),
    )
    assert row is not None
    return row


async def clinic_exists(db: RequestDb, tenant: str) -> bool:
    return await db.fetch_one(text("SELECT 1 FROM tenants WHERE id = :id"), {"id": tenant}) is not None


async def current_subscription(db: RequestDb, tenant: str, *, lock: bool = False) -> Row | None:
    """The clinic's subscription that is not over, else its latest one."""
    return await db.fetch_one(
        text(
            "SELECT * FROM tenant_subscriptions WHERE tenant_id = :tenant"
            " ORDER BY (status <> 'canceled') DESC, created_at DESC, id LIMIT 1" + (" FOR UPDATE" if lock else "")
        ),
        {"tenant": tenant},
    )


async def current_subscriptions(db: RequestDb, tenants: Sequence[str]) -> dict[str, Row]:
    """`current_subscription` of several clinics in one statement (those RLS lets the caller read)."""
    rows = await db.fetch(
        text(
            "SELECT DISTINCT ON (tenant_id) * FROM tenant_subscriptions WHERE tenant_id = ANY(CAST(:tenants AS text[]))"
            " ORDER BY tenant_id, (status <> 'canceled') DESC, created_at DESC, id"
        ),
        {"tenants": list(tenants)},
    )
    return {row["tenant_id"]: row for row in rows}


async def insert_subscription(db: RequestDb, tenant: str, values: Mapping[str, Any]) -> Row | None:
    """The new subscription; None when the clinic already has one that is not over (unique index)."""
    return await db.fetch_one(
        text(
            "INSERT INTO tenant_subscriptions (tenant_id, plan_id, status, current_period_start, current_period_end)"
            " VALUES (:tenant, :plan, :status, now(), now() + CAST(CAST(:period AS text) AS interval))"
            " ON CONFLICT (tenant_id) WHERE status IN ('trialing', 'active', 'past_due', 'suspended')"
            " DO NOTHING RETURNING *"
        ),
        {"tenant": tenant, **values},
    )


async def update_subscription(
    db: RequestDb, tenant: str, subscription_id: Any, values: Mapping[str, Any]
) -> Row:
    row = await db.fetch_one(
        text(
            "UPDATE tenant_subscriptions SET status = :status, plan_id = :plan,"
            " cancel_at_period_end = :cancel_at_period_end,"
            " canceled_at = vetql.if_then(:status = 'canceled', now(), canceled_at)"
            " WHERE tenant_id = :tenant AND id = :id RETURNING *"
        ),
        {"tenant": tenant, "id": subscription_id, **values},
    )
    assert row is not None
    return row


async def set_tier(db: RequestDb, tenant: str, plan: str) -> None:
    await db.fetch(text("UPDATE tenants SET subscription_tier = :plan WHERE id = :id"), {"id": tenant, "plan": plan})


# Months are the clinic's calendar months; folded counts and not-yet-folded
# deltas are added (see vetql.roll_up_usage in the migration). Active users:
# those folded, plus the distinct pending profiles not folded yet for that month
# (vetql.roll_up_active_users), so nobody counts twice.
_USAGE = text(
    "SELECT period_start, (period_start + interval '1 month')::date AS period_end,"
    " sum(appointments_created)::int AS appointments_created, sum(invoices_created)::int AS invoices_created,"
    " sum(messages_sent)::int AS messages_sent, sum(active_users)::int AS active_users,"
    " sum(sms_sent)::int AS sms_sent, sum(emails_sent)::int AS emails_sent"
    " FROM (SELECT period_start, appointments_created, invoices_created, messages_sent, active_users, sms_sent,"
    "              emails_sent"
    "         FROM tenant_usage WHERE tenant_id = :tenant"
    "       UNION ALL"
    "       SELECT period_start, appointments_created, invoices_created, messages_sent, 0, 0, 0"
    "         FROM tenant_usage_deltas WHERE tenant_id = :tenant"
    "       UNION ALL"
    "       SELECT period_start, 0, 0, 0, 0, sms_sent, emails_sent"
    "         FROM tenant_message_deltas WHERE tenant_id = :tenant"
    "       UNION ALL"
    "       SELECT d.period_start, 0, 0, 0, count(DISTINCT d.profile_id), 0, 0"
    "         FROM tenant_active_user_deltas d WHERE d.tenant_id = :tenant AND NOT EXISTS ("
    "           SELECT 1 FROM tenant_active_users a"
    "            WHERE a.tenant_id = d.tenant_id AND a.period_start = d.period_start AND a.profile_id = d.profile_id)"
    "        GROUP BY d.period_start) u"
    " WHERE period_start >= :from AND period_start <= :to"
    " GROUP BY period_start ORDER BY period_start"
)


async def usage(db: RequestDb, tenant: str, start: date, end: date) -> list[Row]:
    return list(await db.fetch(_USAGE, {"tenant": tenant, "from": start, "to": end}))


def plan_list() -> Listing:
    """The price list, cheapest first (RLS: retired plans only for the platform operator)."""
    return Listing("subscription_plans", "TRUE", {}, "c.price_monthly NULLS LAST, c.id")


def current_subscription_listing(tenant: str) -> Listing:
    """`current_subscription` as a read: the clinic's subscription that is not over, else its latest."""
    return Listing(
        "tenant_subscriptions",
        "c.tenant_id = :tenant",
        {"tenant": tenant},
        "(c.status <> 'canceled') DESC, c.created_at DESC, c.id",
        limit=1,
    )


async def roll_up_usage(db: RequestDb, lock_key: int) -> int | None:
    """Fold the usage deltas and active users into the monthly rows (`vetql.roll_up_*`), under an advisory
    lock so one process does it at a time: how many rows were folded, or None when another holds the lock."""
    locked = await db.fetch_one("SELECT pg_try_advisory_xact_lock(:key) AS locked", {"key": lock_key})
    if locked is None or not locked["locked"]:
        return None
    counts = await db.fetch_one("SELECT vetql.roll_up_usage() AS counts")
    messages = await db.fetch_one("SELECT vetql.roll_up_message_usage() AS messages")  # SMS, e-mails (0023)
    users = await db.fetch_one("SELECT vetql.roll_up_active_users() AS users")
    folded = 0 if counts is None else int(counts["counts"])
    folded += 0 if messages is None else int(messages["messages"])
    return folded + (0 if users is None else int(users["users"]))
