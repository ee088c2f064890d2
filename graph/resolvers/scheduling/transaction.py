"""How a scheduling mutation runs: one transaction, retried on a serialization failure, committed on success."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar
from uuid import UUID

import strawberry

from db import scheduling as sql
from db.session import DbError
from domain.scheduling.errors import SchedulingErrorCode as Code
from domain.scheduling.rules import Problem
from graph.context import Context
from graph.resolvers.scheduling.checks import ROOM_NAME_TAKEN, VET_BOOKED, tenant
from graph.resolvers.user_errors import user_errors
from graph.types.scheduling import Appointment
from graph.types.scheduling_mutations import AppointmentPayload, SchedulingUserError

P = TypeVar("P")
Info = strawberry.Info[Context, None]
ATTEMPTS = 6

# A failed statement names its constraint; these are the ones a user can fix.
CONSTRAINTS: dict[tuple[str, str], Problem] = {
    ("23P01", "room_assignments_capacity"): Problem("roomId", Code.ROOM_FULL, "The room is fully booked at that time."),
    ("23P01", "appointments_vet_no_overlap"): VET_BOOKED,
    ("23505", "exam_rooms_name_key"): ROOM_NAME_TAKEN,
    ("23514", "room_assignments_room_active"): Problem("roomId", Code.ROOM_INACTIVE, "The room is not in use."),
    ("23514", "appointments_status_transition"): Problem(
        "appointmentId", Code.INVALID_TRANSITION, "The appointment cannot move to that status."
    ),
    ("23514", "appointments_cancellation_window"): Problem(
        "appointmentId", Code.CANCELLATION_WINDOW, "Too late to cancel; please call the clinic."
    ),
}


def errors(problems: list[Problem]) -> list[SchedulingUserError]:
    return user_errors(problems, SchedulingUserError)


async def run(
    info: Info,
    body: Callable[[], Awaitable[P]],
    fail: Callable[[list[Problem]], P],
    overrides: dict[str, Problem] | None = None,
) -> P:
    """`body` in one transaction, retried after a serialization failure; a constraint a
    user can fix becomes a userError, with everything the attempt wrote rolled back."""
    db = info.context.db
    for attempt in range(ATTEMPTS):
        try:
            result = await body()
            if getattr(result, "user_errors", None):
                await db.close()  # nothing of a refused mutation stays, whatever follows in the request
            return result
        except DbError as exc:
            state, constraint = sql.sqlstate(exc)
            await db.close()
            if state in sql.RETRYABLE and attempt < ATTEMPTS - 1:
                await asyncio.sleep(random.uniform(0, 0.01 * 2**attempt))  # noqa: S311 (jitter, not a secret)
                continue
            known = (overrides or {}).get(constraint or "") or CONSTRAINTS.get((state or "", constraint or ""))
            if known is None:
                raise
            return fail([known])
    raise AssertionError("unreachable")


def appointment_refused(problems: list[Problem]) -> AppointmentPayload:
    return AppointmentPayload(appointment=None, user_errors=errors(problems))


async def appointment_done(info: Info, appointment_id: UUID) -> AppointmentPayload:
    """Commit, and return the appointment as stored (triggers may have changed it)."""
    row = await sql.appointment(info.context.db, tenant(info), appointment_id)
    assert row is not None
    await info.context.db.commit()
    return AppointmentPayload(appointment=Appointment.from_row(row), user_errors=[])
