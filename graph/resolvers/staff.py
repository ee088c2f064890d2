"""Clinics and their staff: createClinic (platform), inviteStaff, acceptInvitation, changeStaffRole, deactivateStaff."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID, uuid4

import strawberry

from db import membership
from db import records as records_sql
from db import staff as sql
from domain.problems import Problem
from domain.records.errors import RecordsErrorCode
from domain.staff import rules
from domain.staff.errors import CONSTRAINTS, EMAIL_TAKEN
from domain.staff.errors import StaffErrorCode as Code
from graph.mutations import Info, Mutations, Write
from graph.resolvers.records.profiles import clinic_sets
from graph.types.enums import Role
from graph.types.node import to_global_id
from graph.types.people import Clinic, Profile
from graph.types.staff import (
    AcceptInvitationInput,
    AcceptInvitationPayload,
    ChangeStaffRoleInput,
    CreateClinicInput,
    CreateClinicPayload,
    InvitationPayload,
    InviteOwnerInput,
    InviteStaffInput,
    StaffInvitation,
    StaffMemberInput,
    StaffPayload,
    StaffUserError,
)

STAFF = Mutations(Code, StaffUserError, CONSTRAINTS)
_NO_MEMBER = Problem("profileId", Code.NOT_FOUND, "No such vet or admin in this clinic.")
_OUTCOMES = {
    "unknown": Problem("code", Code.INVALID_CODE, "This code is not an invitation of this clinic."),
    "used": Problem("code", Code.CODE_USED, "This code has already been used."),
    "expired": Problem("code", Code.CODE_EXPIRED, "This code has expired; ask for a new invitation."),
}


def _as_staff(problem: Problem[RecordsErrorCode]) -> Problem[Code]:
    """A records-domain Problem of the clinic details (shared with updateClinic), under `details`."""
    code = Code.__members__.get(problem.code.name, Code.INVALID)
    return Problem(f"details.{problem.field}" if problem.field else "details", code, problem.message)


async def create_clinic(
    info: Info, input: Annotated[CreateClinicInput, strawberry.argument(description="The clinic and its first admin.")]
) -> CreateClinicPayload:
    """Open a clinic with its settings and invite its first admin. Platform only."""
    slug = input.slug.strip()
    email = input.first_admin.email.strip().lower()
    sets, found = clinic_sets(input.details)
    problems = rules.slug(slug) + [_as_staff(p) for p in found] + rules.email("firstAdmin.email", email)
    name = sets.pop("name", None)
    if not name:
        problems.append(Problem("details.name", Code.REQUIRED, "A clinic needs a name."))
    ttl, late = rules.lifetime(input.expires_in_hours)
    problems += late
    code = rules.new_code()

    async def perform(w: Write[Code]) -> CreateClinicPayload:
        assert name is not None
        row = await sql.insert_clinic(w.db, slug, name, input.subscription_tier.strip())
        if sets:
            changed = await records_sql.update_clinic(w.db, slug, sets)
            assert changed is not None
            row = changed
        expires = datetime.now(UTC) + ttl
        await sql.insert_invitation(w.db, slug, uuid4(), email, "admin", rules.code_hash(code), expires, None)
        return CreateClinicPayload(clinic=Clinic.from_row(row), admin_invitation_code=code)

    return await STAFF.run(info, CreateClinicPayload, perform, problems=problems)


async def invite_staff(
    info: Info, input: Annotated[InviteStaffInput, strawberry.argument(description="Whom, and as what.")]
) -> InvitationPayload:
    """Invite a vet or admin to the caller's clinic by e-mail; the code works once, until it expires. Admin only."""
    email = input.email.strip().lower()
    problems = rules.email("email", email)
    ttl, late = rules.lifetime(input.expires_in_hours)
    problems += late
    code = rules.new_code()

    async def perform(w: Write[Code]) -> InvitationPayload:
        if await sql.email_in_use(w.db, w.tenant, email):
            w.refuse(EMAIL_TAKEN)
        invitation = uuid4()
        expires = datetime.now(UTC) + ttl
        hashed = rules.code_hash(code)
        await sql.insert_invitation(w.db, w.tenant, invitation, email, input.role.value, hashed, expires, w.by)
        row = await sql.invitation(w.db, w.tenant, invitation)
        assert row is not None
        return InvitationPayload(invitation=StaffInvitation.from_row(row), code=code)

    return await STAFF.run(info, InvitationPayload, perform, problems=problems)


