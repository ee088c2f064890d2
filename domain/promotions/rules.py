"""Promotion rules: what a valid promotion is, whether it applies to an invoice, and the discount."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from db.session import Row
from domain.problems import Problem
from domain.promotions.errors import PromotionErrorCode as Code

MAX_ITEMS = 200
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{3,32}$")
MAX_AMOUNT = Decimal("1000000000")  # PYG; numeric(14, 2) holds far more, no clinic needs it


def validate(values: Mapping[str, Any]) -> list[Problem[Code]]:
    """Problems of a promotion as it would be stored (after an update is merged onto the old row)."""
    problems: list[Problem[Code]] = []
    code = values["code"]
    if not CODE_PATTERN.match(code):
        problems.append(Problem("code", Code.INVALID, "3 to 32 letters, digits, '-' or '_'."))
    if not 1 <= len(values["name"].strip()) <= 200:
        problems.append(Problem("name", Code.INVALID, "name: 1 to 200 characters."))
    value: Decimal = values["discount_value"]
    if values["discount_type"] == "percentage":
        if not Decimal(0) < value <= Decimal(100):
            problems.append(Problem("discountValue", Code.OUT_OF_RANGE, "A percentage is more than 0 and at most 100."))
    elif not Decimal(0) < value <= MAX_AMOUNT or value != value.to_integral_value():
        problems.append(Problem("discountValue", Code.OUT_OF_RANGE, "A fixed discount is a whole amount of PYG > 0."))
    for name, field in (("minimum_purchase", "minimumPurchase"), ("maximum_discount", "maximumDiscount")):
        amount = values.get(name)
        low = Decimal(0) if name == "minimum_purchase" else Decimal(1)
        if amount is not None and not low <= amount <= MAX_AMOUNT:
            problems.append(Problem(field, Code.OUT_OF_RANGE, f"{field}: {low} to {MAX_AMOUNT} PYG."))
    for name, field in (("usage_limit", "usageLimit"), ("usage_per_customer", "usagePerCustomer")):
        count = values.get(name)
        if count is not None and not 1 <= count <= 1_000_000:
            problems.append(Problem(field, Code.OUT_OF_RANGE, f"{field}: 1 to 1000000, or null for no limit."))
    items = values.get("applicable_items")
    if items is not None and len(items) > MAX_ITEMS:
        problems.append(Problem("applicableItems", Code.TOO_MANY_ITEMS, f"At most {MAX_ITEMS} items."))
    starts, expires = values.get("starts_at"), values.get("expires_at")
    if starts is not None and expires is not None and expires <= starts:
        problems.append(Problem("expiresAt", Code.INVALID, "expiresAt must be after startsAt."))
    return problems


def eligible_amount(promotion: Row, invoice: Row, items: Sequence[Row]) -> Decimal:
    """What the promotion may discount: what its lines still cost after their own discounts (the whole
    subtotal for `all` with no lines)."""
    scope = promotion["applies_to"]
    listed = set(promotion["applicable_items"] or [])
    if not items:
        return Decimal(invoice["subtotal"]) if scope == "all" and not listed else Decimal(0)
    return sum((Decimal(item["amount"]) for item in eligible_lines(promotion, items)), Decimal(0))


def eligible_lines(promotion: Row, items: Sequence[Row]) -> list[Row]:
    """The lines the promotion applies to; its discount is spread over them before IVA."""
    scope = promotion["applies_to"]
    listed = set(promotion["applicable_items"] or [])
    lines = []
    for item in items:
        if scope == "services" and item["item_type"] != "service":
            continue
        if scope == "products" and item["item_type"] != "product":
            continue
        if listed and item["service_id"] not in listed and item["product_id"] not in listed:
            continue
        lines.append(item)
    return lines


def discount(promotion: Row, invoice: Row, base: Decimal) -> Decimal:
    """The discount on `base`, in whole PYG, capped by the maximum and by what the invoice still owes."""
    value = Decimal(promotion["discount_value"])
    amount = base * value / 100 if promotion["discount_type"] == "percentage" else min(value, base)
    amount = amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if promotion["maximum_discount"] is not None:
        amount = min(amount, Decimal(promotion["maximum_discount"]))
    room = min(Decimal(invoice["total"]), Decimal(invoice["subtotal"]) - Decimal(invoice["discount_total"]))
    return max(min(amount, room), Decimal(0))


@dataclass(frozen=True, slots=True)
class Verdict:
    reasons: list[Problem[Code]]
    discount: Decimal


def judge(
    promotion: Row,
    invoice: Row,
    items: Sequence[Row],
    *,
    customer_uses: int,
    invoice_has_promotion: bool,
    now: datetime,
) -> Verdict:
    """Every reason the promotion does not apply to the invoice now, and the discount it would give."""
    reasons: list[Problem[Code]] = []

    def no(code: Code, message: str) -> None:
        reasons.append(Problem("code", code, message))

    if not promotion["is_active"]:
        no(Code.INACTIVE, "This promotion is switched off.")
    if promotion["starts_at"] is not None and now < promotion["starts_at"]:
        no(Code.NOT_STARTED, f"Valid from {promotion['starts_at'].isoformat()}.")
    if promotion["expires_at"] is not None and now >= promotion["expires_at"]:
        no(Code.EXPIRED, f"Expired at {promotion['expires_at'].isoformat()}.")
    if promotion["usage_limit"] is not None and promotion["times_used"] >= promotion["usage_limit"]:
        no(Code.USAGE_LIMIT_REACHED, "This promotion has been used as often as it may be.")
    if promotion["usage_per_customer"] is not None and customer_uses >= promotion["usage_per_customer"]:
        no(Code.CUSTOMER_LIMIT_REACHED, "This customer has used this promotion as often as they may.")
    if invoice_has_promotion:
        no(Code.ALREADY_APPLIED, "The invoice already has a promotion applied.")
    if promotion["minimum_purchase"] is not None and Decimal(invoice["subtotal"]) < promotion["minimum_purchase"]:
        no(Code.MINIMUM_NOT_MET, f"Needs a purchase of at least {promotion['minimum_purchase']:.0f} PYG.")
    base = eligible_amount(promotion, invoice, items)
    amount = Decimal(0)
    if base <= 0:
        no(Code.NOT_APPLICABLE_ITEMS, "No line of this invoice is one the promotion applies to.")
    else:
        amount = discount(promotion, invoice, base)
        if amount <= 0:
            no(Code.NOTHING_TO_DISCOUNT, "The invoice has nothing left to discount.")
    return Verdict(reasons, amount if not reasons else Decimal(0))
