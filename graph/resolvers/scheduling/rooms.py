"""Exam rooms: create and edit them; assign, move and release an appointment's room."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

import strawberry

from db import scheduling as sql
from db.session import Row
from domain.problems import Problem
from domain.scheduling.errors import ROOM_NAME_TAKEN
from domain.scheduling.errors import SchedulingErrorCode as Code
from graph.mutations import Info, Write
from graph.resolvers.scheduling.checks import SCHEDULING, appointment_done, room_fits
from graph.types.scheduling import ExamRoom
from graph.types.scheduling_mutations import (
    AppointmentPayload,
    AssignRoomInput,
    CreateExamRoomInput,
    ExamRoomPayload,
    ReleaseRoomInput,
    UpdateExamRoomInput,
)

MAX_EQUIPMENT = 50
MAX_NAME = 100
# Shrinking a room below what is booked in it trips the capacity rule: here that is the new capacity's fault.
_CAPACITY_TAKEN = {
    "room_assignments_capacity": Problem(
        "capacity", Code.ROOM_IN_USE, "More appointments are booked in this room than that capacity."
    )
}


def _saved(w: Write[Code], row: Row) -> ExamRoomPayload:
    w.prime("ExamRoom", row["id"], row)
    return ExamRoomPayload(exam_room=ExamRoom.from_row(row))


def _room_problems(
    name: str | None, capacity: int | None, equipment: list[str] | None, display_order: int | None
) -> list[Problem[Code]]:
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
    problems = _room_problems(input.name, input.capacity, input.equipment, input.display_order)
    values = {
        "name": input.name.strip(),
        "room_type": input.room_type.value,
        "capacity": input.capacity,
        "equipment": [e.strip() for e in input.equipment],
        "display_order": input.display_order,
    }

    async def perform(w: Write[Code]) -> ExamRoomPayload:
        row = await sql.insert_room(w.db, w.tenant, values)
        if row is None:
            w.refuse(ROOM_NAME_TAKEN)
        return _saved(w, row)

    return await SCHEDULING.run(info, ExamRoomPayload, perform, problems=problems)


async def update_exam_room(
    info: Info,
    input: Annotated[UpdateExamRoomInput, strawberry.argument(description="The room and what changes.")],
) -> ExamRoomPayload:
    """Rename, re-equip, resize, reorder or deactivate a room."""
    room_id = SCHEDULING.id(input.exam_room_id, "ExamRoom", "examRoomId")
    problems = [room_id] if isinstance(room_id, Problem) else []
    problems += _room_problems(input.name, input.capacity, input.equipment, input.display_order)
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

    async def perform(w: Write[Code]) -> ExamRoomPayload:
        assert isinstance(room_id, UUID)
        current = await sql.room(w.db, w.tenant, room_id, lock=True)
        if current is None:
            w.refuse(Problem("examRoomId", Code.NOT_FOUND, "No such room."))
        if "name" in values and await sql.room_name_taken(w.db, w.tenant, values["name"], room_id):
            w.refuse(ROOM_NAME_TAKEN)
        deactivating = values.get("is_active") is False and current["is_active"]
        if deactivating and await sql.room_peak(w.db, w.tenant, room_id, datetime.now(UTC), None) > 0:
            w.refuse(Problem("isActive", Code.ROOM_IN_USE, "Appointments are booked in this room; move them first."))
        row = await sql.update_room(w.db, w.tenant, room_id, values) if values else current
        assert row is not None
        return _saved(w, row)

    return await SCHEDULING.run(info, ExamRoomPayload, perform, problems=problems, constraints=_CAPACITY_TAKEN)


async def _appointment_for_room(w: Write[Code], global_id: str) -> Row | Problem[Code]:
    appointment_id = SCHEDULING.id(global_id, "Appointment", "appointmentId")
    if isinstance(appointment_id, Problem):
        return appointment_id
    row = await sql.appointment(w.db, w.tenant, appointment_id, lock=True)
    if row is None:
        return Problem("appointmentId", Code.NOT_FOUND, "No such appointment.")
    if row["status"] in ("cancelled", "no_show", "completed"):
        return Problem("appointmentId", Code.INVALID_TRANSITION, f"The appointment is {row['status']}.")
    return row


async def _assign(info: Info, input: AssignRoomInput, *, moving: bool) -> AppointmentPayload:
    room_id = SCHEDULING.id(input.room_id, "ExamRoom", "roomId")

    async def perform(w: Write[Code]) -> AppointmentPayload:
        appointment = await _appointment_for_room(w, input.appointment_id)
        problems = [p for p in (appointment, room_id) if isinstance(p, Problem)]
        if problems or isinstance(appointment, Problem) or isinstance(room_id, Problem):
            w.refuse(*problems)
        if moving and appointment["room_id"] is None:
            w.refuse(Problem("appointmentId", Code.NO_ROOM_ASSIGNED, "It holds no room to move."))
        if not moving and appointment["room_id"] is not None:
            w.refuse(Problem("appointmentId", Code.ALREADY_ASSIGNED, "It already holds a room; use moveRoom."))
        if appointment["room_id"] == room_id:
            w.refuse(Problem("roomId", Code.INVALID, "It is already in that room."))
        if moving:
            await sql.release(w.db, w.tenant, appointment["id"])
        problem = await room_fits(w, room_id, appointment["start_time"], appointment["end_time"])
        if problem is not None:
            w.refuse(problem)
        await sql.assign(w.db, w.tenant, appointment["id"], room_id, w.by)
        return await appointment_done(w, appointment["id"])

    return await SCHEDULING.run(info, AppointmentPayload, perform)


async def assign_room(
    info: Info,
    input: Annotated[AssignRoomInput, strawberry.argument(description="The appointment and the room.")],
) -> AppointmentPayload:
    """Put an appointment in a room, if the room has space for its whole time."""
    return await _assign(info, input, moving=False)


async def move_room(
    info: Info,
    input: Annotated[AssignRoomInput, strawberry.argument(description="The appointment and its new room.")],
) -> AppointmentPayload:
    """Move an appointment to another room: the old one is released in the same transaction."""
    return await _assign(info, input, moving=True)


async def release_room(
    info: Info,
    input: Annotated[ReleaseRoomInput, strawberry.argument(description="The appointment.")],
) -> AppointmentPayload:
    """Free the room an appointment holds."""

    async def perform(w: Write[Code]) -> AppointmentPayload:
        appointment = await _appointment_for_room(w, input.appointment_id)
        if isinstance(appointment, Problem):
            w.refuse(appointment)
        if not await sql.release(w.db, w.tenant, appointment["id"]):
            w.refuse(Problem("appointmentId", Code.NO_ROOM_ASSIGNED, "It holds no room."))
        return await appointment_done(w, appointment["id"])

    return await SCHEDULING.run(info, AppointmentPayload, perform)
