"""Appointments and the exam rooms they use."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import strawberry

from db.session import Row
from graph.context import Context
from graph.types.enums import AppointmentStatus, RoomType
from graph.types.fields import described
from graph.types.node import Node, to_global_id
from graph.types.people import Profile, optional

if TYPE_CHECKING:
    from graph.types.pet import Pet


@strawberry.type(description="A room of the clinic: exam, surgery, imaging or treatment.")
class ExamRoom(Node):
    name: str = strawberry.field(description="Name shown on the schedule.")
    room_type: RoomType = strawberry.field(description="What the room is used for.")
    capacity: int = strawberry.field(description="Appointments it can hold at the same time.")
    equipment: list[str] = strawberry.field(description="Equipment in the room.")
    is_active: bool = strawberry.field(description="False once the room is taken out of use.")
    display_order: int = strawberry.field(description="Position on screens, lowest first.")

    @classmethod
    def from_row(cls, row: Row) -> ExamRoom:
        return cls(
            id=to_global_id("ExamRoom", row["id"]),
            name=row["name"],
            room_type=RoomType(row["room_type"]),
            capacity=row["capacity"],
            equipment=list(row["equipment"]),
            is_active=row["is_active"],
            display_order=row["display_order"],
        )


@strawberry.type(description="A booked visit of a pet, and how it went through check-in to completion.")
class Appointment(Node):
    pet_id: strawberry.Private[UUID]
    vet_id: strawberry.Private[UUID | None]
    room_id: strawberry.Private[UUID | None]
    checked_in_by_id: strawberry.Private[UUID | None]
    start_time: datetime = strawberry.field(description="Booked start.")
    end_time: datetime = strawberry.field(description="Booked end.")
    status: AppointmentStatus = strawberry.field(description="Where the visit is in its flow.")
    reason: str | None = strawberry.field(description="Reason for the visit.")
    checked_in_at: datetime | None = strawberry.field(description="When the patient arrived.")
    started_at: datetime | None = strawberry.field(description="When the consultation began.")
    completed_at: datetime | None = strawberry.field(description="When it ended.")
    wait_time_minutes: int | None = strawberry.field(description="Minutes from check-in to start.")
    visit_duration_minutes: int | None = strawberry.field(description="Minutes from start to completion.")
    recurrence_id: strawberry.ID | None = strawberry.field(
        description="ID of the recurring series this visit belongs to, if any (see `createRecurringAppointments`)."
    )

    @described("The patient.")
    async def pet(
        self, info: strawberry.Info[Context, None]
    ) -> Annotated[Pet, strawberry.lazy("graph.types.pet")] | None:
        from graph.types.pet import Pet

        row = await info.context.loaders.pet_by_id.load(self.pet_id)
        return None if row is None else Pet.from_row(row)

    @described("The attending vet, if assigned.")
    async def vet(self, info: strawberry.Info[Context, None]) -> Profile | None:
        if self.vet_id is None:
            return None
        return optional(Profile.from_row, await info.context.loaders.profile_by_id.load(self.vet_id))

    @described("Who checked the patient in (staff), once checked in.")
    async def checked_in_by(self, info: strawberry.Info[Context, None]) -> Profile | None:
        if self.checked_in_by_id is None:
            return None
        return optional(Profile.from_row, await info.context.loaders.profile_by_id.load(self.checked_in_by_id))

    @described("The room it takes place in, if assigned. Staff only.")
    async def room(self, info: strawberry.Info[Context, None]) -> ExamRoom | None:
        if self.room_id is None:
            return None
        return optional(ExamRoom.from_row, await info.context.loaders.exam_room_by_id.load(self.room_id))

    @classmethod
    def from_row(cls, row: Row) -> Appointment:
        return cls(
            id=to_global_id("Appointment", row["id"]),
            pet_id=row["pet_id"],
            vet_id=row["vet_id"],
            room_id=row["room_id"],
            checked_in_by_id=row["checked_in_by"],
            start_time=row["start_time"],
            end_time=row["end_time"],
            status=AppointmentStatus(row["status"]),
            reason=row["reason"],
            checked_in_at=row["checked_in_at"],
            started_at=row["started_at"],
            completed_at=row["completed_at"],
            wait_time_minutes=row["wait_time_minutes"],
            visit_duration_minutes=row["visit_duration_minutes"],
            recurrence_id=None
            if row["recurrence_id"] is None
            else to_global_id("AppointmentRecurrence", row["recurrence_id"]),
        )
