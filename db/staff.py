"""SQL of clinics and staff: opening a clinic, invitations and their acceptance, roles, deactivation."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from db.session import RequestDb, Row


async def insert_clinic(db: RequestDb, slug: str, name: str, tier: str) -> Row:
    """A new clinic (the platform's policy allows it); the rest of its settings through records.update_clinic."""
    row = await db.fetch_one(
        "INSERT INTO tenants AS c (id, name, subscription_tier) VALUES (:slug, :name, :tier) RETURNING c.*",
        {"slug": slug, "name": name, "tier": tier},
    )
    assert row is not None
    return row


async def insert_invitation(
    db: RequestDb,
    tenant: str,
    invitation: UUID,
    email: str,
    role: str,
    code_hash: str,
    expires_at: datetime,
    invited_by: UUID | None,
    owner_profile: UUID | None = None,
) -> None:
    """An invitation; no RETURNING, since the platform (which invites a first admin) may write but not read it."""
    await db.fetch(
        "INSERT INTO staff_invitations (tenant_id, id, email, role, code_hash, expires_at, invited_by, owner_profile)"
        " VALUES (:tenant, :id, lower(:email), :role, :hash, :expires, :by, :owner)",
        {
            "tenant": tenant,
            "id": invitation,
            "email": email,
            "role": role,
            "hash": code_hash,
            "expires": expires_at,
            "by": invited_by,
            "owner": owner_profile,
        },
    )


async def invitation(db: RequestDb, tenant: str, invitation: UUID) -> Row | None:
    return await db.fetch_one(
        "SELECT c.* FROM staff_invitations c WHERE c.tenant_id = :tenant AND c.id = :id",
        {"tenant": tenant, "id": invitation},
    )


async def email_in_use(db: RequestDb, tenant: str, email: str) -> bool:
    row = await db.fetch_one(
        "SELECT true AS taken FROM profiles WHERE tenant_id = :tenant AND lower(email) = lower(:email)",
        {"tenant": tenant, "email": email},
    )
    return row is not None


async def accept_invitation(db: RequestDb, tenant: str, code_hash: str, full_name: str) -> Row:
    """(outcome, profile_id, role): 'accepted' with the new profile and its role, or 'unknown' | 'used' |
    'expired' (through vetql.accept_invitation: the caller has no claims of the clinic yet)."""
    row = await db.fetch_one(
        "SELECT outcome, profile_id, role FROM vetql.accept_invitation(:tenant, :hash, :name)",
        {"tenant": tenant, "hash": code_hash, "name": full_name},
    )
    assert row is not None
    return row


async def staff_member(db: RequestDb, tenant: str, profile: UUID) -> Row | None:
    """A vet or admin of the clinic, locked for the change."""
    return await db.fetch_one(
        "SELECT c.* FROM profiles c WHERE c.tenant_id = :tenant AND c.id = :id AND c.role IN ('vet', 'admin')"
        " FOR UPDATE",
        {"tenant": tenant, "id": profile},
    )


async def set_role(db: RequestDb, tenant: str, profile: UUID, role: str) -> Row | None:
    """A staff member's new role (vetql.keep_an_admin refuses taking the last admin away)."""
    return await db.fetch_one(
        "UPDATE profiles c SET role = :role, updated_at = now() WHERE c.tenant_id = :tenant AND c.id = :id"
        " AND c.role IN ('vet', 'admin') RETURNING c.*",
        {"tenant": tenant, "id": profile, "role": role},
    )


async def deactivate(db: RequestDb, tenant: str, profile: UUID) -> Row | None:
    return await db.fetch_one(
        "UPDATE profiles c SET is_active = false, updated_at = now() WHERE c.tenant_id = :tenant AND c.id = :id"
        " AND c.role IN ('vet', 'admin') RETURNING c.*",
        {"tenant": tenant, "id": profile},
    )


async def client(db: RequestDb, tenant: str, owner: UUID) -> Row | None:
    """A client (owner profile) of the clinic, with whether it is archived and its e-mail."""
    return await db.fetch_one(
        "SELECT c.id, c.email, c.archived_at FROM profiles c WHERE c.tenant_id = :tenant AND c.id = :id"
        " AND c.role = 'owner'",
        {"tenant": tenant, "id": owner},
    )
