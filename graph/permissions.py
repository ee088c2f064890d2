"""Permission classes: who may call a field at all. RLS still decides which rows."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.permission import BasePermission

from graph.context import Context


class IsStaff(BasePermission):
    """Clinic staff only (vet or admin)."""

    message = "Only clinic staff (vet or admin) may do this."
    error_extensions = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: strawberry.Info[Context, None], **kwargs: Any) -> bool:
        return info.context.is_staff


class IsAdmin(BasePermission):
    """A clinic's administrator only."""

    message = "Only the clinic's admin may do this."
    error_extensions = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: strawberry.Info[Context, None], **kwargs: Any) -> bool:
        claims = info.context.claims
        return claims is not None and claims.role == "admin" and info.context.tenant_id is not None


class IsClinicMember(BasePermission):
    """Anyone of a clinic: owner, vet or admin (not the platform operator, not anonymous)."""

    message = "Only a member of a clinic may do this."
    error_extensions = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: strawberry.Info[Context, None], **kwargs: Any) -> bool:
        return info.context.tenant_id is not None


class IsSignedIn(BasePermission):
    """Any verified token."""

    message = "Sign in to do this."
    error_extensions = {"code": "UNAUTHENTICATED"}

    def has_permission(self, source: Any, info: strawberry.Info[Context, None], **kwargs: Any) -> bool:
        return info.context.claims is not None


class IsPlatform(BasePermission):
    """The SaaS operator only."""

    message = "Only the platform operator may do this."
    error_extensions = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: strawberry.Info[Context, None], **kwargs: Any) -> bool:
        claims = info.context.claims
        return claims is not None and claims.role == "platform"


class IsAdminOrPlatform(BasePermission):
    """A clinic's admin (their own clinic) or the platform operator (any clinic)."""

    message = "Only a clinic admin or the platform operator may read billing."
    error_extensions = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: strawberry.Info[Context, None], **kwargs: Any) -> bool:
        claims = info.context.claims
        return claims is not None and claims.role in ("admin", "platform")


class CarriesItsOwnCredential(BasePermission):
    """Anyone, with or without a token: the input itself is the credential (an invitation's single-use code)."""

    message = "Not allowed."
    error_extensions = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: strawberry.Info[Context, None], **kwargs: Any) -> bool:
        return True


def clinic_of(info: strawberry.Info[Context, None]) -> str:
    """The caller's clinic, for a field whose permission class has required one."""
    tenant = info.context.tenant_id
    assert tenant is not None
    return tenant
