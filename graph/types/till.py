"""The till's types: the catalogue (services, products), invoices with their lines and IVA, payments, refunds."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from db import expressions as x
from domain.till.errors import TillErrorCode
from graph.table import Codec, TableRow, col, computed, global_id_of, many, one, table
from graph.types.node import Node
from graph.types.user_errors import UserError, user_error

if TYPE_CHECKING:
    from graph.types.people import Profile
    from graph.types.pet import Pet

# Whole guaraníes: numeric columns printed as integers on both paths.
PYG = Codec(lambda v: f"({v})::bigint", lambda v: None if v is None else int(v))
LazyProfile = Annotated["Profile", strawberry.lazy("graph.types.people")]
LazyPet = Annotated["Pet", strawberry.lazy("graph.types.pet")]

strawberry.enum(TillErrorCode, description="Why a catalogue, invoice or payment mutation refused some input.")


@user_error("TillUserError", field="The offending input, e.g. `lines.0.unitPrice`.")
class TillUserError(UserError[TillErrorCode]):
    pass


@strawberry.enum(description="Kind of service the clinic offers.")
class ServiceCategory(Enum):
    CONSULTATION = "consultation"
    VACCINATION = "vaccination"
    SURGERY = "surgery"
    GROOMING = "grooming"
    IMAGING = "imaging"
    LAB = "lab"
    DENTAL = "dental"
    OTHER = "other"


@strawberry.enum(description="Kind of product the clinic sells.")
class ProductCategory(Enum):
    MEDICINE = "medicine"
    VACCINE = "vaccine"
    FOOD = "food"
    ACCESSORY = "accessory"
    SUPPLY = "supply"
    OTHER = "other"


@strawberry.enum(description="Where an invoice stands. SENT is issued: numbered and never edited again.")
class InvoiceStatus(Enum):
    DRAFT = "draft"
    SENT = "sent"
    PARTIAL = "partial"
    PAID = "paid"
    OVERDUE = "overdue"
    VOID = "void"


@strawberry.enum(description="How a payment was made.")
class PaymentMethod(Enum):
    CASH = "cash"
    CARD = "card"
    TRANSFER = "transfer"


@strawberry.enum(description="What an invoice line sells.")
class LineKind(Enum):
    SERVICE = "service"
    PRODUCT = "product"


PRICE = "Price in whole PYG, as the clinic's settings say (IVA included or not)."
RATE = "IVA rate in percent: 10, 5 or 0 (exempt)."


@table("services")
@strawberry.type(description="A service of the clinic's catalogue (consultation, vaccination, ...). Staff only.")
class Service(Node, TableRow):
    name: str = col(description="Name on invoices and bookings.")
    category: ServiceCategory = col(description="Kind of service.")
    description: str | None = col(description="Longer text.")
    price: int = col("base_price", codec=PYG, description=PRICE)
    duration_minutes: int = col(description="How long it takes; bookings default to it.")
    iva_rate: int = col(description=RATE)
    is_active: bool = col(description="Offered now; inactive ones cannot be invoiced.")
    created_at: datetime = col(description="When it was added.")


@table("products")
@strawberry.type(description="A product the clinic sells (medicines are usually IVA 5 %). Staff only.")
class Product(Node, TableRow):
    name: str = col(description="Name on invoices.")
    sku: str | None = col(description="Stock code; unique in the clinic, ignoring case.")
    category: ProductCategory = col(description="Kind of product.")
    price: int = col(codec=PYG, description=PRICE)
    iva_rate: int = col(description=RATE)
    is_active: bool = col(description="Sold now; inactive ones cannot be invoiced.")
    created_at: datetime = col(description="When it was added.")


@table("invoice_items")
@strawberry.type(description="One line of an invoice: what, how many, at what price, its discount and IVA rate.")
class InvoiceLine(Node, TableRow):
    kind: LineKind = col("item_type", description="A service or a product.")
    description: str = col(description="Text printed on the invoice (the catalogue's name unless given).")
    quantity: Decimal = col(description="How many (up to two decimals).")
    unit_price: int = col(codec=PYG, description="Price of one, whole PYG.")
    line_discount: int = col(codec=PYG, description="Discount given on this line, whole PYG.")
    promotion_discount: int = col(codec=PYG, description="This line's share of the invoice's promotion, whole PYG.")
    amount: int = col(codec=PYG, description="round(quantity x unit price) less both discounts, whole PYG.")
    iva_rate: int = col(description=RATE)
    service: Service | None = one("service_id", description="The catalogue's service, for a service line.")
    product: Product | None = one("product_id", description="The catalogue's product, for a product line.")
    created_at: datetime = col(description="When the line was added.")


@table("refunds")
@strawberry.type(description="Money given back against a payment.")
class Refund(Node, TableRow):
    amount: int = col(codec=PYG, description="Whole PYG given back.")
    reason: str | None = col(description="Why.")
    refunded_at: datetime = col(description="When.")
    refunded_by: LazyProfile | None = one("refunded_by", description="Who gave it back.")
    payment_id: strawberry.ID = global_id_of("Payment", "payment_id", description="The payment refunded.")


@table("payments")
@strawberry.type(description="A payment received against an invoice. Never edited: refunds are their own rows.")
class Payment(Node, TableRow):
    method: PaymentMethod = col(description="Cash, card or bank transfer.")
    amount: int = col(codec=PYG, description="Whole PYG received.")
    refunded_amount: int = col(codec=PYG, description="Whole PYG refunded from it so far.")
    reference: str | None = col(description="Card authorisation, transfer reference, receipt number.")
    received_at: datetime = col(description="When it was received.")
    received_by: LazyProfile | None = one("received_by", description="Who took it.")
    invoice_id: strawberry.ID = global_id_of("Invoice", "invoice_id", description="The invoice it pays.")
    refunds: list[Refund] = many("payment_id", order=x.REFUNDS_AS_MADE, description="Refunds, oldest first.")


AMOUNT = "IVA-included amount of the lines at {}, after discounts, whole PYG (the invoice's column)."


@table("invoices")
@strawberry.type(
    description="A customer's invoice. Totals and the IVA breakdown are computed by the database from its lines; "
    "issued (SENT) invoices are never edited. An owner sees their own."
)
class Invoice(Node, TableRow):
    invoice_number: str | None = col(description="Establishment-point-number, e.g. 001-001-0000042; null on a draft.")
    status: InvoiceStatus = col(description="DRAFT, SENT (issued), PARTIAL, PAID, OVERDUE or VOID.")
    client: LazyProfile | None = one("client_id", description="The customer (an owner of the clinic).")
    pet: LazyPet | None = one("pet_id", description="The patient it is for, if any.")
    issue_date: date | None = col(description="The clinic's day it was issued; null on a draft.")
    due_date: date | None = col(description="When payment is due.")
    issued_at: datetime | None = col(description="When it was issued.")
    voided_at: datetime | None = col(description="When it was voided.")
    currency: str = col(description="Currency of every amount: PYG (whole guaraníes).")
    prices_include_iva: bool = col(description="Its prices include IVA (the clinic's setting when it was made).")
    subtotal: int = col(codec=PYG, description="Sum of round(quantity x unit price) of the lines, before discounts.")
    discount_total: int = col(codec=PYG, description="Line discounts and the promotion together.")
    exempt_amount: int = col(codec=PYG, description="Amount of the exempt lines, after discounts.")
    taxed_5_amount: int = col(codec=PYG, description=AMOUNT.format("5 %"))
    taxed_10_amount: int = col(codec=PYG, description=AMOUNT.format("10 %"))
    iva_5: int = col(codec=PYG, description="IVA liquidated at 5 %: 1/21 of the 5 % amount (5 % of it when "
                     "prices exclude IVA), rounded once.")  # fmt: skip
    iva_10: int = col(codec=PYG, description="IVA liquidated at 10 %: 1/11 of the 10 % amount (10 % of it when "
                      "prices exclude IVA), rounded once.")  # fmt: skip
    tax_total: int = col(codec=PYG, description="All IVA: iva5 + iva10.")
    total: int = col(codec=PYG, description="What the customer owes in all: exempt + 5 % + 10 % amounts.")
    amount_paid: int = col(codec=PYG, description="Payments less refunds, kept by the database.")
    balance_due: int = computed(x.INVOICE_BALANCE_DUE, description="total - amountPaid, computed by the database.")
    client_ruc: str | None = col(description="The customer's RUC or identity document, for electronic invoicing.")
    client_name: str | None = col(description="Name or business name to invoice (the owner's name if null).")
    clinic_ruc: str | None = col(description="The clinic's RUC when it was issued.")
    clinic_legal_name: str | None = col(description="The clinic's business name when it was issued.")
    timbrado: str | None = col(description="The clinic's timbrado (tax stamp) number when it was issued.")
    notes: str | None = col(description="Notes printed on the invoice.")
    created_at: datetime = col(description="When the draft was made.")
    lines: list[InvoiceLine] = many("invoice_id", order=x.LINES_AS_ENTERED, description="Lines, in the order entered.")
    payments: list[Payment] = many(
        "invoice_id", order=x.PAYMENTS_AS_RECEIVED, description="Payments received, oldest first."
    )


@strawberry.type(description="How the clinic invoices: IVA in its prices, its RUC, timbrado and numbering.")
class InvoiceSettings:
    prices_include_iva: bool = strawberry.field(description="Catalogue prices include IVA (usual in Paraguay).")
    ruc: str | None = strawberry.field(description="The clinic's RUC, e.g. 80012345-6.")
    legal_name: str | None = strawberry.field(description="Business name on invoices.")
    timbrado: str | None = strawberry.field(description="Timbrado number (8 digits).")
    timbrado_valid_until: date | None = strawberry.field(description="Last day the timbrado is valid.")
    establishment: str = strawberry.field(description="Establishment code, 3 digits (001).")
    point_of_sale: str = strawberry.field(description="Point of sale code, 3 digits (001).")
