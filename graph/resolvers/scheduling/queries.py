"""`appointments` and `examRooms`: the clinic's schedule and rooms."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, cast

import strawberry

from db import reads, scheduling
from db.expressions import APPOINTMENTS_BY_START
from db.pagination import slice_rows
from graph.compiled import roots as compiled
from graph.context import Context
from graph.errors import BadUserInput
from graph.paging import After, Before, First, Last, to_page
from graph.types.connection import Connection, build_connection
from graph.types.enums import AppointmentStatus
from graph.types.node import uuid_of
from graph.types.scheduling import Appointment, ExamRoom


@strawberry.input(description="Narrows the schedule. All given conditions must hold.")
class AppointmentFilter:
    starts_from: datetime | None = strawberry.field(default=None, description="Starting at or after this instant.")
    starts_before: datetime | None = strawberry.field(default=None, description="Starting before this instant.")
    status: list[AppointmentStatus] | None = strawberry.field(default=None, description="Any of these statuses.")
    pet_id: strawberry.ID | None = strawberry.field(default=None, description="Only this pet's appointments.")
    room_id: strawberry.ID | None = strawberry.field(default=None, description="Only appointments in this room.")


def _query(tenant: str, where: AppointmentFilter | None) -> reads.ListQuery:
    if where is None:
        return scheduling.appointment_list_query(tenant)
    if where.starts_from and where.starts_before and where.starts_before <= where.starts_from:
        raise BadUserInput("startsBefore must be after startsFrom")
    return scheduling.appointment_list_query(
        tenant,
        starts_from=where.starts_from,
        starts_before=where.starts_before,
        statuses=None if where.status is None else [s.value for s in where.status],
        pet=None if where.pet_id is None else uuid_of(where.pet_id, "Pet"),
        room=None if where.room_id is None else uuid_of(where.room_id, "ExamRoom"),
    )


async def appointments(
    info: strawberry.Info[Context, None],
    first: First = None,
    after: After = None,
    last: Last = None,
    before: Before = None,
    filter: Annotated[
        AppointmentFilter | None, strawberry.argument(description="Conditions the appointments must meet.")
    ] = None,
) -> Connection[Appointment]:
    """The clinic's appointments by start time (an owner: their pets'), a page at a time."""
    page = to_page(APPOINTMENTS_BY_START, first, after, last, before)
    ctx = info.context
    rows = []
    query = None
    if ctx.tenant_id is not None:
        query = _query(ctx.tenant_id, filter)
        if ctx.compiled:
            fast = await compiled.connection(info, query, APPOINTMENTS_BY_START, page)
            if fast is not None:  # plain data all the way down: JSON straight from SQL
                return cast(Connection[Appointment], fast)
        rows = await reads.list_page(ctx.db, query, APPOINTMENTS_BY_START, page)

    async def count() -> int:
        return 0 if query is None else await reads.list_count(ctx.db, query)

    return build_connection(slice_rows(rows, page), APPOINTMENTS_BY_START, Appointment.from_row, count)


async def exam_rooms(
    info: strawberry.Info[Context, None],
    include_inactive: Annotated[bool, strawberry.argument(description="Also rooms taken out of use.")] = False,
) -> list[ExamRoom]:
    """The clinic's rooms in display order. Staff only: empty for others."""
    tenant = info.context.tenant_id
    if tenant is None:
        return []
    return await compiled.listed(info, scheduling.room_list(tenant, include_inactive), ExamRoom)
