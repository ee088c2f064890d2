"""Appointments and the exam rooms they use."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from graph.table import TableRow, col, global_id_of, one, table
from graph.types.enums import AppointmentStatus, RoomType
from graph.types.node import Node
from graph.types.people import Profile

if TYPE_CHECKING:
    from graph.types.pet import Pet


@table("exam_rooms")
@strawberry.type(description="A room of the clinic: exam, surgery, imaging or treatment.")
class ExamRoom(Node, TableRow):
    name: str = col(description="Name shown on the schedule.")
    room_type: RoomType = col(description="What the room is used for.")
    capacity: int = col(description="Appointments it can hold at the same time.")
    equipment: list[str] = col(description="Equipment in the room.")
    is_active: bool = col(description="False once the room is taken out of use.")
    display_order: int = col(description="Position on screens, lowest first.")


@table("appointments")
@strawberry.type(description="A booked visit of a pet, and how it went through check-in to completion.")
class Appointment(Node, TableRow):
    start_time: datetime = col(description="Booked start.")
    end_time: datetime = col(description="Booked end.")
    status: AppointmentStatus = col(description="Where the visit is in its flow.")
    reason: str | None = col(description="Reason for the visit.")
    checked_in_at: datetime | None = col(description="When the patient arrived.")
    started_at: datetime | None = col(description="When the consultation began.")
    completed_at: datetime | None = col(description="When it ended.")
    wait_time_minutes: int | None = col(description="Minutes from check-in to start.")
    visit_duration_minutes: int | None = col(description="Minutes from start to completion.")
    emergency: bool = col(
        "is_emergency",
        description="Booked as an emergency: by staff, outside business hours or off the slot grid."
        " Set by the booking rule (and again when rescheduled), never by the client.",
    )
    recurrence_id: strawberry.ID | None = global_id_of(
        "AppointmentRecurrence",
        "recurrence_id",
        description="ID of the recurring series this visit belongs to, if any (see `createRecurringAppointments`).",
    )
    pet: Annotated[Pet, strawberry.lazy("graph.types.pet")] | None = one("pet_id", description="The patient.")
    vet: Profile | None = one("vet_id", description="The attending vet, if assigned.")
    checked_in_by: Profile | None = one(
        "checked_in_by", description="Who checked the patient in (staff), once checked in."
    )
    room: ExamRoom | None = one("room_id", description="The room it takes place in, if assigned. Staff only.")
