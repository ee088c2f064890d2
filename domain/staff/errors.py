"""Error codes of clinic and staff mutations (`userErrors.code`), and the database refusals they stand for."""

from __future__ import annotations

from enum import Enum

from domain.problems import Problem


class StaffErrorCode(Enum):
    NOT_FOUND = "not_found"
    REQUIRED = "required"
    INVALID = "invalid"
    TOO_LONG = "too_long"
    TOO_MANY = "too_many"
    OUT_OF_RANGE = "out_of_range"
    INVALID_EMAIL = "invalid_email"
    INVALID_TIMEZONE = "invalid_timezone"
    INVALID_LOCALE = "invalid_locale"
    INVALID_HOURS = "invalid_hours"
    SLUG_TAKEN = "slug_taken"
    UNKNOWN_PLAN = "unknown_plan"
    EMAIL_TAKEN = "email_taken"
    INVALID_CODE = "invalid_code"
    CODE_USED = "code_used"
    CODE_EXPIRED = "code_expired"
    LAST_ADMIN = "last_admin"
    NOT_STAFF = "not_staff"
    ALREADY_INACTIVE = "already_inactive"


EMAIL_TAKEN = Problem("email", StaffErrorCode.EMAIL_TAKEN, "Someone of the clinic already has this e-mail.")
LAST_ADMIN = Problem("profileId", StaffErrorCode.LAST_ADMIN, "The clinic must keep at least one active admin.")

# Rules the database enforces (also between two admins at once), by constraint name.
CONSTRAINTS: dict[str, Problem[StaffErrorCode]] = {
    "tenants_pkey": Problem("slug", StaffErrorCode.SLUG_TAKEN, "A clinic with this id already exists."),
    "tenants_subscription_tier_fkey": Problem(
        "subscriptionTier", StaffErrorCode.UNKNOWN_PLAN, "No such subscription plan."
    ),
    "profiles_tenant_email_key": EMAIL_TAKEN,
    "profiles_last_admin": LAST_ADMIN,
}
