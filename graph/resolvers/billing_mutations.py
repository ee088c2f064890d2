"""SaaS billing: plans and clinics' subscriptions (platform only), subscription and usage reads."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import strawberry
from strawberry.permission import BasePermission

from db import billing as sql
from db.promotions import retrying
from domain.billing import rules
from domain.billing.errors import BillingErrorCode as Code
from domain.billing.rules import Problem
from graph.context import Context
from graph.errors import BadUserInput
from graph.resolvers.user_errors import user_errors
from graph.types.billing import SubscriptionPlan
from graph.types.billing_mutations import (
    BillingUserError,
    CreateSubscriptionPlanInput,
    CreateTenantSubscriptionInput,
    SubscriptionPlanPayload,
    TenantSubscription,
    TenantSubscriptionPayload,
    UpdateSubscriptionPlanInput,
    UpdateTenantSubscriptionInput,
    UsagePeriod,
)


class IsPlatform(BasePermission):
    """The SaaS operator only."""

    message = "Only the platform operator may do this."
    error_extensions = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: strawberry.Info[Context, None], **kwargs: Any) -> bool:
        claims = info.context.claims
        return claims is not None and claims.role == "platform"


class IsAdminOrPlatform(BasePermission):
    """A clinic's admin (their own clinic) or the platform operator (any clinic)."""

    message = "Only a clinic admin or the platform operator may read billing."
    error_extensions = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: strawberry.Info[Context, None], **kwargs: Any) -> bool:
        claims = info.context.claims
        return claims is not None and claims.role in ("admin", "platform")


CreatePlanArg = Annotated[CreateSubscriptionPlanInput, strawberry.argument(description="The new plan.")]
UpdatePlanArg = Annotated[UpdateSubscriptionPlanInput, strawberry.argument(description="The plan and its changes.")]
CreateSubArg = Annotated[CreateTenantSubscriptionInput, strawberry.argument(description="The clinic and plan.")]
UpdateSubArg = Annotated[UpdateTenantSubscriptionInput, strawberry.argument(description="The clinic and changes.")]
TenantArg = Annotated[
    str | None,
    strawberry.argument(
        description="The clinic's tenant id. Platform: required. An admin: their own clinic (default)."
    ),
]


def _errors(problems: list[Problem]) -> list[BillingUserError]:
    return user_errors(problems, BillingUserError)


def _plan_refused(problems: list[Problem]) -> SubscriptionPlanPayload:
    return SubscriptionPlanPayload(plan=None, user_errors=_errors(problems))


def _sub_refused(problems: list[Problem]) -> TenantSubscriptionPayload:
    return TenantSubscriptionPayload(subscription=None, user_errors=_errors(problems))


def _limits(raw: Any) -> dict[str, Any] | Problem:
    if not isinstance(raw, dict) or any(
        v is not None and (not isinstance(v, int) or isinstance(v, bool)) for v in raw.values()
    ):
        return Problem("limits", Code.INVALID, "An object of whole numbers (or null for unlimited).")
    return raw


async def create_subscription_plan(
    info: strawberry.Info[Context, None], input: CreatePlanArg
) -> SubscriptionPlanPayload:
    """A new plan on the price list. Platform only."""
    db = info.context.db
    limits = _limits(input.limits)
    values: dict[str, Any] = {
        "id": input.code,
        "name": input.name,
        "description": input.description,
        "price_monthly": input.price_monthly,
        "price_yearly": input.price_yearly,
        "features": list(dict.fromkeys(input.features)),
        "limits": limits if isinstance(limits, dict) else {},
    }
    problems = [limits] if isinstance(limits, Problem) else []
    if not rules.PLAN_ID.match(input.code):
        problems.append(Problem("code", Code.INVALID, "2 to 40 of a-z, 0-9, '-', '_'."))
    problems += rules.validate_plan(values)
    if problems:
        return _plan_refused(problems)

    async def attempt() -> SubscriptionPlanPayload:
        row = await sql.insert_plan(db, values)
        if row is None:
            return _plan_refused([Problem("code", Code.PLAN_ID_TAKEN, "A plan with this code exists.")])
        await db.commit()
        return SubscriptionPlanPayload(plan=SubscriptionPlan.from_row(row), user_errors=[])

    return await retrying(db, attempt)


async def update_subscription_plan(
    info: strawberry.Info[Context, None], input: UpdatePlanArg
) -> SubscriptionPlanPayload:
    """Change a plan, or retire it (`isActive: false`). Platform only."""
    db = info.context.db

    async def attempt() -> SubscriptionPlanPayload:
        row = await sql.plan_for_update(db, input.code)
        if row is None:
            return _plan_refused([Problem("code", Code.NOT_FOUND, "No such plan.")])
        values = {
            k: row[k]
            for k in ("id", "name", "description", "price_monthly", "price_yearly", "features", "limits", "is_active")
        }
        problems: list[Problem] = []
        for name in ("name", "features", "is_active"):
            if getattr(input, name) is not None:
                values[name] = getattr(input, name)
        for name in ("description", "price_monthly", "price_yearly"):
            if getattr(input, name) is not strawberry.UNSET:
                values[name] = getattr(input, name)
        if input.limits is not None:
            limits = _limits(input.limits)
            if isinstance(limits, Problem):
                problems.append(limits)
            else:
                values["limits"] = limits
        problems += rules.validate_plan(values)
        if problems:
            return _plan_refused(problems)
        updated = await sql.update_plan(db, values)
        await db.commit()
        return SubscriptionPlanPayload(plan=SubscriptionPlan.from_row(updated), user_errors=[])

    return await retrying(db, attempt)


