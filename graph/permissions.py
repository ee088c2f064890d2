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
