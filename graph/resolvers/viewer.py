"""`viewer`: who the token says the caller is."""

from __future__ import annotations

import strawberry

from graph.context import Context
from graph.types.enums import Role
from graph.types.viewer import Viewer


def viewer(info: strawberry.Info[Context, None]) -> Viewer | None:
    """The caller; null without a token."""
    claims = info.context.claims
    if claims is None:
        return None
    return Viewer(profile_id=claims.sub, role=Role(claims.role))
