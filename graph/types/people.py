"""Clinics and the people in them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, TypeVar

import strawberry
from strawberry.scalars import JSON

from db import billing
from db.session import Row
from domain.billing import rules as billing_rules
from graph.context import Context
from graph.errors import BadUserInput
from graph.types.billing_mutations import TenantSubscription, UsagePeriod
from graph.types.enums import ClinicFeature, ContactMethod, Role, Weekday
from graph.types.fields import described
from graph.types.node import Node, to_global_id


@strawberry.type(description="A clinic's pages on social networks.")
class SocialLinks:
    facebook: str | None = strawberry.field(description="Facebook page URL.")
    instagram: str | None = strawberry.field(description="Instagram profile URL.")
    tiktok: str | None = strawberry.field(description="TikTok profile URL.")
    x: str | None = strawberry.field(description="X (Twitter) profile URL.")
    youtube: str | None = strawberry.field(description="YouTube channel URL.")
    whatsapp: str | None = strawberry.field(description="WhatsApp number, international format.")

    @classmethod
    def from_json(cls, value: dict[str, str | None] | None) -> SocialLinks | None:
        if not value:
            return None
        keys = ("facebook", "instagram", "tiktok", "x", "youtube", "whatsapp")
        return cls(**{k: value.get(k) for k in keys})


@strawberry.type(description="Opening hours of one day, in the clinic's time zone.")
class DayHours:
    day: Weekday = strawberry.field(description="The day.")
    open: str = strawberry.field(description="Opening time, HH:MM.")
    close: str = strawberry.field(description="Closing time, HH:MM.")


@strawberry.type(description="Which notifications a clinic sends to owners.")
class NotificationSettings:
    email: bool | None = strawberry.field(description="Send e-mails.")
    sms: bool | None = strawberry.field(description="Send SMS.")
    whatsapp: bool | None = strawberry.field(description="Send WhatsApp messages.")
    push: bool | None = strawberry.field(description="Send push notifications to the app.")
    reminder_hours_before: int | None = strawberry.field(description="How long before an appointment to remind.")


@strawberry.type(description="What a person agreed to receive.")
class CommunicationPreferences:
    marketing: bool = strawberry.field(description="News and promotions.")
    reminders: bool = strawberry.field(description="Appointment and vaccine reminders.")


def _business_hours(value: dict[str, dict[str, str]] | None) -> list[DayHours]:
    days = [d for d in Weekday if isinstance((value or {}).get(d.value), dict)]
    return [DayHours(day=d, open=(value or {})[d.value]["open"], close=(value or {})[d.value]["close"]) for d in days]


def _features(value: list[str] | None) -> list[ClinicFeature]:
    known = {f.value: f for f in ClinicFeature}
    return [known[v] for v in value or [] if v in known]


@strawberry.type(description="A veterinary clinic: one tenant of VetQL.")
class Clinic(Node):
    slug: str = strawberry.field(description="The clinic's tenant id, as in tokens' `tenant_id` claim.")
    name: str = strawberry.field(description="Trading name.")
    timezone: str = strawberry.field(description="IANA time zone the clinic's day is counted in.")
    currency: str = strawberry.field(description="ISO 4217 currency of its prices, e.g. PYG.")
    locale: str = strawberry.field(description="BCP 47 locale, e.g. es-PY.")
    city: str | None = strawberry.field(description="City.")
    phone: str | None = strawberry.field(description="Public phone number.")
    email: str | None = strawberry.field(description="Public e-mail address.")
    subscription_tier: str = strawberry.field(description="Id of the subscription plan it is on.")
    appointment_settings: JSON = strawberry.field(
        description="Slot length, buffer, booking horizon and cancellation window, in minutes/days/hours."
    )
    address: str | None = strawberry.field(description="Street address.")
    website: str | None = strawberry.field(description="Website URL.")
    social_links: SocialLinks | None = strawberry.field(description="Pages on social networks.")
    business_hours: list[DayHours] = strawberry.field(
        description="Opening hours, Monday first; a day not listed is closed."
    )
    notification_settings: NotificationSettings | None = strawberry.field(
        description="Which notifications the clinic sends."
    )
    features_enabled: list[ClinicFeature] = strawberry.field(description="Capabilities switched on.")

    @classmethod
    def from_row(cls, row: Row) -> Clinic:
        return cls(
            id=to_global_id("Clinic", row["id"]),
            slug=row["id"],
            name=row["name"],
            timezone=row["timezone"],
            currency=row["currency"],
            locale=row["locale"],
            city=row["city"],
            phone=row["phone"],
            email=row["email"],
            subscription_tier=row["subscription_tier"],
            appointment_settings=row["appointment_settings"],
            address=row["address"],
            website=row["website"],
            social_links=SocialLinks.from_json(row["social_links"]),
            business_hours=_business_hours(row["business_hours"]),
            notification_settings=None
            if row["notification_settings"] is None
            else NotificationSettings(
                **{k: row["notification_settings"].get(k) for k in ("email", "sms", "whatsapp", "push")},
                reminder_hours_before=row["notification_settings"].get("reminder_hours_before"),
            ),
            features_enabled=_features(row["features_enabled"]),
        )

    @described(
        "The clinic's current subscription (else its latest); null if it never subscribed, and for anyone "
        "but the clinic's admins and the platform operator."
    )
    async def subscription(self, info: strawberry.Info[Context, None]) -> TenantSubscription | None:
        # Row-level security decides who sees it: admins of this clinic and the platform.
        row = await info.context.loaders.subscription_by_clinic.load(self.slug)
        return optional(TenantSubscription.from_row, row)

    @described(
        "Usage per calendar month in the clinic's time zone, months with activity only, oldest first "
        "(as `tenantUsage`); null for anyone but the clinic's admins and the platform operator."
    )
    async def usage(
        self,
        info: strawberry.Info[Context, None],
        from_: Annotated[date, strawberry.argument(name="from", description="First month wanted (any day in it).")],
        to: Annotated[date, strawberry.argument(description="Last month wanted (any day in it); at most 36 months.")],
    ) -> list[UsagePeriod] | None:
        claims = info.context.claims
        if claims is None or not (
            claims.role == "platform" or (claims.role == "admin" and claims.tenant_id == self.slug)
        ):
            return None
        start, end = from_.replace(day=1), to.replace(day=1)
        problem = billing_rules.usage_window_problem(start, end)
        if problem is not None:
            raise BadUserInput(problem.message)
        return [UsagePeriod.from_row(r) for r in await billing.usage(info.context.db, self.slug, start, end)]


@strawberry.type(description="A person of a clinic: a pet owner, a vet or an administrator.")
class Profile(Node):
    full_name: str = strawberry.field(description="Name as it should be shown.")
    role: Role = strawberry.field(description="What the person is in the clinic.")
    email: str | None = strawberry.field(description="E-mail address.")
    phone: str | None = strawberry.field(description="Phone number, international format (+595 ...).")
    city: str | None = strawberry.field(description="City of the postal address.")
    preferred_contact_method: ContactMethod = strawberry.field(description="How they prefer to be reached.")
    timezone: str = strawberry.field(description="IANA time zone.")
    locale: str = strawberry.field(description="BCP 47 locale.")
    secondary_phone: str | None = strawberry.field(description="Another phone number.")
    address_line1: str | None = strawberry.field(description="Street and number.")
    address_line2: str | None = strawberry.field(description="Apartment, floor, reference.")
    state: str | None = strawberry.field(description="State or department.")
    postal_code: str | None = strawberry.field(description="Postal code.")
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 country code, e.g. PY.")
    emergency_contact_name: str | None = strawberry.field(description="Whom to call in an emergency.")
    emergency_contact_phone: str | None = strawberry.field(description="Their phone number.")
    communication_preferences: CommunicationPreferences = strawberry.field(
        description="What they agreed to receive."
    )

    @classmethod
    def from_row(cls, row: Row) -> Profile:
        return cls(
            id=to_global_id("Profile", row["id"]),
            full_name=row["full_name"],
            role=Role(row["role"]),
            email=row["email"],
            phone=row["phone"],
            city=row["city"],
            preferred_contact_method=ContactMethod(row["preferred_contact_method"]),
            timezone=row["timezone"],
            locale=row["locale"],
            secondary_phone=row["secondary_phone"],
            address_line1=row["address_line1"],
            address_line2=row["address_line2"],
            state=row["state"],
            postal_code=row["postal_code"],
            country=row["country"],
            emergency_contact_name=row["emergency_contact_name"],
            emergency_contact_phone=row["emergency_contact_phone"],
            communication_preferences=CommunicationPreferences(
                marketing=bool(row["communication_preferences"].get("marketing", True)),
                reminders=bool(row["communication_preferences"].get("reminders", True)),
            ),
        )


T = TypeVar("T")


def optional(from_row: Callable[[Row], T], row: Row | None) -> T | None:
    """`from_row(row)`, or None for a row that is missing or hidden by RLS."""
    return None if row is None else from_row(row)
