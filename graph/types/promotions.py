"""Promotions: discount codes, their inputs and payloads, and what a redemption did to an invoice."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum

import strawberry

from db.session import Row
from domain.promotions.errors import PromotionErrorCode
from graph.table import IDS, TableRow, col, table
from graph.types.node import Node, to_global_id
from graph.types.user_errors import UserError, user_error

# The codes live in the domain layer; this registers them as a GraphQL enum.
strawberry.enum(
    PromotionErrorCode,
    description="Why a promotion mutation refused some input, or why a code does not apply to an invoice.",
)


@strawberry.enum(description="How the discount is computed.")
class DiscountType(Enum):
    PERCENTAGE = "percentage"
    FIXED = "fixed"


@strawberry.enum(description="Which invoice lines a promotion discounts.")
class PromotionScope(Enum):
    ALL = "all"
    SERVICES = "services"
    PRODUCTS = "products"


@user_error(
    "PromotionUserError",
    field="The offending input, e.g. `discountValue`.",
    description="Something in the input a user can fix, or a reason a code does not apply.",
)
class PromotionUserError(UserError[PromotionErrorCode]):
    pass


@table("promotions")
@strawberry.type(description="A discount code of the clinic. Staff only.")
class Promotion(Node, TableRow):
    code: str = col(description="What customers type; unique in the clinic, ignoring case.")
    name: str = col(description="Name shown to staff and on invoices.")
    description: str | None = col(description="Longer text.")
    discount_type: DiscountType = col(description="Percentage of the eligible lines, or fixed PYG.")
    discount_value: Decimal = col(description="Percent (0-100] or whole PYG.")
    minimum_purchase: Decimal | None = col(description="Invoice subtotal needed, in PYG.")
    maximum_discount: Decimal | None = col(description="Most it takes off one invoice, in PYG.")
    applies_to: PromotionScope = col(description="Which kind of lines it discounts.")
    applicable_items: list[strawberry.ID] | None = col(
        codec=IDS,
        description="Only these services or products (ids of the clinic's catalogue); null: every line in scope.",
    )
    usage_limit: int | None = col(description="Total uses allowed; null: unlimited.")
    usage_per_customer: int | None = col(description="Uses allowed per customer; null: unlimited.")
    times_used: int = col(description="Uses so far (voided invoices give theirs back).")
    starts_at: datetime | None = col(description="Valid from this instant; null: already.")
    expires_at: datetime | None = col(description="Valid until this instant (exclusive); null: ever.")
    is_active: bool = col(description="Switched on. Active codes count against the plan's limit.")
    created_at: datetime = col(description="When it was created.")


@strawberry.type(description="An invoice's amounts after a promotion was applied or the invoice was voided.")
class InvoiceTotals:
    invoice_id: strawberry.ID = strawberry.field(description="Global ID of the invoice.")
    status: str = strawberry.field(description="draft, sent, partial, paid, overdue or void.")
    subtotal: Decimal = strawberry.field(description="Sum of the lines, PYG.")
    discount_total: Decimal = strawberry.field(description="All discounts, PYG.")
    total: Decimal = strawberry.field(description="What the customer owes, PYG.")

    @classmethod
    def from_row(cls, row: Row) -> InvoiceTotals:
        return cls(
            invoice_id=to_global_id("Invoice", row["id"]),
            status=row["status"],
            subtotal=row["subtotal"],
            discount_total=row["discount_total"],
            total=row["total"],
        )


@strawberry.input(description="A new discount code.")
class CreatePromotionInput:
    code: str = strawberry.field(description="3-32 letters, digits, '-' or '_'; unique in the clinic, ignoring case.")
    name: str = strawberry.field(description="1-200 characters.")
    discount_type: DiscountType = strawberry.field(description="PERCENTAGE or FIXED.")
    discount_value: Decimal = strawberry.field(description="Percent (more than 0, at most 100) or whole PYG (> 0).")
    description: str | None = strawberry.field(default=None, description="Longer text.")
    minimum_purchase: Decimal | None = strawberry.field(default=None, description="Invoice subtotal needed, PYG.")
    maximum_discount: Decimal | None = strawberry.field(default=None, description="Cap per invoice, PYG.")
    applies_to: PromotionScope = strawberry.field(default=PromotionScope.ALL, description="Lines it discounts.")
    applicable_items: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Only these service or product ids (UUIDs), at most 200."
    )
    usage_limit: int | None = strawberry.field(default=None, description="Total uses; null: unlimited.")
    usage_per_customer: int | None = strawberry.field(default=1, description="Uses per customer; null: unlimited.")
    starts_at: datetime | None = strawberry.field(default=None, description="Valid from.")
    expires_at: datetime | None = strawberry.field(default=None, description="Valid until (exclusive).")
    is_active: bool = strawberry.field(default=True, description="Switched on from the start.")


@strawberry.input(description="Changes to a discount code; omitted fields keep their value, null clears.")
class UpdatePromotionInput:
    id: strawberry.ID = strawberry.field(description="The promotion.")
    code: str | None = strawberry.field(default=None, description="New code; unique in the clinic, ignoring case.")
    name: str | None = strawberry.field(default=None, description="New name.")
    discount_type: DiscountType | None = strawberry.field(default=None, description="New type.")
    discount_value: Decimal | None = strawberry.field(default=None, description="New value.")
    description: str | None = strawberry.field(default=strawberry.UNSET, description="New description.")
    minimum_purchase: Decimal | None = strawberry.field(default=strawberry.UNSET, description="New minimum.")
    maximum_discount: Decimal | None = strawberry.field(default=strawberry.UNSET, description="New cap.")
    applies_to: PromotionScope | None = strawberry.field(default=None, description="New scope.")
    applicable_items: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET, description="New item list; null: every line in scope."
    )
    usage_limit: int | None = strawberry.field(
        default=strawberry.UNSET, description="New total limit; not below the uses so far."
    )
    usage_per_customer: int | None = strawberry.field(default=strawberry.UNSET, description="New per-customer limit.")
    starts_at: datetime | None = strawberry.field(default=strawberry.UNSET, description="New start.")
    expires_at: datetime | None = strawberry.field(default=strawberry.UNSET, description="New end.")
    is_active: bool | None = strawberry.field(default=None, description="Switch on or off.")


@strawberry.type(description="Result of `createPromotion` and `updatePromotion`.")
class PromotionPayload:
    promotion: Promotion | None = strawberry.field(
        default=None, description="The promotion after the change; null on error."
    )
    user_errors: list[PromotionUserError] = strawberry.field(
        default_factory=list, description="What to fix; empty on success."
    )


@strawberry.input(description="A code and the invoice it is meant for.")
class RedeemPromotionInput:
    code: str = strawberry.field(description="The code as the customer typed it (case does not matter).")
    invoice_id: strawberry.ID = strawberry.field(description="Global ID of the invoice (Invoice:<uuid>).")


@strawberry.type(description="Whether a code applies to an invoice now, and why not.")
class PromotionValidation:
    valid: bool = strawberry.field(description="True when `redeemPromotion` would succeed now.")
    discount_amount: Decimal = strawberry.field(description="The discount it would give, PYG; 0 when not valid.")
    promotion: Promotion | None = strawberry.field(description="The promotion the code names, if any.")
    reasons: list[PromotionUserError] = strawberry.field(description="Every reason it does not apply.")


@strawberry.type(description="Result of `redeemPromotion`.")
class RedeemPromotionPayload:
    promotion: Promotion | None = strawberry.field(default=None, description="The promotion, with this use counted.")
    discount_amount: Decimal | None = strawberry.field(default=None, description="What was taken off the invoice, PYG.")
    invoice: InvoiceTotals | None = strawberry.field(default=None, description="The invoice's new amounts.")
    user_errors: list[PromotionUserError] = strawberry.field(
        default_factory=list, description="Why it was not applied; when not empty, nothing changed."
    )


@strawberry.input(description="The invoice to void.")
class VoidInvoiceInput:
    invoice_id: strawberry.ID = strawberry.field(description="Global ID of the invoice (Invoice:<uuid>).")


@strawberry.type(description="Result of `voidInvoice`.")
class VoidInvoicePayload:
    invoice: InvoiceTotals | None = strawberry.field(default=None, description="The voided invoice.")
    promotion_uses_returned: int = strawberry.field(default=0, description="Promotion uses given back by voiding it.")
    user_errors: list[PromotionUserError] = strawberry.field(
        default_factory=list, description="What to fix; empty on success."
    )


@strawberry.input(description="Narrows the promotion list. All given conditions must hold.")
class PromotionFilter:
    search: str | None = strawberry.field(default=None, description="Part of the code or name.")
    active_only: bool = strawberry.field(
        default=False, description="Only codes that are switched on and within their validity window now."
    )
