"""Pure rules of clinics and staff: clinic ids, invitation codes (only their hash is stored), roles."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from domain.problems import Problem
from domain.staff.errors import StaffErrorCode as Code

MAX_NAME = 200
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{1,62}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
INVITATION_HOURS = (1, 720)  # an invitation lasts at most 30 days
DEFAULT_INVITATION = timedelta(days=7)
STAFF_ROLES = ("vet", "admin")


def new_code() -> str:
    """A single-use invitation code: 144 random bits, URL-safe, given to the invitee once."""
    return secrets.token_urlsafe(18)


def code_hash(code: str) -> str:
    """What is stored of a code: its SHA-256 (a stolen table yields no usable code)."""
    return hashlib.sha256(code.strip().encode()).hexdigest()


def slug(value: str) -> list[Problem[Code]]:
    if not _SLUG.match(value):
        return [Problem("slug", Code.INVALID, "2-63 lower-case letters, digits, '-' or '_', e.g. clinica-san-roque.")]
    return []


def email(field: str, value: str) -> list[Problem[Code]]:
    if len(value) > 200 or not _EMAIL.match(value):
        return [Problem(field, Code.INVALID_EMAIL, f"{field}: not an e-mail address.")]
    return []


def name(field: str, value: str) -> list[Problem[Code]]:
    if not value.strip():
        return [Problem(field, Code.REQUIRED, f"{field} is required.")]
    if len(value) > MAX_NAME:
        return [Problem(field, Code.TOO_LONG, f"{field}: at most {MAX_NAME} characters.")]
    return []


def lifetime(hours: int | None) -> tuple[timedelta, list[Problem[Code]]]:
    if hours is None:
        return DEFAULT_INVITATION, []
    low, high = INVITATION_HOURS
    if not low <= hours <= high:
        return DEFAULT_INVITATION, [Problem("expiresInHours", Code.OUT_OF_RANGE, f"From {low} to {high} hours.")]
    return timedelta(hours=hours), []
