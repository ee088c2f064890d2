"""The audit trail: who changed which clinical or financial record, when, and how."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from db import expressions as x
from graph.table import TableRow, col, computed, one, table
from graph.types.node import Node

if TYPE_CHECKING:
    from graph.types.people import Profile

LazyProfile = Annotated["Profile", strawberry.lazy("graph.types.people")]


@strawberry.enum(description="What a write did to a record.")
class AuditAction(Enum):
    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"


@table("audit_events")
@strawberry.type(description="One write to a clinical or financial record, appended in the same transaction. "
                 "Admins only; never edited.")  # fmt: skip
class AuditEvent(Node, TableRow):
    occurred_at: datetime = col(description="When.")
    actor: LazyProfile | None = one("actor_id", description="Who (null: a script without a token).")
    actor_role: str | None = col(description="The role they acted in: vet, admin, owner.")
    table_name: str = col(description="The table written, e.g. invoices.")
    record_type: str | None = computed(x.AUDIT_RECORD_TYPE, description="The record's GraphQL type, e.g. Invoice.")
    record_id: strawberry.ID = computed(x.AUDIT_RECORD_ID, description="The record's global ID.")
    action: AuditAction = col(description="What the write did to the record.")
    changes: JSON = col(
        description="Changed fields by column: {\"status\": {\"old\": \"draft\", \"new\": \"sent\"}}; "
        "an insert has only `new`, a delete only `old`."
    )


@strawberry.input(description="Narrows the audit trail; all given conditions hold.")
class AuditEventFilter:
    record_id: strawberry.ID | None = strawberry.field(default=None, description="Only this record's (global ID).")
    actor_id: strawberry.ID | None = strawberry.field(default=None, description="Only this person's (Profile).")
    table_name: str | None = strawberry.field(default=None, description="Only this table's, e.g. payments.")
    action: AuditAction | None = strawberry.field(default=None, description="Only this action.")
    from_: datetime | None = strawberry.field(default=None, name="from", description="At or after this instant.")
    to: datetime | None = strawberry.field(default=None, description="Before this instant.")
