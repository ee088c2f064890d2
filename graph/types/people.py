"""Clinics and the people in them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import strawberry
from sqlalchemy.engine import RowMapping
from strawberry.scalars import JSON

from graph.types.enums import ContactMethod, Role
from graph.types.node import Node, to_global_id


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

    @classmethod
    def from_row(cls, row: RowMapping) -> Clinic:
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
        )


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

    @classmethod
    def from_row(cls, row: RowMapping) -> Profile:
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
        )


T = TypeVar("T")


def optional(from_row: Callable[[RowMapping], T], row: RowMapping | None) -> T | None:
    """`from_row(row)`, or None for a row that is missing or hidden by RLS."""
    return None if row is None else from_row(row)
