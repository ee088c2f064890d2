"""Clinics and the people in them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, TypeVar

import strawberry
from strawberry.scalars import JSON

from db import billing
from db import expressions as x
from db.session import Row
from domain.billing import rules as billing_rules
from graph.context import Context
from graph.errors import BadUserInput
from graph.table import (
    TableRow,
    col,
    embedded,
    embedded_type,
    flag,
    json_flag_codec,
    many,
    paged,
    resolver_only,
    row_of,
    table,
)
from graph.types.billing_mutations import TenantSubscription, UsagePeriod
from graph.types.connection import Connection
from graph.types.enums import ClinicFeature, ContactMethod, DocumentType, Role, Weekday
from graph.types.node import Node
from graph.types.till import Invoice

if TYPE_CHECKING:
    from graph.types.pet import Pet


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


@embedded_type
@strawberry.type(description="What a person agreed to receive.")
class CommunicationPreferences(TableRow):
    marketing: bool = col(
        "communication_preferences", codec=json_flag_codec("marketing", True), description="News and promotions."
    )
    reminders: bool = col(
        "communication_preferences",
        codec=json_flag_codec("reminders", True),
        description="Appointment and vaccine reminders.",
    )


def _business_hours(value: dict[str, object] | None) -> list[DayHours]:
    """Every opening span, Monday first, each day's in the order of the day (stored as one object or a list)."""
    hours: list[DayHours] = []
    for day in Weekday:
        spans = (value or {}).get(day.value)
        for span in [spans] if isinstance(spans, dict) else spans if isinstance(spans, list) else []:
            if isinstance(span, dict) and "open" in span and "close" in span:
                hours.append(DayHours(day=day, open=span["open"], close=span["close"]))
    return hours


def _features(value: list[str] | None) -> list[ClinicFeature]:
    known = {f.value: f for f in ClinicFeature}
    return [known[v] for v in value or [] if v in known]


@table("tenants", shared=True, key_type="text")
@strawberry.type(description="A veterinary clinic: one tenant of VetQL.")
class Clinic(Node, TableRow):
    slug: str = col("id", description="The clinic's tenant id, as in tokens' `tenant_id` claim.")
    name: str = col(description="Trading name.")
    timezone: str = col(description="IANA time zone the clinic's day is counted in.")
    currency: str = col(description="ISO 4217 currency of its prices, e.g. PYG.")
    locale: str = col(description="BCP 47 locale, e.g. es-PY.")
    city: str | None = col(description="City.")
    phone: str | None = col(description="Public phone number.")
    email: str | None = col(description="Public e-mail address.")
    subscription_tier: str = col(description="Id of the subscription plan it is on.")
    appointment_settings: JSON = col(
        description="Slot length, buffer, booking horizon and cancellation window, in minutes/days/hours."
    )
    address: str | None = col(description="Street address.")
    website: str | None = col(description="Website URL.")

    @resolver_only("reshapes the stored JSON (null when empty)")
    def social_links(self) -> SocialLinks | None:
        """Pages on social networks."""
        return SocialLinks.from_json(row_of(self)["social_links"])

    @resolver_only("reshapes the stored JSON: days in week order, closed days left out")
    def business_hours(self) -> list[DayHours]:
        """Opening spans, Monday first; a day may have several (a split shift); a day not listed is closed."""
        return _business_hours(row_of(self)["business_hours"])

    @resolver_only("reshapes the stored JSON (null when never set)")
    def notification_settings(self) -> NotificationSettings | None:
        """Which notifications the clinic sends."""
        value = row_of(self)["notification_settings"]
        if value is None:
            return None
        return NotificationSettings(
            **{k: value.get(k) for k in ("email", "sms", "whatsapp", "push")},
            reminder_hours_before=value.get("reminder_hours_before"),
        )

    @resolver_only("keeps only the features this API knows, as enum values")
    def features_enabled(self) -> list[ClinicFeature]:
        """Capabilities switched on."""
        return _features(row_of(self)["features_enabled"])

    @resolver_only("the current subscription, else the latest: a loader of its own (db/billing.py)")
    async def subscription(self, info: strawberry.Info[Context, None]) -> TenantSubscription | None:
        """The clinic's current subscription (else its latest); null if it never subscribed, and for anyone
        but the clinic's admins and the platform operator."""
        # Row-level security decides who sees it: admins of this clinic and the platform.
        row = await info.context.loaders.subscription_by_clinic.load(self.slug)
        return optional(TenantSubscription.from_row, row)

    @resolver_only("usage rolled up per month, with its window checked by the billing rules")
    async def usage(
        self,
        info: strawberry.Info[Context, None],
        from_: Annotated[date, strawberry.argument(name="from", description="First month wanted (any day in it).")],
        to: Annotated[date, strawberry.argument(description="Last month wanted (any day in it); at most 36 months.")],
    ) -> list[UsagePeriod] | None:
        """Usage per calendar month in the clinic's time zone, months with activity only, oldest first
        (as `tenantUsage`); null for anyone but the clinic's admins and the platform operator."""
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


@table("profiles")
@strawberry.type(description="A person of a clinic: a pet owner, a vet or an administrator.")
class Profile(Node, TableRow):
    full_name: str = col(description="Name as it should be shown.")
    role: Role = col(description="What the person is in the clinic.")
    email: str | None = col(description="E-mail address.")
    phone: str | None = col(description="Phone number, international format (+595 ...).")
    city: str | None = col(description="City of the postal address.")
    preferred_contact_method: ContactMethod = col(description="How they prefer to be reached.")
    timezone: str = col(description="IANA time zone.")
    locale: str = col(description="BCP 47 locale.")
    secondary_phone: str | None = col(description="Another phone number.")
    address_line1: str | None = col(description="Street and number.")
    address_line2: str | None = col(description="Apartment, floor, reference.")
    state: str | None = col(description="State or department.")
    postal_code: str | None = col(description="Postal code.")
    country: str = col(description="ISO 3166-1 alpha-2 country code, e.g. PY.")
    emergency_contact_name: str | None = col(description="Whom to call in an emergency.")
    emergency_contact_phone: str | None = col(description="Their phone number.")
    communication_preferences: CommunicationPreferences = embedded(description="What they agreed to receive.")
    document_type: DocumentType | None = col(description="Kind of identity document: CI, RUC (for invoices), ...")
    document_number: str | None = col(
        description="Identity document number as stored: no dots or spaces (CI 4123456, RUC 80012345-6); "
        "unique in the clinic."
    )
    archived_at: datetime | None = col(description="When the client was archived (kept, hidden by default).")
    is_active: bool = col(description="Still a member: false once an admin deactivated them (their tokens stop).")
    pets: list[Annotated[Pet, strawberry.lazy("graph.types.pet")]] = many(
        "owner_id",
        order=x.PETS_BY_NAME,
        description="The person's pets by name (an owner sees their own; staff their clinic's).",
        current_only=flag(x.ONLY_CURRENT_PETS, default=True, description="Leave out archived pets."),
    )
    invoices: Connection[Invoice] = paged(
        "client_id", order=x.INVOICES_NEWEST_FIRST, description="Invoices made out to this person, newest first."
    )


T = TypeVar("T")


def optional(from_row: Callable[[Row], T], row: Row | None) -> T | None:
    """`from_row(row)`, or None for a row that is missing or hidden by RLS."""
    return None if row is None else from_row(row)
