"""Who the demo clinic's ready-made users are (an admin, a vet, an owner), for development tokens."""

from __future__ import annotations

import uuid
from typing import Any

# Read as the migrating login (the embedded server's superuser): development only. A login that has
# nothing but membership in vetql_app sees no profiles here, so no demo token is offered.
DEMO_USERS_SQL = """
SELECT role, id FROM (
  SELECT p.role, p.id, row_number() OVER (
           PARTITION BY p.role
           ORDER BY (p.role = 'owner' AND EXISTS (
                      SELECT 1 FROM pets x JOIN anesthesia_logs l ON l.tenant_id = x.tenant_id AND l.pet_id = x.id
                      WHERE x.tenant_id = p.tenant_id AND x.owner_id = p.id)) DESC,
                    p.created_at, p.id) AS n
  FROM profiles p
  WHERE p.tenant_id = $1 AND p.role IN ('admin', 'vet', 'owner')
) ranked WHERE n = 1
"""


def demo_users(rows: list[Any]) -> dict[str, uuid.UUID]:
    """role -> profile id, from the rows of DEMO_USERS_SQL (an owner with a surgery first)."""
    return {str(row[0]): row[1] for row in rows}


async def demo_users_in(engine: Any, tenant: str) -> dict[str, uuid.UUID]:
    """`demo_users` read through the pool's login (development only); empty when it may not read them."""
    from sqlalchemy import text

    async with engine.connect() as conn:
        rows = (await conn.execute(text(DEMO_USERS_SQL.replace("$1", ":t")), {"t": tenant})).all()
        await conn.rollback()
    return demo_users(list(rows))
