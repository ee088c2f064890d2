"""Error codes of scheduling mutations, shown to clients in `userErrors.code`."""

from __future__ import annotations

from enum import Enum


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
