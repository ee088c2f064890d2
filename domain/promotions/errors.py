"""Codes of promotion mutations and `validatePromotion`'s reasons, and the database refusals they stand for."""

from __future__ import annotations

from enum import Enum

from domain.problems import Problem


class PromotionErrorCode(Enum):
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    OUT_OF_RANGE = "out_of_range"
    TOO_MANY_ITEMS = "too_many_items"
    CODE_TAKEN = "code_taken"
    PLAN_LIMIT_REACHED = "plan_limit_reached"
    INVOICE_NOT_EDITABLE = "invoice_not_editable"
    # why a code does not apply to an invoice
    EXPIRED = "expired"
    NOT_STARTED = "not_started"
    INACTIVE = "inactive"
    USAGE_LIMIT_REACHED = "usage_limit_reached"
    CUSTOMER_LIMIT_REACHED = "customer_limit_reached"
    MINIMUM_NOT_MET = "minimum_not_met"
    NOT_APPLICABLE_ITEMS = "not_applicable_items"
    ALREADY_APPLIED = "already_applied"
    NOTHING_TO_DISCOUNT = "nothing_to_discount"


# Rules the database enforces (also between concurrent requests), by constraint name.
CONSTRAINTS: dict[str, Problem[PromotionErrorCode]] = {
    "promotions_code_key": Problem(
        "code", PromotionErrorCode.CODE_TAKEN, "The clinic already has a promotion with this code."
    ),
    "plan_limit_active_promotions": Problem(
        "isActive",
        PromotionErrorCode.PLAN_LIMIT_REACHED,
        "The clinic's plan allows no more active promotions; deactivate one or upgrade the plan.",
    ),
}
