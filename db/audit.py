"""SQL of the audit trail's list (the trail itself is written by migration 0022's triggers)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from db.reads import ListQuery


def events_query(
    tenant: str,
    record: UUID | None,
    actor: UUID | None,
    table_name: str | None,
    action: str | None,
    start: datetime | None,
    end: datetime | None,
) -> ListQuery:
    conditions = ["c.tenant_id = :tenant"]
    params: dict[str, Any] = {"tenant": tenant}
    for column, name, value in (("record_id", "record", record), ("actor_id", "actor", actor),
                                ("table_name", "table_name", table_name), ("action", "action", action)):  # fmt: skip
        if value is not None:
            conditions.append(f"c.{column} = :{name}")
            params[name] = value
    if start is not None:
        conditions.append("c.occurred_at >= :start")
        params["start"] = start
    if end is not None:
        conditions.append("c.occurred_at < :end")
        params["end"] = end
    return ListQuery("audit_events", " AND ".join(conditions), params)
