"""`auditEvents`: the clinic's audit trail for its admins, newest first."""

from __future__ import annotations

from typing import Annotated, cast
from uuid import UUID

import strawberry

from db import audit as sql
from db import reads
from db.expressions import AUDIT_NEWEST_FIRST
from db.pagination import slice_rows
from graph.compiled import roots as compiled
from graph.errors import BadUserInput
from graph.mutations import Info
from graph.paging import After, Before, First, Last, to_page
from graph.permissions import clinic_of
from graph.types.audit import AuditEvent, AuditEventFilter
from graph.types.connection import Connection, build_connection
from graph.types.node import from_global_id, uuid_of


def _key(global_id: str) -> UUID:
    _, key = from_global_id(global_id)
    try:
        return UUID(key)
    except ValueError:
        raise BadUserInput(f"{global_id!r} is not a valid ID") from None


async def audit_events(
    info: Info,
    first: First = None,
    after: After = None,
    last: Last = None,
    before: Before = None,
    filter: Annotated[AuditEventFilter | None, strawberry.argument(description="Conditions they meet.")] = None,
) -> Connection[AuditEvent]:
    """Writes to the clinic's clinical and financial records, newest first. Admins only."""
    f = filter or AuditEventFilter()
    page = to_page(AUDIT_NEWEST_FIRST, first, after, last, before)
    query = sql.events_query(
        clinic_of(info),
        None if f.record_id is None else _key(f.record_id),
        None if f.actor_id is None else uuid_of(f.actor_id, "Profile"),
        f.table_name,
        None if f.action is None else f.action.value,
        f.from_,
        f.to,
    )
    fast = await compiled.connection(info, query, AUDIT_NEWEST_FIRST, page)
    if fast is not None:
        return cast(Connection[AuditEvent], fast)
    db = info.context.db
    rows = await reads.list_page(db, query, AUDIT_NEWEST_FIRST, page, columns=AuditEvent.__vetql_table__.select_list)

    async def count() -> int:
        return await reads.list_count(db, query)

    return build_connection(slice_rows(rows, page), AUDIT_NEWEST_FIRST, AuditEvent.from_row, count)
