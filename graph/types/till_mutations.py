"""Inputs and payloads of the till's mutations (catalogue, settings, invoices, payments)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import strawberry

from graph.types.till import (
    Invoice,
    InvoiceLine,
    InvoiceSettings,
    InvoiceStatus,
    Payment,
    PaymentMethod,
    Product,
    ProductCategory,
    Refund,
    Service,
    ServiceCategory,
    TillUserError,
)

ERRORS = "What to fix; when not empty, nothing changed."
WHOLE = "Whole PYG (the currency has no cents)."


def _errors() -> Any:
    return strawberry.field(default_factory=list, description=ERRORS)


@strawberry.input(description="A new service of the catalogue.")
class CreateServiceInput:
    name: str = strawberry.field(description="1-200 characters.")
    price: Decimal = strawberry.field(description=WHOLE)
    category: ServiceCategory = strawberry.field(default=ServiceCategory.CONSULTATION, description="Kind.")
    duration_minutes: int = strawberry.field(default=30, description="1-1440 minutes.")
    iva_rate: int = strawberry.field(default=10, description="10, 5 or 0 (exempt).")
    description: str | None = strawberry.field(default=None, description="Longer text.")
    is_active: bool = strawberry.field(default=True, description="Offered from the start.")


@strawberry.input(description="Changes to a service; omitted fields keep their value.")
class UpdateServiceInput:
    service_id: strawberry.ID = strawberry.field(description="The service.")
    name: str | None = strawberry.field(default=None, description="New name.")
    price: Decimal | None = strawberry.field(default=None, description=WHOLE)
    category: ServiceCategory | None = strawberry.field(default=None, description="New kind.")
    duration_minutes: int | None = strawberry.field(default=None, description="1-1440 minutes.")
    iva_rate: int | None = strawberry.field(default=None, description="10, 5 or 0 (exempt).")
    description: str | None = strawberry.field(default=strawberry.UNSET, description="New text; null clears.")
    is_active: bool | None = strawberry.field(default=None, description="Offer it or not.")


@strawberry.input(description="A new product of the catalogue.")
class CreateProductInput:
    name: str = strawberry.field(description="1-200 characters.")
    price: Decimal = strawberry.field(description=WHOLE)
    category: ProductCategory = strawberry.field(default=ProductCategory.MEDICINE, description="Kind.")
    iva_rate: int = strawberry.field(default=10, description="10, 5 (veterinary medicines) or 0 (exempt).")
    sku: str | None = strawberry.field(default=None, description="Stock code, unique in the clinic ignoring case.")
    is_active: bool = strawberry.field(default=True, description="Sold from the start.")


@strawberry.input(description="Changes to a product; omitted fields keep their value.")
class UpdateProductInput:
    product_id: strawberry.ID = strawberry.field(description="The product.")
    name: str | None = strawberry.field(default=None, description="New name.")
    price: Decimal | None = strawberry.field(default=None, description=WHOLE)
    category: ProductCategory | None = strawberry.field(default=None, description="New kind.")
    iva_rate: int | None = strawberry.field(default=None, description="10, 5 or 0 (exempt).")
    sku: str | None = strawberry.field(default=strawberry.UNSET, description="New stock code; null clears.")
    is_active: bool | None = strawberry.field(default=None, description="Sell it or not.")


@strawberry.type(description="Result of `createService` and `updateService`.")
class ServicePayload:
    service: Service | None = strawberry.field(default=None, description="The service; null on error.")
    user_errors: list[TillUserError] = _errors()


@strawberry.type(description="Result of `createProduct` and `updateProduct`.")
class ProductPayload:
    product: Product | None = strawberry.field(default=None, description="The product; null on error.")
    user_errors: list[TillUserError] = _errors()


@strawberry.input(description="How the clinic invoices; omitted fields keep their value, null clears.")
class UpdateInvoiceSettingsInput:
    prices_include_iva: bool | None = strawberry.field(default=None, description="Catalogue prices include IVA.")
    ruc: str | None = strawberry.field(default=strawberry.UNSET, description="The clinic's RUC, e.g. 80012345-6.")
    legal_name: str | None = strawberry.field(default=strawberry.UNSET, description="Business name.")
    timbrado: str | None = strawberry.field(default=strawberry.UNSET, description="Timbrado, 8 digits.")
    timbrado_valid_until: date | None = strawberry.field(default=strawberry.UNSET, description="Its last day.")
    establishment: str | None = strawberry.field(default=None, description="3 digits.")
    point_of_sale: str | None = strawberry.field(default=None, description="3 digits.")


@strawberry.type(description="Result of `updateInvoiceSettings`.")
class InvoiceSettingsPayload:
    settings: InvoiceSettings | None = strawberry.field(default=None, description="The settings now.")
    user_errors: list[TillUserError] = _errors()


@strawberry.input(description="A line from the catalogue: a service or a product, how many, price and discount.")
class InvoiceLineInput:
    service_id: strawberry.ID | None = strawberry.field(default=None, description="A service (or give productId).")
    product_id: strawberry.ID | None = strawberry.field(default=None, description="A product (or give serviceId).")
    quantity: Decimal = strawberry.field(default=Decimal(1), description="More than 0, up to two decimals.")
    unit_price: Decimal | None = strawberry.field(default=None, description="Whole PYG; the catalogue's if null.")
    line_discount: Decimal = strawberry.field(default=Decimal(0), description="Whole PYG off this line.")
    description: str | None = strawberry.field(default=None, description="Text on the invoice; the item's name.")


@strawberry.input(description="A new draft invoice for an owner.")
class CreateInvoiceInput:
    owner_id: strawberry.ID = strawberry.field(description="The customer: a Profile of role owner.")
    pet_id: strawberry.ID | None = strawberry.field(default=None, description="The owner's pet it is for.")
    lines: list[InvoiceLineInput] = strawberry.field(default_factory=list, description="Lines, at most 200.")
    due_date: date | None = strawberry.field(default=None, description="When payment is due.")
    client_ruc: str | None = strawberry.field(default=None, description="The customer's RUC or document.")
    client_name: str | None = strawberry.field(default=None, description="Name to invoice, if not the owner's.")
    notes: str | None = strawberry.field(default=None, description="Notes printed on the invoice.")


@strawberry.input(description="A line to add to a draft.")
class AddInvoiceLineInput:
    invoice_id: strawberry.ID = strawberry.field(description="The draft invoice.")
    line: InvoiceLineInput = strawberry.field(description="The line.")


@strawberry.input(description="A line to take off a draft.")
class RemoveInvoiceLineInput:
    line_id: strawberry.ID = strawberry.field(description="The line (InvoiceLine id).")


@strawberry.input(description="The draft to issue.")
class IssueInvoiceInput:
    invoice_id: strawberry.ID = strawberry.field(description="The draft invoice.")
    due_date: date | None = strawberry.field(default=None, description="When payment is due (kept if null).")


@strawberry.type(description="Result of the invoice mutations.")
class InvoicePayload:
    invoice: Invoice | None = strawberry.field(default=None, description="The invoice after the change.")
    line: InvoiceLine | None = strawberry.field(default=None, description="The line added, if one was.")
    user_errors: list[TillUserError] = _errors()


@strawberry.input(description="A payment received against an issued invoice.")
class RecordPaymentInput:
    invoice_id: strawberry.ID = strawberry.field(description="The invoice.")
    method: PaymentMethod = strawberry.field(description="Cash, card or transfer.")
    amount: Decimal = strawberry.field(description="Whole PYG, at most the balance due.")
    reference: str | None = strawberry.field(default=None, description="Authorisation or transfer reference.")
    received_at: datetime | None = strawberry.field(default=None, description="When (now if null), with offset.")


@strawberry.type(description="Result of `recordPayment`.")
class PaymentPayload:
    payment: Payment | None = strawberry.field(default=None, description="The payment.")
    invoice: Invoice | None = strawberry.field(default=None, description="The invoice with its new balance.")
    user_errors: list[TillUserError] = _errors()


@strawberry.input(description="Money given back against a payment.")
class RefundPaymentInput:
    payment_id: strawberry.ID = strawberry.field(description="The payment.")
    amount: Decimal = strawberry.field(description="Whole PYG, at most what is left of the payment.")
    reason: str | None = strawberry.field(default=None, description="Why, up to 500 characters.")


@strawberry.type(description="Result of `refundPayment`.")
class RefundPayload:
    refund: Refund | None = strawberry.field(default=None, description="The refund.")
    payment: Payment | None = strawberry.field(default=None, description="The payment with its refunded amount.")
    invoice: Invoice | None = strawberry.field(default=None, description="The invoice with its new balance.")
    user_errors: list[TillUserError] = _errors()


@strawberry.input(description="Narrows the invoice list; all given conditions hold.")
class InvoiceFilter:
    status: InvoiceStatus | None = strawberry.field(default=None, description="Only this status.")
    owner_id: strawberry.ID | None = strawberry.field(default=None, description="Only this customer's.")
    from_: date | None = strawberry.field(default=None, name="from", description="Issued on or after this day.")
    to: date | None = strawberry.field(default=None, description="Issued on or before this day.")
