"""`subscriptionPlans`: the public price list."""

from __future__ import annotations

import strawberry

from db import billing
from graph.compiled import roots as compiled
from graph.context import Context
from graph.types.billing import SubscriptionPlan


async def subscription_plans(info: strawberry.Info[Context, None]) -> list[SubscriptionPlan]:
    """Plans on offer, cheapest first. Public: no token needed. The platform operator also sees retired ones."""
    return await compiled.listed(info, billing.plan_list(), SubscriptionPlan)
