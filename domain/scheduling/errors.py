"""Error codes of scheduling mutations (`userErrors.code`), and the database refusals they stand for."""

from __future__ import annotations

from enum import Enum

from domain.problems import Problem


class SchedulingErrorCode(Enum):
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    NAME_TAKEN = "name_taken"
    ROOM_INACTIVE = "room_inactive"
    ROOM_FULL = "room_full"
    ROOM_IN_USE = "room_in_use"
    NO_ROOM_ASSIGNED = "no_room_assigned"
    ALREADY_ASSIGNED = "already_assigned"
    VET_UNAVAILABLE = "vet_unavailable"
    NOT_A_VET = "not_a_vet"
    OUTSIDE_BUSINESS_HOURS = "outside_business_hours"
    OFF_SLOT_GRID = "off_slot_grid"
    IN_THE_PAST = "in_the_past"
    TOO_FAR_AHEAD = "too_far_ahead"
    CANCELLATION_WINDOW = "cancellation_window"
    INVALID_TRANSITION = "invalid_transition"
    NOT_RECURRING = "not_recurring"
    FORBIDDEN_FIELD = "forbidden_field"
    TOO_MANY = "too_many"
    PET_NOT_BOOKABLE = "pet_not_bookable"
    NOT_ITS_DAY = "not_its_day"


VET_BOOKED = Problem("vetId", SchedulingErrorCode.VET_UNAVAILABLE, "The vet is booked at that time.")
ROOM_NAME_TAKEN = Problem("name", SchedulingErrorCode.NAME_TAKEN, "The clinic already has a room of that name.")

# The rules two receptionists could break together are the database's; a refusal names its constraint.
CONSTRAINTS: dict[str, Problem[SchedulingErrorCode]] = {
    "room_assignments_capacity": Problem(
        "roomId", SchedulingErrorCode.ROOM_FULL, "The room is fully booked at that time."
    ),
    "appointments_vet_no_overlap": VET_BOOKED,
    "exam_rooms_name_key": ROOM_NAME_TAKEN,
    "room_assignments_room_active": Problem("roomId", SchedulingErrorCode.ROOM_INACTIVE, "The room is not in use."),
    "appointments_status_transition": Problem(
        "appointmentId", SchedulingErrorCode.INVALID_TRANSITION, "The appointment cannot move to that status."
    ),
    "appointments_pet_bookable": Problem(
        "petId", SchedulingErrorCode.PET_NOT_BOOKABLE, "The pet is deceased or archived and cannot be booked."
    ),
    "appointments_cancellation_window": Problem(
        "appointmentId", SchedulingErrorCode.CANCELLATION_WINDOW, "Too late to cancel; please call the clinic."
    ),
}