async def invite_owner(
    info: Info, input: Annotated[InviteOwnerInput, strawberry.argument(description="The client to invite.")]
) -> InvitationPayload:
    """Invite a client to the owner app: the code, sent to their e-mail, lets them sign in as the profile the
    clinic keeps (they then see only their own pets). Staff only."""
    owner = STAFF.id(input.owner_id, "Profile", "ownerId")
    problems = [owner] if isinstance(owner, Problem) else []
    ttl, late = rules.lifetime(input.expires_in_hours)
    problems += late
    code = rules.new_code()

    async def perform(w: Write[Code]) -> InvitationPayload:
        assert isinstance(owner, UUID)
        found = await sql.client(w.db, w.tenant, owner)
        if found is None or found["archived_at"] is not None:
            w.refuse(Problem("ownerId", Code.NOT_FOUND, "No such current client in this clinic."))
        if not found["email"]:
            w.refuse(Problem("ownerId", Code.REQUIRED, "The client needs an e-mail address first (updateOwner)."))
        invitation = uuid4()
        expires = datetime.now(UTC) + ttl
        hashed = rules.code_hash(code)
        await sql.insert_invitation(w.db, w.tenant, invitation, found["email"], "owner", hashed, expires, w.by, owner)
        row = await sql.invitation(w.db, w.tenant, invitation)
        assert row is not None
        return InvitationPayload(invitation=StaffInvitation.from_row(row), code=code)

    return await STAFF.run(info, InvitationPayload, perform, problems=problems)


async def accept_invitation(
    info: Info, input: Annotated[AcceptInvitationInput, strawberry.argument(description="The clinic, code, name.")]
) -> AcceptInvitationPayload:
    """Join a clinic's staff with an invitation's code (no token needed: the code is the credential)."""
    full_name = input.full_name.strip()
    problems = rules.name("fullName", full_name)

    async def perform(w: Write[Code]) -> AcceptInvitationPayload:
        row = await sql.accept_invitation(w.db, input.clinic_slug.strip(), rules.code_hash(input.code), full_name)
        if row["profile_id"] is None:
            w.refuse(_OUTCOMES[row["outcome"]])
        return AcceptInvitationPayload(
            profile_id=to_global_id("Profile", row["profile_id"]), role=Role(row["role"])
        )

    return await STAFF.run(info, AcceptInvitationPayload, perform, problems=problems)


def _member(input: ChangeStaffRoleInput | StaffMemberInput) -> UUID | Problem[Code]:
    return STAFF.id(input.profile_id, "Profile", "profileId")


async def _forget(tenant: str | None, profile: UUID | Problem[Code], payload: StaffPayload) -> StaffPayload:
    """After the commit: this process stops honouring the member's old standing at once (others within seconds)."""
    if tenant is not None and isinstance(profile, UUID):
        membership.forget(tenant, profile)
    return payload


async def change_staff_role(
    info: Info, input: Annotated[ChangeStaffRoleInput, strawberry.argument(description="Who, and the new role.")]
) -> StaffPayload:
    """Make a vet an admin or an admin a vet; the clinic keeps at least one active admin. Admin only."""
    profile = _member(input)
    problems = [profile] if isinstance(profile, Problem) else []

    async def perform(w: Write[Code]) -> StaffPayload:
        assert isinstance(profile, UUID)
        if await sql.staff_member(w.db, w.tenant, profile) is None:
            w.refuse(_NO_MEMBER)
        row = await sql.set_role(w.db, w.tenant, profile, input.role.value)  # last admin: profiles_last_admin
        assert row is not None
        w.prime("Profile", profile, row)
        return StaffPayload(profile=Profile.from_row(row))

    tenant = info.context.tenant_id
    return await STAFF.run(info, StaffPayload, perform, problems=problems, then=lambda p: _forget(tenant, profile, p))


async def deactivate_staff(
    info: Info, input: Annotated[StaffMemberInput, strawberry.argument(description="The member to deactivate.")]
) -> StaffPayload:
    """Deactivate a vet or admin: their tokens stop working at their next request; the clinic keeps at least one
    active admin, also when two admins deactivate each other at once. Admin only."""
    profile = _member(input)
    problems = [profile] if isinstance(profile, Problem) else []

    async def perform(w: Write[Code]) -> StaffPayload:
        assert isinstance(profile, UUID)
        member = await sql.staff_member(w.db, w.tenant, profile)
        if member is None:
            w.refuse(_NO_MEMBER)
        if not member["is_active"]:
            w.refuse(Problem("profileId", Code.ALREADY_INACTIVE, "Already deactivated."))
        row = await sql.deactivate(w.db, w.tenant, profile)  # last admin: profiles_last_admin
        assert row is not None
        w.prime("Profile", profile, row)
        return StaffPayload(profile=Profile.from_row(row))

    tenant = info.context.tenant_id
    return await STAFF.run(info, StaffPayload, perform, problems=problems, then=lambda p: _forget(tenant, profile, p))
