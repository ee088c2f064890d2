"""The SaaS operator's subscription plans (public reference data)."""

from __future__ import annotations

from decimal import Decimal

import strawberry
from strawberry.scalars import JSON

from db.session import Row
from graph.types.node import Node, to_global_id


@strawberry.type(description="A plan clinics can subscribe to. Active plans are public.")
class SubscriptionPlan(Node):
    code: str = strawberry.field(description="Plan id: basic, pro, enterprise, ...")
    name: str = strawberry.field(description="Display name.")
    description: str | None = strawberry.field(description="What the plan offers.")
    price_monthly: Decimal | None = strawberry.field(description="Monthly price in PYG.")
    price_yearly: Decimal | None = strawberry.field(description="Yearly price in PYG.")
    features: JSON = strawberry.field(description="Feature flags the plan enables (a list of names).")
    limits: JSON = strawberry.field(
        description="Usage limits, e.g. {users: 5, sms_per_month: 100, storage_gb: 5}; null means unlimited."
    )
    is_active: bool = strawberry.field(description="Offered to clinics.")

    @classmethod
    def from_row(cls, row: Row) -> SubscriptionPlan:
        return cls(
            id=to_global_id("SubscriptionPlan", row["id"]),
            code=row["id"],
            name=row["name"],
            description=row["description"],
            price_monthly=row["price_monthly"],
            price_yearly=row["price_yearly"],
            features=row["features"],
            limits=row["limits"],
            is_active=row["is_active"],
        )
