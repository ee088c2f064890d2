"""Billing beyond the price list: clinics' subscriptions, usage per month, and the plan and subscription mutations."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum

import strawberry
from strawberry.scalars import JSON

from db.session import Row
from domain.billing.errors import BillingErrorCode
from graph.table import TableRow, col, table
from graph.types.billing import SubscriptionPlan
from graph.types.node import Node
from graph.types.user_errors import UserError, user_error

# The codes live in the domain layer; this registers them as a GraphQL enum.
strawberry.enum(BillingErrorCode, description="Why a billing mutation refused some input.")


@strawberry.enum(description="Where a clinic's subscription stands.")
class SubscriptionStatus(Enum):
    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    CANCELED = "canceled"
    SUSPENDED = "suspended"


@strawberry.enum(description="Length of a billing period.")
class BillingInterval(Enum):
    MONTHLY = "1 month"
    YEARLY = "1 year"


@user_error("BillingUserError", field="The offending input, e.g. `status`.")
class BillingUserError(UserError[BillingErrorCode]):
    pass


@table("tenant_subscriptions", platform_visible=True)
@strawberry.type(description="A clinic's subscription to a plan. The platform and the clinic's admins see it.")
class TenantSubscription(Node, TableRow):
    clinic_slug: str = col("tenant_id", description="The clinic's tenant id.")
    plan_code: str = col("plan_id", description="Id of the plan subscribed to.")
    status: SubscriptionStatus = col(description="Where it stands. CANCELED is final.")
    current_period_start: datetime | None = col(description="Start of the paid period.")
    current_period_end: datetime | None = col(description="End of the paid period.")
    cancel_at_period_end: bool = col(description="Ends when the current period does.")
    canceled_at: datetime | None = col(description="When it was canceled.")
    created_at: datetime = col(description="When the clinic subscribed.")
    updated_at: datetime = col(description="Last change.")


@strawberry.type(description="What a clinic did in one calendar month (its own time zone), counted by the database.")
class UsagePeriod:
    period_start: date = strawberry.field(description="First day of the month.")
    period_end: date = strawberry.field(description="First day of the next month (exclusive).")
    appointments_created: int = strawberry.field(description="Appointments booked in the month.")
    invoices_created: int = strawberry.field(description="Invoices created in the month.")
    messages_sent: int = strawberry.field(description="Messages in the clinic's conversations in the month.")
    active_users: int = strawberry.field(
        description="Distinct profiles (staff or owners) that booked an appointment, raised an alert or a problem, "
        "opened an anesthesia log or recorded vitals in the month."
    )
    sms_sent: int = strawberry.field(default=0, description="Reminders sent by SMS in the month.")
    emails_sent: int = strawberry.field(default=0, description="Reminders sent by e-mail in the month.")

    @classmethod
    def from_row(cls, row: Row) -> UsagePeriod:
        return cls(
            period_start=row["period_start"],
            period_end=row["period_end"],
            appointments_created=row["appointments_created"],
            invoices_created=row["invoices_created"],
            messages_sent=row["messages_sent"],
            active_users=row["active_users"],
            sms_sent=row["sms_sent"],
            emails_sent=row["emails_sent"],
        )


@strawberry.input(description="A new subscription plan.")
class CreateSubscriptionPlanInput:
    code: str = strawberry.field(description="Plan id, 2-40 of [a-z0-9_-]; cannot change later.")
    name: str = strawberry.field(description="Display name, 1-100 characters.")
    description: str | None = strawberry.field(default=None, description="What the plan offers.")
    price_monthly: Decimal | None = strawberry.field(default=None, description="Whole PYG per month.")
    price_yearly: Decimal | None = strawberry.field(default=None, description="Whole PYG per year.")
    features: list[str] = strawberry.field(default_factory=list, description="Feature names, up to 50.")
    limits: JSON = strawberry.field(
        default_factory=dict,
        description="Limits by name (users, sms_per_month, storage_gb, appointments_per_month, "
        "active_promotions); null: unlimited.",
    )


@strawberry.input(description="Changes to a plan; omitted fields keep their value. `isActive: false` retires it.")
class UpdateSubscriptionPlanInput:
    code: str = strawberry.field(description="The plan's id.")
    name: str | None = strawberry.field(default=None, description="New name.")
    description: str | None = strawberry.field(default=strawberry.UNSET, description="New description.")
    price_monthly: Decimal | None = strawberry.field(default=strawberry.UNSET, description="New monthly price.")
    price_yearly: Decimal | None = strawberry.field(default=strawberry.UNSET, description="New yearly price.")
    features: list[str] | None = strawberry.field(default=None, description="New feature list (replaces).")
    limits: JSON | None = strawberry.field(default=None, description="New limits (replace the old ones).")
    is_active: bool | None = strawberry.field(
        default=None, description="False retires the plan: no new subscriptions; existing ones go on."
    )


@strawberry.type(description="Result of a plan mutation.")
class SubscriptionPlanPayload:
    plan: SubscriptionPlan | None = strawberry.field(
        default=None, description="The plan after the change; null on error."
    )
    user_errors: list[BillingUserError] = strawberry.field(
        default_factory=list, description="What to fix; empty on success."
    )


@strawberry.input(description="Subscribes a clinic that has no current subscription to a plan.")
class CreateTenantSubscriptionInput:
    tenant_id: str = strawberry.field(description="The clinic's tenant id.")
    plan_code: str = strawberry.field(description="An active plan.")
    status: SubscriptionStatus = strawberry.field(
        default=SubscriptionStatus.TRIALING, description="TRIALING or ACTIVE."
    )
    interval: BillingInterval = strawberry.field(default=BillingInterval.MONTHLY, description="Period length.")


@strawberry.input(description="Changes a clinic's current subscription. Omitted fields keep their value.")
class UpdateTenantSubscriptionInput:
    tenant_id: str = strawberry.field(description="The clinic's tenant id.")
    status: SubscriptionStatus | None = strawberry.field(
        default=None,
        description="TRIALING -> ACTIVE|CANCELED; ACTIVE -> PAST_DUE|CANCELED|SUSPENDED; PAST_DUE -> "
        "ACTIVE|CANCELED|SUSPENDED; SUSPENDED -> ACTIVE|CANCELED; CANCELED is final.",
    )
    plan_code: str | None = strawberry.field(default=None, description="Move to another active plan.")
    cancel_at_period_end: bool | None = strawberry.field(default=None, description="End with the current period.")


@strawberry.type(description="Result of a subscription mutation.")
class TenantSubscriptionPayload:
    subscription: TenantSubscription | None = strawberry.field(
        default=None, description="After the change; null on error."
    )
    user_errors: list[BillingUserError] = strawberry.field(
        default_factory=list, description="What to fix; empty on success."
    )