async def _active_plan(info: strawberry.Info[Context, None], code: str) -> Problem | None:
    plan = await sql.plan_for_update(info.context.db, code)  # locked: a plan is not retired meanwhile
    if plan is None:
        return Problem("planCode", Code.NOT_FOUND, "No such plan.")
    if not plan["is_active"]:
        return Problem("planCode", Code.PLAN_RETIRED, "The plan is retired and takes no new subscriptions.")
    return None


async def create_tenant_subscription(
    info: strawberry.Info[Context, None], input: CreateSubArg
) -> TenantSubscriptionPayload:
    """Subscribe a clinic to a plan, TRIALING or ACTIVE. A clinic has one current subscription. Platform only."""
    db = info.context.db
    if input.status.value not in rules.START_STATUSES:
        return _sub_refused([Problem("status", Code.INVALID, "A subscription starts TRIALING or ACTIVE.")])

    async def attempt() -> TenantSubscriptionPayload:
        if not await sql.clinic_exists(db, input.tenant_id):
            return _sub_refused([Problem("tenantId", Code.NOT_FOUND, "No such clinic.")])
        problem = await _active_plan(info, input.plan_code)
        if problem is not None:
            return _sub_refused([problem])
        row = await sql.insert_subscription(
            db, input.tenant_id, {"plan": input.plan_code, "status": input.status.value, "period": input.interval.value}
        )
        if row is None:
            return _sub_refused(
                [Problem("tenantId", Code.ALREADY_SUBSCRIBED, "The clinic has a current subscription.")]
            )
        await sql.set_tier(db, input.tenant_id, input.plan_code)
        await db.commit()
        return TenantSubscriptionPayload(subscription=TenantSubscription.from_row(row), user_errors=[])

    return await retrying(db, attempt)


async def update_tenant_subscription(
    info: strawberry.Info[Context, None], input: UpdateSubArg
) -> TenantSubscriptionPayload:
    """Move a clinic's subscription to another status or plan, or cancel it at period end. Platform only."""
    db = info.context.db

    async def attempt() -> TenantSubscriptionPayload:
        row = await sql.current_subscription(db, input.tenant_id, lock=True)
        if row is None:
            return _sub_refused([Problem("tenantId", Code.NOT_FOUND, "The clinic has no subscription.")])
        status = row["status"] if input.status is None else input.status.value
        problems: list[Problem] = []
        if row["status"] == "canceled":
            problems.append(Problem("status", Code.INVALID_TRANSITION, "The subscription is canceled; that is final."))
        else:
            problem = rules.transition_problem(row["status"], status)
            if problem is not None:
                problems.append(problem)
        plan = row["plan_id"] if input.plan_code is None else input.plan_code
        if plan != row["plan_id"]:
            problem = await _active_plan(info, plan)
            if problem is not None:
                problems.append(problem)
        if problems:
            return _sub_refused(problems)
        cancel = row["cancel_at_period_end"] if input.cancel_at_period_end is None else input.cancel_at_period_end
        updated = await sql.update_subscription(
            db, input.tenant_id, row["id"], {"status": status, "plan": plan, "cancel_at_period_end": cancel}
        )
        if plan != row["plan_id"]:
            await sql.set_tier(db, input.tenant_id, plan)
        await db.commit()
        return TenantSubscriptionPayload(subscription=TenantSubscription.from_row(updated), user_errors=[])

    return await retrying(db, attempt)


def _clinic(info: strawberry.Info[Context, None], tenant_id: str | None) -> str:
    claims = info.context.claims
    assert claims is not None  # the permission class guarantees a caller
    if claims.role == "platform":
        if not tenant_id:
            raise BadUserInput("tenantId is required for the platform operator")
        return tenant_id
    if tenant_id is not None and tenant_id != claims.tenant_id:
        raise BadUserInput("an admin reads their own clinic's billing only")
    assert claims.tenant_id is not None
    return claims.tenant_id


async def tenant_subscription(
    info: strawberry.Info[Context, None], tenant_id: TenantArg = None
) -> TenantSubscription | None:
    """A clinic's current subscription (else its latest); null if it never subscribed."""
    row = await sql.current_subscription(info.context.db, _clinic(info, tenant_id))
    return None if row is None else TenantSubscription.from_row(row)


async def tenant_usage(
    info: strawberry.Info[Context, None],
    from_: Annotated[date, strawberry.argument(name="from", description="First month wanted (any day in it).")],
    to: Annotated[date, strawberry.argument(description="Last month wanted (any day in it); at most 36 months.")],
    tenant_id: TenantArg = None,
) -> list[UsagePeriod]:
    """Usage per calendar month in the clinic's time zone, months with activity only, oldest first."""
    start, end = from_.replace(day=1), to.replace(day=1)
    problem = rules.usage_window_problem(start, end)
    if problem is not None:
        raise BadUserInput(problem.message)
    rows = await sql.usage(info.context.db, _clinic(info, tenant_id), start, end)
    return [UsagePeriod.from_row(r) for r in rows]
