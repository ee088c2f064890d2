"""Inputs and payloads of the scheduling mutations: rooms, bookings, the visit flow, recurring series."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import Enum

import strawberry

from domain.scheduling.errors import SchedulingErrorCode
from graph.table import TableRow, col, table
from graph.types.enums import RoomType
from graph.types.node import Node
from graph.types.scheduling import Appointment, ExamRoom
from graph.types.user_errors import UserError, user_error

# The codes live in the domain layer; this registers them as a GraphQL enum.
strawberry.enum(SchedulingErrorCode, description="Why a scheduling mutation refused some input.")


@user_error("SchedulingUserError", field="The offending input field, e.g. `startTime`.")
class SchedulingUserError(UserError[SchedulingErrorCode]):
    pass


# Rooms -----------------------------------------------------------------------------


@strawberry.input(description="A new exam room. Names are unique in the clinic, ignoring case.")
class CreateExamRoomInput:
    name: str = strawberry.field(description="Name shown on the schedule, 1-100 characters.")
    room_type: RoomType = strawberry.field(default=RoomType.EXAM, description="What the room is used for.")
    capacity: int = strawberry.field(default=1, description="Appointments it holds at the same time, 1-50.")
    equipment: list[str] = strawberry.field(default_factory=list, description="Equipment, at most 50 items.")
    display_order: int = strawberry.field(default=0, description="Position on screens, lowest first.")


@strawberry.input(description="Changes to an exam room; omitted fields stay as they are.")
class UpdateExamRoomInput:
    exam_room_id: strawberry.ID = strawberry.field(description="The room.")
    name: str | None = strawberry.field(default=None, description="New name, unique in the clinic ignoring case.")
    room_type: RoomType | None = strawberry.field(default=None, description="New use.")
    capacity: int | None = strawberry.field(
        default=None, description="New capacity, 1-50; not below what is already booked from now on."
    )
    equipment: list[str] | None = strawberry.field(default=None, description="New equipment list (replaces it).")
    display_order: int | None = strawberry.field(default=None, description="New position.")
    is_active: bool | None = strawberry.field(
        default=None, description="False takes the room out of use (only when nothing is booked in it from now on)."
    )


@strawberry.type(description="Result of a mutation on an exam room.")
class ExamRoomPayload:
    exam_room: ExamRoom | None = strawberry.field(default=None, description="The room after the change; null on error.")
    user_errors: list[SchedulingUserError] = strawberry.field(
        default_factory=list, description="What to fix; empty on success."
    )


@strawberry.input(description="Puts an appointment in a room.")
class AssignRoomInput:
    appointment_id: strawberry.ID = strawberry.field(description="The appointment.")
    room_id: strawberry.ID = strawberry.field(description="The room.")


@strawberry.input(description="Frees the room an appointment holds.")
class ReleaseRoomInput:
    appointment_id: strawberry.ID = strawberry.field(description="The appointment.")


# Appointments ----------------------------------------------------------------------


@strawberry.input(description="A visit to book. Owners book for their own pets, without vet, service or room.")
class BookAppointmentInput:
    pet_id: strawberry.ID = strawberry.field(description="The patient.")
    start_time: datetime = strawberry.field(description="Start, on the clinic's slot grid and within its hours.")
    duration_minutes: int | None = strawberry.field(
        default=None, description="Length; default: the service's, else the clinic's slot length."
    )
    vet_id: strawberry.ID | None = strawberry.field(default=None, description="The attending vet. Staff only.")
    service_id: strawberry.ID | None = strawberry.field(default=None, description="The service. Staff only.")
    room_id: strawberry.ID | None = strawberry.field(default=None, description="A room to assign. Staff only.")
    reason: str | None = strawberry.field(default=None, description="Reason for the visit, at most 500 characters.")
    notes: str | None = strawberry.field(default=None, description="Notes, at most 2000 characters.")
    emergency: bool = strawberry.field(
        default=False,
        description="Staff only: allow booking off the slot grid and outside business hours, as an emergency."
        " The appointment's `emergency` says whether it was one (the rule decides, not this flag).",
    )


@strawberry.input(description="Moves a visit to another time (and vet). Its room moves with it if it still fits.")
class RescheduleAppointmentInput:
    appointment_id: strawberry.ID = strawberry.field(description="The appointment.")
    start_time: datetime = strawberry.field(description="New start.")
    duration_minutes: int | None = strawberry.field(default=None, description="New length; default: unchanged.")
    vet_id: strawberry.ID | None = strawberry.field(default=None, description="New vet; default: unchanged.")


@strawberry.input(description="One appointment to act on.")
class AppointmentActionInput:
    appointment_id: strawberry.ID = strawberry.field(description="The appointment.")


@strawberry.type(description="Result of a mutation on one appointment.")
class AppointmentPayload:
    appointment: Appointment | None = strawberry.field(
        default=None, description="The appointment after the change; null on error."
    )
    user_errors: list[SchedulingUserError] = strawberry.field(
        default_factory=list, description="What to fix; empty on success."
    )


# Recurring series ------------------------------------------------------------------


@strawberry.enum(description="How often a recurring appointment repeats.")
class RecurrencePattern(Enum):
    DAILY = "daily"
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"
    YEARLY = "yearly"


@strawberry.input(
    description="A recurring visit. Dates that do not exist (the 31st in a 30-day month, 29 February in a "
    "common year) are skipped and not counted (RFC 5545)."
)
class CreateRecurringAppointmentsInput:
    pet_id: strawberry.ID = strawberry.field(description="The patient.")
    pattern: RecurrencePattern = strawberry.field(description="How often.")
    starts_on: date = strawberry.field(description="First day the series may fall on (clinic's calendar).")
    time_of_day: time = strawberry.field(description="Local start time in the clinic's time zone, e.g. `09:30`.")
    duration_minutes: int | None = strawberry.field(
        default=None, description="Length; default: the service's, else the clinic's slot length."
    )
    day_of_week: int | None = strawberry.field(
        default=None, description="WEEKLY/BIWEEKLY: 0 = Sunday .. 6 = Saturday; default: that of startsOn."
    )
    day_of_month: int | None = strawberry.field(
        default=None, description="MONTHLY/YEARLY: 1-31; default: that of startsOn. YEARLY uses startsOn's month."
    )
    ends_on: date | None = strawberry.field(default=None, description="Last day the series may fall on, inclusive.")
    max_occurrences: int | None = strawberry.field(
        default=None, description="How many dates the series has in all, 1-500."
    )
    horizon_days: int = strawberry.field(
        default=90, description="Materialize appointments up to this many days from today, 1-366."
    )
    vet_id: strawberry.ID | None = strawberry.field(default=None, description="The attending vet.")
    service_id: strawberry.ID | None = strawberry.field(default=None, description="The service.")
    room_id: strawberry.ID | None = strawberry.field(default=None, description="The room, for every occurrence.")
    reason: str | None = strawberry.field(default=None, description="Reason, at most 500 characters.")


@table("appointment_recurrence")
@strawberry.type(description="A recurring series of appointments. Staff only.")
class AppointmentRecurrence(Node, TableRow):
    id: strawberry.ID = strawberry.field(description="Opaque ID; appointments of the series carry it as recurrenceId.")
    pattern: RecurrencePattern = col(description="How often.")
    day_of_week: int | None = col(description="0 = Sunday .. 6 = Saturday, for weekly patterns.")
    day_of_month: int | None = col(description="1-31, for monthly and yearly patterns.")
    time_of_day: time = col(description="Local start time in the clinic's time zone.")
    duration_minutes: int = col(description="Length of each visit.")
    starts_on: date = col(description="First possible day.")
    ends_on: date | None = col(description="Last possible day, if any.")
    max_occurrences: int | None = col(description="Total dates of the series, if limited.")
    occurrences_created: int = col(description="Appointments booked for it so far.")
    materialized_until: date | None = col(description="Appointments exist up to this day.")
    is_active: bool = col(description="False once the series is over or cancelled.")


@strawberry.type(description="An occurrence of a series that was not booked, and why.")
class OccurrenceConflict:
    start_time: datetime = strawberry.field(description="When it would have started.")
    code: SchedulingErrorCode = strawberry.field(description="Why: VET_UNAVAILABLE, ROOM_FULL, ...")
    message: str = strawberry.field(description="Human-readable explanation.")


@strawberry.type(description="Result of `createRecurringAppointments`.")
class RecurringAppointmentsPayload:
    recurrence: AppointmentRecurrence | None = strawberry.field(default=None, description="The series; null on error.")
    appointments: list[Appointment] = strawberry.field(
        default_factory=list, description="The appointments booked, in time order."
    )
    conflicts: list[OccurrenceConflict] = strawberry.field(
        default_factory=list,
        description="Occurrences within the horizon that could not be booked; they still count toward maxOccurrences.",
    )
    user_errors: list[SchedulingUserError] = strawberry.field(
        default_factory=list, description="What to fix; when not empty, nothing was stored."
    )


@strawberry.input(description="Cancels an occurrence and every later one of its series.")
class CancelRecurrenceInput:
    from_appointment_id: strawberry.ID = strawberry.field(description="The first occurrence to cancel.")


@strawberry.type(description="Result of `cancelRecurrence`.")
class CancelRecurrencePayload:
    recurrence: AppointmentRecurrence | None = strawberry.field(
        default=None, description="The series, now ending before it."
    )
    cancelled: list[Appointment] = strawberry.field(
        default_factory=list, description="The appointments cancelled, in time order."
    )
    user_errors: list[SchedulingUserError] = strawberry.field(
        default_factory=list, description="What to fix; empty on success."
    )


@strawberry.input(description="Changes one occurrence of a series; the others stay as they are.")
class EditOccurrenceInput:
    appointment_id: strawberry.ID = strawberry.field(description="The occurrence.")
    start_time: datetime | None = strawberry.field(default=None, description="New start; default: unchanged.")
    duration_minutes: int | None = strawberry.field(default=None, description="New length; default: unchanged.")
    vet_id: strawberry.ID | None = strawberry.field(default=None, description="New vet; default: unchanged.")
    reason: str | None = strawberry.field(default=None, description="New reason; default: unchanged.")
