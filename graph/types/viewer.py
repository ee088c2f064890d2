"""The caller, as the token identifies them."""

from __future__ import annotations

from uuid import UUID

import strawberry

from graph.context import Context
from graph.types.enums import Role
from graph.types.fields import described
from graph.types.people import Clinic, Profile, optional


@strawberry.type(description="Who is asking: the identity in the bearer token.")
class Viewer:
    profile_id: strawberry.Private[UUID]
    role: Role = strawberry.field(description="The caller's role.")

    @described("The caller's own profile; null for the platform operator.")
    async def profile(self, info: strawberry.Info[Context, None]) -> Profile | None:
        return optional(Profile.from_row, await info.context.loaders.profile_by_id.load(self.profile_id))

    @described("The clinic the caller belongs to; null for the platform operator.")
    async def clinic(self, info: strawberry.Info[Context, None]) -> Clinic | None:
        tenant = info.context.tenant_id
        if tenant is None:
            return None
        return optional(Clinic.from_row, await info.context.loaders.of("Clinic").load(tenant))
