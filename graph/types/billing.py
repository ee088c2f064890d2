"""The SaaS operator's subscription plans (public reference data)."""

from __future__ import annotations

from decimal import Decimal

import strawberry
from strawberry.scalars import JSON

from graph.table import TableRow, col, table
from graph.types.node import Node


@table("subscription_plans", shared=True, key_type="text")
@strawberry.type(description="A plan clinics can subscribe to. Active plans are public.")
class SubscriptionPlan(Node, TableRow):
    code: str = col("id", description="Plan id: basic, pro, enterprise, ...")
    name: str = col(description="Display name.")
    description: str | None = col(description="What the plan offers.")
    price_monthly: Decimal | None = col(description="Monthly price in PYG.")
    price_yearly: Decimal | None = col(description="Yearly price in PYG.")
    features: JSON = col(description="Feature flags the plan enables (a list of names).")
    limits: JSON = col(
        description="Usage limits, e.g. {users: 5, sms_per_month: 100, storage_gb: 5}; null means unlimited."
    )
    is_active: bool = col(description="Offered to clinics.")
