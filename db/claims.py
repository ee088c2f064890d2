"""Who is asking: the verified claims a transaction runs under (what row-level security reads), and the roles."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

ROLES = ("owner", "vet", "admin", "platform")
STAFF_ROLES = ("vet", "admin")


@dataclass(frozen=True, slots=True)
class Claims:
    """The verified identity of a request: what RLS policies read."""

    sub: uuid.UUID
    role: str
    tenant_id: str | None
    exp: int

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    def as_json_claims(self) -> dict[str, Any]:
        claims: dict[str, Any] = {"sub": str(self.sub), "role": self.role, "exp": self.exp}
        if self.tenant_id is not None:
            claims["tenant_id"] = self.tenant_id
        return claims
