"""Clinics and their staff: invitations, and the inputs and payloads of opening a clinic and managing its staff."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from domain.staff.errors import StaffErrorCode
from graph.table import TableRow, col, one, table
from graph.types.enums import Role
from graph.types.node import Node
from graph.types.people import Clinic, Profile
from graph.types.records_mutations import UpdateClinicInput
from graph.types.user_errors import UserError, user_error

strawberry.enum(StaffErrorCode, description="Why a clinic or staff mutation refused some input.")


@user_error("StaffUserError", field="Path of the offending input, e.g. `firstAdmin.email`.")
class StaffUserError(UserError[StaffErrorCode]):
    pass


@strawberry.enum(description="A role staff can be invited to or given.")
class StaffRole(Enum):
    VET = "vet"
    ADMIN = "admin"


@table("staff_invitations")
@strawberry.type(
    description="An invitation to a clinic: to its staff (seen by its admins) or, for a client, to the owner app "
    "(seen by its staff)."
)
class StaffInvitation(Node, TableRow):
    email: str = col(description="Whom it was sent to.")
    role: Role = col(description="The role the invitee gets: VET, ADMIN, or OWNER (a client, for the owner app).")
    expires_at: datetime = col(description="After this the code no longer works.")
    accepted_at: datetime | None = col(description="When it was accepted; a code works once.")
    created_at: datetime = col(description="When it was sent.")
    invited_by: Profile | None = one("invited_by", description="The admin who invited (null: the platform).")
    accepted_profile: Profile | None = one("accepted_profile", description="The profile that accepted it.")
    owner_profile: Profile | None = one("owner_profile", description="An owner's invitation: the client invited.")


@strawberry.input(description="Who opens the clinic as its first admin.")
class FirstAdminInput:
    email: str = strawberry.field(description="E-mail the invitation code goes to.")


@strawberry.input(description="A new clinic. Platform only.")
class CreateClinicInput:
    slug: str = strawberry.field(description="Its tenant id in tokens, e.g. clinica-san-roque (2-63 of a-z 0-9 - _).")
    subscription_tier: str = strawberry.field(default="basic", description="Id of its subscription plan.")
    details: UpdateClinicInput = strawberry.field(
        description="Name (required), contact, time zone, hours, booking and notification settings, features: "
        "as `updateClinic` takes them."
    )
    first_admin: FirstAdminInput = strawberry.field(description="Its first admin, invited with a code.")
    expires_in_hours: int | None = strawberry.field(default=None, description="How long the code works (1-720 h).")


@strawberry.type(description="Result of `createClinic`.")
class CreateClinicPayload:
    clinic: Clinic | None = strawberry.field(default=None, description="The new clinic; null on error.")
    admin_invitation_code: str | None = strawberry.field(
        default=None, description="The first admin's single-use code (shown once; only its hash is kept)."
    )
    user_errors: list[StaffUserError] = strawberry.field(default_factory=list, description="What to fix.")


@strawberry.input(description="An invitation to the caller's clinic.")
class InviteStaffInput:
    email: str = strawberry.field(description="E-mail the code goes to; nobody of the clinic may have it yet.")
    role: StaffRole = strawberry.field(description="VET or ADMIN.")
    expires_in_hours: int | None = strawberry.field(default=None, description="How long the code works (1-720 h).")


@strawberry.type(description="Result of `inviteStaff`.")
class InvitationPayload:
    invitation: StaffInvitation | None = strawberry.field(default=None, description="The invitation; null on error.")
    code: str | None = strawberry.field(
        default=None, description="The single-use code to send the invitee (shown once; only its hash is kept)."
    )
    user_errors: list[StaffUserError] = strawberry.field(default_factory=list, description="What to fix.")


@strawberry.input(description="Accepting an invitation: the code is the credential, no token needed.")
class AcceptInvitationInput:
    clinic_slug: str = strawberry.field(description="The clinic's id, as in the invitation.")
    code: str = strawberry.field(description="The code from the invitation.")
    full_name: str = strawberry.field(
        description="Your name as the clinic will show it (a client keeps the name the clinic registered)."
    )


@strawberry.type(description="Result of `acceptInvitation`.")
class AcceptInvitationPayload:
    profile_id: strawberry.ID | None = strawberry.field(
        default=None, description="Your new profile (the `sub` your tokens for this clinic carry)."
    )
    role: Role | None = strawberry.field(default=None, description="Your role in the clinic.")
    user_errors: list[StaffUserError] = strawberry.field(default_factory=list, description="What to fix.")


@strawberry.input(description="A client invited to the owner app, where they see only their own pets.")
class InviteOwnerInput:
    owner_id: strawberry.ID = strawberry.field(description="The client (a Profile ID); the code goes to their e-mail.")
    expires_in_hours: int | None = strawberry.field(default=None, description="How long the code works (1-720 h).")


@strawberry.input(description="A staff member's new role.")
class ChangeStaffRoleInput:
    profile_id: strawberry.ID = strawberry.field(description="The vet or admin.")
    role: StaffRole = strawberry.field(description="VET or ADMIN.")


@strawberry.input(description="Which staff member.")
class StaffMemberInput:
    profile_id: strawberry.ID = strawberry.field(description="The vet or admin.")


@strawberry.type(description="Result of a staff change.")
class StaffPayload:
    profile: Profile | None = strawberry.field(default=None, description="The member after the change.")
    user_errors: list[StaffUserError] = strawberry.field(default_factory=list, description="What to fix.")
