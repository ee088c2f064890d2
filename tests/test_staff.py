"""Clinics and their staff through the API: a clinic opened by the platform, staffed by invitation,
roles changed, members deactivated; each userError, roles, another clinic's ids, and the race of
two admins deactivating each other.

Every test opens clinics of its own with `createClinic`, as a real clinic would start.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import asyncpg
import pytest

from graph.types.node import from_global_id, to_global_id
from tests.conftest import GQL
from tests.world import World

Token = Callable[..., str]
ERRORS = "userErrors { field code message }"
CREATE_CLINIC = (
    "mutation($input: CreateClinicInput!) { createClinic(input: $input) {"
    " clinic { id slug name timezone subscriptionTier businessHours { day open close } featuresEnabled }"
    f" adminInvitationCode {ERRORS} }} }}"
)
INVITE = (
    "mutation($input: InviteStaffInput!) { inviteStaff(input: $input) {"
    f" invitation {{ id email role expiresAt acceptedAt invitedBy {{ id }} }} code {ERRORS} }} }}"
)
ACCEPT = f"mutation($input: AcceptInvitationInput!) {{ acceptInvitation(input: $input) {{ profileId role {ERRORS} }} }}"
CHANGE_ROLE = (
    f"mutation($input: ChangeStaffRoleInput!) {{ changeStaffRole(input: $input) {{ profile {{ id role isActive }}"
    f" {ERRORS} }} }}"
)
DEACTIVATE = (
    f"mutation($input: StaffMemberInput!) {{ deactivateStaff(input: $input) {{ profile {{ id role isActive }}"
    f" {ERRORS} }} }}"
)
VIEWER = "{ viewer { role profile { fullName } clinic { name } } }"


def codes(payload: dict[str, Any]) -> list[tuple[str | None, str]]:
    return [(e["field"], e["code"]) for e in payload["userErrors"]]


def platform(world: World, token: Token) -> str:
    return token(world.platform_user, None, "platform")


def pk(global_id: str) -> uuid.UUID:
    return uuid.UUID(from_global_id(global_id)[1])


async def open_clinic(gql: GQL, world: World, token: Token, **details: Any) -> tuple[str, uuid.UUID, str]:
    """A new clinic and its first admin, through the API alone: (slug, admin profile, admin token)."""
    slug = f"desk-{uuid.uuid4().hex[:10]}"
    data = await gql.data(
        CREATE_CLINIC,
        {"input": {"slug": slug, "details": {"name": "Clínica Nueva", **details},
                   "firstAdmin": {"email": f"admin@{slug}.py"}}},
        platform(world, token),
    )  # fmt: skip
    payload = data["createClinic"]
    assert payload["userErrors"] == [], payload
    accepted = await gql.data(
        ACCEPT, {"input": {"clinicSlug": slug, "code": payload["adminInvitationCode"], "fullName": "Primera Admin"}}
    )
    assert accepted["acceptInvitation"]["userErrors"] == []
    assert accepted["acceptInvitation"]["role"] == "ADMIN"
    admin = pk(accepted["acceptInvitation"]["profileId"])
    return slug, admin, token(admin, slug, "admin")


async def invite_and_accept(gql: GQL, slug: str, admin_token: str, role: str, name: str) -> uuid.UUID:
    email = f"{uuid.uuid4().hex[:8]}@{slug}.py"
    invited = await gql.data(INVITE, {"input": {"email": email, "role": role}}, admin_token)
    assert invited["inviteStaff"]["userErrors"] == []
    accepted = await gql.data(
        ACCEPT, {"input": {"clinicSlug": slug, "code": invited["inviteStaff"]["code"], "fullName": name}}
    )
    assert accepted["acceptInvitation"]["userErrors"] == [], accepted
    return pk(accepted["acceptInvitation"]["profileId"])


async def scalar(database_url: str, sql: str, *args: Any) -> Any:
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()


async def test_platform_opens_a_clinic_whose_first_admin_joins_with_the_code_once(
    gql: GQL, world: World, token: Token, database_url: str
) -> None:
    hours = [{"day": "MON", "open": "08:00", "close": "12:00"}]
    slug, _, admin_token = await open_clinic(
        gql, world, token, timezone="America/Asuncion", businessHours=hours, featuresEnabled=["ANESTHESIA"]
    )
    me = await gql.data(VIEWER, token=admin_token)
    assert me["viewer"] == {
        "role": "ADMIN",
        "profile": {"fullName": "Primera Admin"},
        "clinic": {"name": "Clínica Nueva"},
    }
    stored = await scalar(database_url, "SELECT code_hash FROM staff_invitations WHERE tenant_id = $1", slug)
    assert len(stored) == 64  # only the hash is kept
    # the admin now staffs the clinic and fills it through the API
    vet = await invite_and_accept(gql, slug, admin_token, "VET", "Dr. Nuevo")
    me = await gql.data(VIEWER, token=token(vet, slug, "vet"))
    assert me["viewer"]["role"] == "VET"


async def test_create_clinic_refuses_bad_input_and_other_roles(gql: GQL, world: World, token: Token) -> None:
    slug, _, admin_token = await open_clinic(gql, world, token)
    base = {"slug": f"x-{uuid.uuid4().hex[:8]}", "details": {"name": "X"}, "firstAdmin": {"email": "a@b.py"}}
    cases = [
        ({"slug": "No Vale!"}, [("slug", "INVALID")]),
        ({"slug": slug}, [("slug", "SLUG_TAKEN")]),
        ({"subscriptionTier": "platinum"}, [("subscriptionTier", "UNKNOWN_PLAN")]),
        ({"details": {"name": "  "}}, [("details.name", "REQUIRED"), ("details.name", "REQUIRED")]),
        ({"details": {"name": "X", "timezone": "Luna/Base"}}, [("details.timezone", "INVALID_TIMEZONE")]),
        ({"firstAdmin": {"email": "nadie"}}, [("firstAdmin.email", "INVALID_EMAIL")]),
        ({"expiresInHours": 0}, [("expiresInHours", "OUT_OF_RANGE")]),
    ]
    for change, expected in cases:
        data = await gql.data(CREATE_CLINIC, {"input": {**base, **change}}, platform(world, token))
        assert codes(data["createClinic"]) == expected, change
        assert data["createClinic"]["clinic"] is None
    for bearer in (admin_token, token(world.a.vet, world.a.tenant, "vet")):
        body = await gql(CREATE_CLINIC, {"input": base}, bearer)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_invitation_codes_are_single_use_expiring_and_of_one_clinic(
    gql: GQL, world: World, token: Token, database_url: str
) -> None:
    slug, _, admin_token = await open_clinic(gql, world, token)
    other, _, _ = await open_clinic(gql, world, token)
    invited = await gql.data(INVITE, {"input": {"email": f"vet@{slug}.py", "role": "VET"}}, admin_token)
    code = invited["inviteStaff"]["code"]
    assert invited["inviteStaff"]["invitation"]["role"] == "VET"
    wrong_clinic = await gql.data(ACCEPT, {"input": {"clinicSlug": other, "code": code, "fullName": "V"}})
    assert codes(wrong_clinic["acceptInvitation"]) == [("code", "INVALID_CODE")]
    garbage = await gql.data(ACCEPT, {"input": {"clinicSlug": slug, "code": "adivinado", "fullName": "V"}})
    assert codes(garbage["acceptInvitation"]) == [("code", "INVALID_CODE")]
    blank = await gql.data(ACCEPT, {"input": {"clinicSlug": slug, "code": code, "fullName": " "}})
    assert codes(blank["acceptInvitation"]) == [("fullName", "REQUIRED")]
    twice = await asyncio.gather(
        *(gql.data(ACCEPT, {"input": {"clinicSlug": slug, "code": code, "fullName": f"V{i}"}}) for i in range(3))
    )
    assert sorted(codes(r["acceptInvitation"]) == [] for r in twice) == [False, False, True]
    assert all(codes(r["acceptInvitation"]) in ([], [("code", "CODE_USED")]) for r in twice)
    assert await scalar(database_url, "SELECT count(*) FROM profiles WHERE tenant_id = $1 AND role = 'vet'", slug) == 1
    late = await gql.data(INVITE, {"input": {"email": f"tarde@{slug}.py", "role": "ADMIN"}}, admin_token)
    await scalar(database_url, "UPDATE staff_invitations SET expires_at = now() - interval '1 second'"
                 " WHERE tenant_id = $1 AND email = $2", slug, f"tarde@{slug}.py")  # fmt: skip
    expired = await gql.data(
        ACCEPT, {"input": {"clinicSlug": slug, "code": late["inviteStaff"]["code"], "fullName": "T"}}
    )
    assert codes(expired["acceptInvitation"]) == [("code", "CODE_EXPIRED")]


async def test_invite_staff_refuses_taken_emails_and_non_admins(gql: GQL, world: World, token: Token) -> None:
    slug, _, admin_token = await open_clinic(gql, world, token)
    vet = await invite_and_accept(gql, slug, admin_token, "VET", "Dra. Uno")
    taken = await gql.data(INVITE, {"input": {"email": f"ADMIN@{slug}.py", "role": "VET"}}, admin_token)
    assert codes(taken["inviteStaff"]) == [("email", "EMAIL_TAKEN")]
    bad = await gql.data(INVITE, {"input": {"email": "sin-arroba", "role": "VET"}}, admin_token)
    assert codes(bad["inviteStaff"]) == [("email", "INVALID_EMAIL")]
    for bearer in (token(vet, slug, "vet"), token(world.a.owners[0], world.a.tenant, "owner")):
        body = await gql(INVITE, {"input": {"email": "x@y.py", "role": "VET"}}, bearer)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_roles_change_but_the_last_admin_stays_and_other_clinics_are_out_of_reach(
    gql: GQL, world: World, token: Token
) -> None:
    slug, admin, admin_token = await open_clinic(gql, world, token)
    vet = await invite_and_accept(gql, slug, admin_token, "VET", "Dr. Ascenso")
    last = await gql.data(CHANGE_ROLE, {"input": {"profileId": to_global_id("Profile", admin), "role": "VET"}},
                          admin_token)  # fmt: skip
    assert codes(last["changeStaffRole"]) == [("profileId", "LAST_ADMIN")]
    up = await gql.data(CHANGE_ROLE, {"input": {"profileId": to_global_id("Profile", vet), "role": "ADMIN"}},
                        admin_token)  # fmt: skip
    assert up["changeStaffRole"]["profile"]["role"] == "ADMIN"
    # the old token (role vet) no longer matches the membership: refused at the next request
    response = await gql.raw(VIEWER, token=token(vet, slug, "vet"))
    assert response.status_code == 403
    assert (await gql.data(VIEWER, token=token(vet, slug, "admin")))["viewer"]["role"] == "ADMIN"
    for foreign in (world.a.vet, world.a.owners[0], uuid.uuid4()):
        refused = await gql.data(CHANGE_ROLE, {"input": {"profileId": to_global_id("Profile", foreign),
                                                         "role": "ADMIN"}}, admin_token)  # fmt: skip
        assert codes(refused["changeStaffRole"]) == [("profileId", "NOT_FOUND")]
    body = await gql(CHANGE_ROLE, {"input": {"profileId": to_global_id("Profile", vet), "role": "VET"}},
                     token(world.a.owners[0], world.a.tenant, "owner"))  # fmt: skip
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_deactivated_member_is_refused_at_their_next_request(gql: GQL, world: World, token: Token) -> None:
    slug, admin, admin_token = await open_clinic(gql, world, token)
    vet = await invite_and_accept(gql, slug, admin_token, "VET", "Dr. Saliente")
    vet_token = token(vet, slug, "vet")
    assert (await gql.data(VIEWER, token=vet_token))["viewer"]["role"] == "VET"
    gone = await gql.data(DEACTIVATE, {"input": {"profileId": to_global_id("Profile", vet)}}, admin_token)
    assert gone["deactivateStaff"]["profile"]["isActive"] is False
    assert (await gql.raw(VIEWER, token=vet_token)).status_code == 403
    again = await gql.data(DEACTIVATE, {"input": {"profileId": to_global_id("Profile", vet)}}, admin_token)
    assert codes(again["deactivateStaff"]) == [("profileId", "ALREADY_INACTIVE")]
    alone = await gql.data(DEACTIVATE, {"input": {"profileId": to_global_id("Profile", admin)}}, admin_token)
    assert codes(alone["deactivateStaff"]) == [("profileId", "LAST_ADMIN")]
    foreign = await gql.data(DEACTIVATE, {"input": {"profileId": to_global_id("Profile", world.a.vet)}}, admin_token)
    assert codes(foreign["deactivateStaff"]) == [("profileId", "NOT_FOUND")]


@pytest.mark.parametrize("attempt", range(3))
async def test_two_admins_deactivating_each_other_at_once_leave_one(
    gql: GQL, world: World, token: Token, database_url: str, attempt: int
) -> None:
    slug, first, first_token = await open_clinic(gql, world, token)
    second = await invite_and_accept(gql, slug, first_token, "ADMIN", "Segunda Admin")
    second_token = token(second, slug, "admin")
    results = await asyncio.gather(
        gql.data(DEACTIVATE, {"input": {"profileId": to_global_id("Profile", second)}}, first_token),
        gql.data(DEACTIVATE, {"input": {"profileId": to_global_id("Profile", first)}}, second_token),
        return_exceptions=True,
    )
    outcomes = []
    for r in results:
        if isinstance(r, BaseException):  # the loser may also be refused at the door, once the winner committed
            outcomes.append("refused")
        else:
            outcomes.append(
                "ok" if not r["deactivateStaff"]["userErrors"] else r["deactivateStaff"]["userErrors"][0]["code"]
            )
    assert sorted(outcomes) in (["LAST_ADMIN", "ok"], ["ok", "refused"])
    active = "SELECT count(*) FROM profiles WHERE tenant_id = $1 AND role = 'admin' AND is_active"
    assert await scalar(database_url, active, slug) == 1


async def test_the_database_keeps_an_admin_between_two_raw_transactions(
    gql: GQL, world: World, token: Token, database_url: str
) -> None:
    """The rule holds for every writer, not only the API: two REPEATABLE READ transactions, each taking away
    the other admin, interleaved by hand; the second fails and, retried, sees there would be no admin left."""
    slug, first, first_token = await open_clinic(gql, world, token)
    second = await invite_and_accept(gql, slug, first_token, "ADMIN", "Segunda Admin")
    one, two = await asyncpg.connect(database_url), await asyncpg.connect(database_url)
    try:
        t1 = one.transaction(isolation="repeatable_read")
        t2 = two.transaction(isolation="repeatable_read")
        await t1.start()
        await t2.start()
        await two.fetchval("SELECT 1")  # both snapshots taken before either change
        await one.execute("UPDATE profiles SET is_active = false WHERE tenant_id = $1 AND id = $2", slug, second)
        pending = asyncio.create_task(
            two.execute("UPDATE profiles SET is_active = false WHERE tenant_id = $1 AND id = $2", slug, first)
        )
        await asyncio.sleep(0.2)
        assert not pending.done()  # waits for the first
        await t1.commit()
        with pytest.raises(asyncpg.SerializationError):
            await pending
        await t2.rollback()
        with pytest.raises(asyncpg.CheckViolationError, match="at least one active admin"):
            await two.execute("UPDATE profiles SET is_active = false WHERE tenant_id = $1 AND id = $2", slug, first)
    finally:
        await one.close()
        await two.close()


INVITE_OWNER = (
    "mutation($input: InviteOwnerInput!) { inviteOwner(input: $input) {"
    f" invitation {{ id email role ownerProfile {{ id }} }} code {ERRORS} }} }}"
)
CREATE_OWNER = f"mutation($input: CreateOwnerInput!) {{ createOwner(input: $input) {{ owner {{ id }} {ERRORS} }} }}"


async def test_reception_invites_a_client_to_the_owner_app_who_then_sees_only_their_pets(
    gql: GQL, world: World, token: Token
) -> None:
    slug, _, admin_token = await open_clinic(gql, world, token)
    vet = await invite_and_accept(gql, slug, admin_token, "VET", "Dra. Recepción")
    staff = token(vet, slug, "vet")
    owners = []
    for name, email in (("Ana Cliente", f"ana@{slug}.py"), ("Beto Cliente", None)):
        made = await gql.data(CREATE_OWNER, {"input": {"fullName": name, "email": email}}, staff)
        owners.append(made["createOwner"]["owner"]["id"])
        await gql.data(
            "mutation($input: CreatePetInput!) { createPet(input: $input) { userErrors { code } } }",
            {"input": {"ownerId": owners[-1], "name": f"Mascota de {name}", "species": "CAT"}},
            staff,
        )
    no_email = await gql.data(INVITE_OWNER, {"input": {"ownerId": owners[1]}}, staff)
    assert codes(no_email["inviteOwner"]) == [("ownerId", "REQUIRED")]
    foreign = await gql.data(INVITE_OWNER, {"input": {"ownerId": to_global_id("Profile", world.a.owners[0])}}, staff)
    assert codes(foreign["inviteOwner"]) == [("ownerId", "NOT_FOUND")]
    invited = await gql.data(INVITE_OWNER, {"input": {"ownerId": owners[0]}}, staff)
    assert invited["inviteOwner"]["invitation"]["role"] == "OWNER"
    assert invited["inviteOwner"]["invitation"]["ownerProfile"]["id"] == owners[0]
    code = invited["inviteOwner"]["code"]
    accepted = await gql.data(ACCEPT, {"input": {"clinicSlug": slug, "code": code, "fullName": "Ana"}})
    assert accepted["acceptInvitation"] == {"profileId": owners[0], "role": "OWNER", "userErrors": []}
    again = await gql.data(ACCEPT, {"input": {"clinicSlug": slug, "code": code, "fullName": "Ana"}})
    assert codes(again["acceptInvitation"]) == [("code", "CODE_USED")]
    ana = token(pk(owners[0]), slug, "owner")
    mine = await gql.data("{ pets(first: 10) { edges { node { name } } } }", token=ana)
    assert [e["node"]["name"] for e in mine["pets"]["edges"]] == ["Mascota de Ana Cliente"]
    body = await gql(INVITE_OWNER, {"input": {"ownerId": owners[1]}}, ana)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
