"""Codes of the till's mutations (catalogue, invoices, payments), and the database refusals they stand for."""

from __future__ import annotations

from enum import Enum

from domain.problems import Problem


class TillErrorCode(Enum):
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    OUT_OF_RANGE = "out_of_range"
    NOT_WHOLE_GUARANI = "not_whole_guarani"
    SKU_TAKEN = "sku_taken"
    ITEM_INACTIVE = "item_inactive"
    PET_NOT_OF_OWNER = "pet_not_of_owner"
    NOT_AN_OWNER = "not_an_owner"
    INVOICE_NOT_EDITABLE = "invoice_not_editable"
    EMPTY_INVOICE = "empty_invoice"
    INVALID_TRANSITION = "invalid_transition"
    DISCOUNT_TOO_LARGE = "discount_too_large"
    TOO_LARGE = "too_large"
    NOT_PAYABLE = "not_payable"
    INVOICE_VOID = "invoice_void"
    OVERPAYMENT = "overpayment"
    REFUND_EXCEEDS_PAYMENT = "refund_exceeds_payment"


Code = TillErrorCode

# Rules the database enforces (also between concurrent requests), by constraint name.
CONSTRAINTS: dict[str, Problem[TillErrorCode]] = {
    "products_sku_key": Problem("sku", Code.SKU_TAKEN, "The clinic already has a product with this SKU."),
    "invoices_not_overpaid": Problem("amount", Code.OVERPAYMENT, "More than the invoice's balance due."),
    "payments_invoice_payable": Problem(
        "invoiceId", Code.NOT_PAYABLE, "Only an issued invoice with a balance due takes payments."
    ),
    "invoices_void_unpaid": Problem("invoiceId", Code.INVOICE_VOID, "A void invoice holds no payments."),
    "payments_refund_within": Problem(
        "amount", Code.REFUND_EXCEEDS_PAYMENT, "More than what is left of the payment to refund."
    ),
    "invoices_not_empty": Problem("invoiceId", Code.EMPTY_INVOICE, "An invoice without lines cannot be issued."),
    "invoice_items_draft_only": Problem(
        "invoiceId", Code.INVOICE_NOT_EDITABLE, "Only a draft's lines change; an issued invoice is never edited."
    ),
    "invoices_issued_immutable": Problem(
        "invoiceId", Code.INVOICE_NOT_EDITABLE, "An issued invoice is never edited; void it instead."
    ),
    "invoices_transition": Problem("invoiceId", Code.INVALID_TRANSITION, "The invoice cannot move to that status."),
    "invoice_items_discount_check": Problem(
        "lineDiscount", Code.DISCOUNT_TOO_LARGE, "A line's discounts cannot exceed its amount."
    ),
    "invoices_total_within_int": Problem("quantity", Code.TOO_LARGE, "The invoice would exceed 2,147,483,647 PYG."),
    "invoice_settings_ruc_check": Problem(
        "ruc", Code.INVALID, "A RUC is digits, a dash and a check digit: 80012345-6."
    ),
    "invoice_settings_timbrado_check": Problem("timbrado", Code.INVALID, "A timbrado is 8 digits."),
}
