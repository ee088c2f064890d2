"""Exam rooms: create and edit them; assign, move and release an appointment's room."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

import strawberry

from db import scheduling as sql
from db.session import Row
from domain.scheduling.errors import SchedulingErrorCode as Code
from domain.scheduling.rules import Problem
from graph.context import Context
from graph.resolvers.scheduling.checks import ROOM_NAME_TAKEN, me, room_fits, tenant, uuid
from graph.resolvers.scheduling.transaction import appointment_done, appointment_refused, errors, run
from graph.types.scheduling import ExamRoom
from graph.types.scheduling_mutations import (
    AppointmentPayload,
    AssignRoomInput,
    CreateExamRoomInput,
    ExamRoomPayload,
    ReleaseRoomInput,
    UpdateExamRoomInput,
)

Info = strawberry.Info[Context, None]
MAX_EQUIPMENT = 50
MAX_NAME = 100


def _room_refused(problems: list[Problem]) -> ExamRoomPayload:
    return ExamRoomPayload(exam_room=None, user_errors=errors(problems))


def _room_problems(
    name: str | None, capacity: int | None, equipment: list[str] | None, display_order: int | None
) -> list[Problem]:
    problems = []
    if name is not None and not 1 <= len(name.strip()) <= MAX_NAME:
        problems.append(Problem("name", Code.INVALID, f"name: 1 to {MAX_NAME} characters."))
    if capacity is not None and not 1 <= capacity <= 50:
        problems.append(Problem("capacity", Code.INVALID, "capacity: 1 to 50."))
    if equipment is not None:
        if len(equipment) > MAX_EQUIPMENT:
            problems.append(Problem("equipment", Code.TOO_MANY, f"At most {MAX_EQUIPMENT} items of equipment."))
        elif any(not 1 <= len(e.strip()) <= MAX_NAME for e in equipment):
            problems.append(Problem("equipment", Code.INVALID, f"Each item: 1 to {MAX_NAME} characters."))
    if display_order is not None and not -10_000 <= display_order <= 10_000:
        problems.append(Problem("displayOrder", Code.INVALID, "displayOrder: -10000 to 10000."))
    return problems


async def create_exam_room(
    info: Info,
    input: Annotated[CreateExamRoomInput, strawberry.argument(description="The new room.")],
) -> ExamRoomPayload:
    """Add a room to the clinic."""
    clinic_id = tenant(info)
    problems = _room_problems(input.name, input.capacity, input.equipment, input.display_order)
    if problems:
        return _room_refused(problems)

    async def body() -> ExamRoomPayload:
        row = await sql.insert_room(
            info.context.db,
            clinic_id,
            {
                "name": input.name.strip(),
                "room_type": input.room_type.value,
                "capacity": input.capacity,
                "equipment": [e.strip() for e in input.equipment],
                "display_order": input.display_order,
            },
        )
        if row is None:
            return _room_refused([ROOM_NAME_TAKEN])
        await info.context.db.commit()
        return ExamRoomPayload(exam_room=ExamRoom.from_row(row), user_errors=[])

    return await run(info, body, _room_refused)


async def update_exam_room(
    info: Info,
    input: Annotated[UpdateExamRoomInput, strawberry.argument(description="The room and what changes.")],
) -> ExamRoomPayload:
    """Rename, re-equip, resize, reorder or deactivate a room."""
    clinic_id = tenant(info)
    room_id = uuid(input.exam_room_id, "ExamRoom", "examRoomId")
    problems = [room_id] if isinstance(room_id, Problem) else []
    problems += _room_problems(input.name, input.capacity, input.equipment, input.display_order)
    if problems or not isinstance(room_id, UUID):
        return _room_refused(problems)
    values: dict[str, Any] = {}
    if input.name is not None:
        values["name"] = input.name.strip()
    if input.room_type is not None:
        values["room_type"] = input.room_type.value
    if input.capacity is not None:
        values["capacity"] = input.capacity
    if input.equipment is not None:
        values["equipment"] = [e.strip() for e in input.equipment]
    if input.display_order is not None:
        values["display_order"] = input.display_order
    if input.is_active is not None:
        values["is_active"] = input.is_active
    db = info.context.db

    async def body() -> ExamRoomPayload:
        current = await sql.room(db, clinic_id, room_id, lock=True)
        if current is None:
            return _room_refused([Problem("examRoomId", Code.NOT_FOUND, "No such room.")])
        if "name" in values and await sql.room_name_taken(db, clinic_id, values["name"], room_id):
            return _room_refused([ROOM_NAME_TAKEN])
        deactivating = values.get("is_active") is False and current["is_active"]
        if deactivating and await sql.room_peak(db, clinic_id, room_id, datetime.now(UTC), None) > 0:
            return _room_refused(
                [Problem("isActive", Code.ROOM_IN_USE, "Appointments are booked in this room; move them first.")]
            )
        row = await sql.update_room(db, clinic_id, room_id, values) if values else current
        assert row is not None
        await db.commit()
        return ExamRoomPayload(exam_room=ExamRoom.from_row(row), user_errors=[])

    capacity_taken = Problem(
        "capacity", Code.ROOM_IN_USE, "More appointments are booked in this room than that capacity."
    )
    return await run(info, body, _room_refused, {"room_assignments_capacity": capacity_taken})


async def _appointment_for_room(info: Info, global_id: str) -> Row | Problem:
    appointment_id = uuid(global_id, "Appointment", "appointmentId")
    if isinstance(appointment_id, Problem):
        return appointment_id
    row = await sql.appointment(info.context.db, tenant(info), appointment_id, lock=True)
    if row is None:
        return Problem("appointmentId", Code.NOT_FOUND, "No such appointment.")
    if row["status"] in ("cancelled", "no_show", "completed"):
        return Problem("appointmentId", Code.INVALID_TRANSITION, f"The appointment is {row['status']}.")
    return row


async def _assign(info: Info, input: AssignRoomInput, *, moving: bool) -> AppointmentPayload:
    room_id = uuid(input.room_id, "ExamRoom", "roomId")
    appointment = await _appointment_for_room(info, input.appointment_id)
    problems = [p for p in (appointment, room_id) if isinstance(p, Problem)]
    if problems or isinstance(appointment, Problem) or isinstance(room_id, Problem):
        return appointment_refused(problems)
    clinic_id, db = tenant(info), info.context.db
    if moving and appointment["room_id"] is None:
        return appointment_refused([Problem("appointmentId", Code.NO_ROOM_ASSIGNED, "It holds no room to move.")])
    if not moving and appointment["room_id"] is not None:
        return appointment_refused(
            [Problem("appointmentId", Code.ALREADY_ASSIGNED, "It already holds a room; use moveRoom.")]
        )
    if appointment["room_id"] == room_id:
        return appointment_refused([Problem("roomId", Code.INVALID, "It is already in that room.")])
    if moving:
        await sql.release(db, clinic_id, appointment["id"])
    problem = await room_fits(info, room_id, appointment["start_time"], appointment["end_time"])
    if problem is not None:
        return appointment_refused([problem])
    await sql.assign(db, clinic_id, appointment["id"], room_id, me(info))
    return await appointment_done(info, appointment["id"])


async def assign_room(
    info: Info,
    input: Annotated[AssignRoomInput, strawberry.argument(description="The appointment and the room.")],
) -> AppointmentPayload:
    """Put an appointment in a room, if the room has space for its whole time."""
    return await run(info, lambda: _assign(info, input, moving=False), appointment_refused)


async def move_room(
    info: Info,
    input: Annotated[AssignRoomInput, strawberry.argument(description="The appointment and its new room.")],
) -> AppointmentPayload:
    """Move an appointment to another room: the old one is released in the same transaction."""
    return await run(info, lambda: _assign(info, input, moving=True), appointment_refused)


async def release_room(
    info: Info,
    input: Annotated[ReleaseRoomInput, strawberry.argument(description="The appointment.")],
) -> AppointmentPayload:
    """Free the room an appointment holds."""

    async def body() -> AppointmentPayload:
        appointment = await _appointment_for_room(info, input.appointment_id)
        if isinstance(appointment, Problem):
            return appointment_refused([appointment])
        if not await sql.release(info.context.db, tenant(info), appointment["id"]):
            return appointment_refused([Problem("appointmentId", Code.NO_ROOM_ASSIGNED, "It holds no room.")])
        return await appointment_done(info, appointment["id"])

    return await run(info, body, appointment_refused)
