"""SaaS billing: plans and clinics' subscriptions (platform only), subscription and usage reads."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import strawberry

from db import billing as sql
from domain.billing import rules
from domain.billing.errors import CONSTRAINTS
from domain.billing.errors import BillingErrorCode as Code
from domain.problems import Problem, Refused
from graph.compiled import roots as compiled
from graph.errors import BadUserInput
from graph.mutations import Info, Mutations, Write
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

BILLING = Mutations(Code, BillingUserError, CONSTRAINTS)

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


def _limits(raw: Any) -> dict[str, Any] | Problem[Code]:
    if not isinstance(raw, dict) or any(
        v is not None and (not isinstance(v, int) or isinstance(v, bool)) for v in raw.values()
    ):
        return Problem("limits", Code.INVALID, "An object of whole numbers (or null for unlimited).")
    return raw


async def create_subscription_plan(info: Info, input: CreatePlanArg) -> SubscriptionPlanPayload:
    """A new plan on the price list. Platform only."""
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

    async def perform(w: Write[Code]) -> SubscriptionPlanPayload:
        row = await sql.insert_plan(w.db, values)
        if row is None:
            w.refuse(Problem("code", Code.PLAN_ID_TAKEN, "A plan with this code exists."))
        w.prime("SubscriptionPlan", row["id"], row)
        return SubscriptionPlanPayload(plan=SubscriptionPlan.from_row(row))

    return await BILLING.run(info, SubscriptionPlanPayload, perform, problems=problems)


async def update_subscription_plan(info: Info, input: UpdatePlanArg) -> SubscriptionPlanPayload:
    """Change a plan, or retire it (`isActive: false`). Platform only."""

    async def perform(w: Write[Code]) -> SubscriptionPlanPayload:
        row = await sql.plan_for_update(w.db, input.code)
        if row is None:
            w.refuse(Problem("code", Code.NOT_FOUND, "No such plan."))
        values = {
            k: row[k]
            for k in ("id", "name", "description", "price_monthly", "price_yearly", "features", "limits", "is_active")
        }
        problems: list[Problem[Code]] = []
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
            w.refuse(*problems)
        updated = await sql.update_plan(w.db, values)
        w.prime("SubscriptionPlan", updated["id"], updated)
        return SubscriptionPlanPayload(plan=SubscriptionPlan.from_row(updated))

    return await BILLING.run(info, SubscriptionPlanPayload, perform)


async def _active_plan(w: Write[Code], code: str) -> None:
    """Refuse unless `code` is a plan taking subscriptions; locked, so it is not retired meanwhile."""
    plan = await sql.plan_for_update(w.db, code)
    if plan is None:
        w.refuse(Problem("planCode", Code.NOT_FOUND, "No such plan."))
    if not plan["is_active"]:
        w.refuse(Problem("planCode", Code.PLAN_RETIRED, "The plan is retired and takes no new subscriptions."))


def _subscribed(w: Write[Code], tenant: str, row: Any) -> TenantSubscriptionPayload:
    """The subscription as written; the loaders forget the clinic's and learn this one."""
    w.clear(lambda loaders: loaders.subscription_by_clinic, tenant)
    w.prime("TenantSubscription", row["id"], row)
    return TenantSubscriptionPayload(subscription=TenantSubscription.from_row(row))


async def create_tenant_subscription(info: Info, input: CreateSubArg) -> TenantSubscriptionPayload:
    """Subscribe a clinic to a plan, TRIALING or ACTIVE. A clinic has one current subscription. Platform only."""
    problems = []
    if input.status.value not in rules.START_STATUSES:
        problems.append(Problem("status", Code.INVALID, "A subscription starts TRIALING or ACTIVE."))

    async def perform(w: Write[Code]) -> TenantSubscriptionPayload:
        if not await sql.clinic_exists(w.db, input.tenant_id):
            w.refuse(Problem("tenantId", Code.NOT_FOUND, "No such clinic."))
        await _active_plan(w, input.plan_code)
        values = {"plan": input.plan_code, "status": input.status.value, "period": input.interval.value}
        row = await sql.insert_subscription(w.db, input.tenant_id, values)
        if row is None:
            w.refuse(Problem("tenantId", Code.ALREADY_SUBSCRIBED, "The clinic has a current subscription."))
        await sql.set_tier(w.db, input.tenant_id, input.plan_code)
        return _subscribed(w, input.tenant_id, row)

    return await BILLING.run(info, TenantSubscriptionPayload, perform, problems=problems)


async def update_tenant_subscription(info: Info, input: UpdateSubArg) -> TenantSubscriptionPayload:
    """Move a clinic's subscription to another status or plan, or cancel it at period end. Platform only."""

    async def perform(w: Write[Code]) -> TenantSubscriptionPayload:
        row = await sql.current_subscription(w.db, input.tenant_id, lock=True)
        if row is None:
            w.refuse(Problem("tenantId", Code.NOT_FOUND, "The clinic has no subscription."))
        status = row["status"] if input.status is None else input.status.value
        problems: list[Problem[Code]] = []
        if row["status"] == "canceled":
            problems.append(Problem("status", Code.INVALID_TRANSITION, "The subscription is canceled; that is final."))
        else:
            problem = rules.transition_problem(row["status"], status)
            if problem is not None:
                problems.append(problem)
        plan = row["plan_id"] if input.plan_code is None else input.plan_code
        if plan != row["plan_id"]:
            try:
                await _active_plan(w, plan)
            except Refused as refusal:  # said together with the status's problem, if any
                problems += refusal.problems
        if problems:
            w.refuse(*problems)
        cancel = row["cancel_at_period_end"] if input.cancel_at_period_end is None else input.cancel_at_period_end
        updated = await sql.update_subscription(
            w.db, input.tenant_id, row["id"], {"status": status, "plan": plan, "cancel_at_period_end": cancel}
        )
        if plan != row["plan_id"]:
            await sql.set_tier(w.db, input.tenant_id, plan)
        return _subscribed(w, input.tenant_id, updated)

    return await BILLING.run(info, TenantSubscriptionPayload, perform)


def _clinic(info: Info, tenant_id: str | None) -> str:
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
    info: Info, tenant_id: TenantArg = None
) -> TenantSubscription | None:
    """A clinic's current subscription (else its latest); null if it never subscribed."""
    return await compiled.first(info, sql.current_subscription_listing(_clinic(info, tenant_id)), TenantSubscription)


async def tenant_usage(
    info: Info,
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
