"""Inputs and payloads of the anesthesia mutations."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types.arguments import InputContext
from strawberry.types.base import get_object_definition

from db.session import Row
from domain.anesthesia.errors import AnesthesiaErrorCode
from graph.types.alarms import AlarmEvent
from graph.types.anesthesia import AnesthesiaLog, VitalSign
from graph.types.enums import AnesthesiaDepth, AnesthesiaOutcome
from graph.types.user_errors import UserError, user_error

# The codes live in the domain layer; this registers them as a GraphQL enum.
strawberry.enum(AnesthesiaErrorCode, description="Why an anesthesia mutation refused some input.")


@user_error("AnesthesiaUserError", field="Path of the offending input, e.g. `vitals.3.spo2`.")
class AnesthesiaUserError(UserError[AnesthesiaErrorCode]):
    pass


@strawberry.input(description="One set of vital signs from a monitor. Omit what was not measured.")
class VitalReadingInput:
    recorded_at: datetime | None = strawberry.field(default=None, description="When taken; default: now.")
    heart_rate: int | None = strawberry.field(default=None, description="Beats per minute, 0-400.")
    respiratory_rate: int | None = strawberry.field(default=None, description="Breaths per minute, 0-200.")
    spo2: float | None = strawberry.field(default=None, description="Oxygen saturation, percent 0-100.")
    etco2: float | None = strawberry.field(default=None, description="End-tidal CO2, mmHg 0-150.")
    blood_pressure_systolic: int | None = strawberry.field(default=None, description="mmHg, 0-350.")
    blood_pressure_diastolic: int | None = strawberry.field(default=None, description="mmHg, 0-300, <= systolic.")
    blood_pressure_mean: int | None = strawberry.field(default=None, description="MAP, mmHg 0-300.")
    temperature: float | None = strawberry.field(default=None, description="Degrees Celsius, 20-45.")
    anesthesia_depth: AnesthesiaDepth | None = strawberry.field(default=None, description="Depth as judged.")
    iv_fluids_rate: float | None = strawberry.field(default=None, description="IV fluids, mL/kg/h 0-500.")
    notes: str | None = strawberry.field(default=None, description="Remark, at most 2000 characters.")
    client_reading_id: str | None = strawberry.field(
        default=None,
        description="The monitor's own id for this reading. A retry with the same id is not stored twice.",
    )


@strawberry.input(description="Readings to add to an open anesthesia log.")
class RecordVitalsInput:
    anesthesia_log_id: strawberry.ID = strawberry.field(description="The open log they belong to.")
    vitals: list[VitalReadingInput] = strawberry.field(description="One reading or a batch of up to 500.")


def _record_vitals_from_input(cls: type[Any], value: Mapping[str, Any], context: InputContext) -> Any:
    """Build the input from graphql-core's coerced value without Strawberry's generic conversion.

    graphql-core has already checked and coerced every reading (scalars parsed, enum members made,
    omitted fields filled with their published `null` default), so each reading only needs its keys
    renamed. The generic path walks every field of every reading through `convert_argument` and
    was ~40% of the server CPU of a 100-reading call.
    """
    names = _reading_names(context)
    reading = VitalReadingInput
    vitals = [reading(**{python: raw.get(graphql) for graphql, python in names}) for raw in value["vitals"]]
    return cls(anesthesia_log_id=value["anesthesiaLogId"], vitals=vitals)


_READING_NAMES: list[tuple[str, str]] = []


def _reading_names(context: InputContext) -> list[tuple[str, str]]:
    """(GraphQL name, Python name) of each VitalReadingInput field, as the schema's config names them."""
    if not _READING_NAMES:
        definition = get_object_definition(VitalReadingInput, strict=True)
        convert = context.config.name_converter.from_field
        _READING_NAMES.extend((convert(field), field.python_name) for field in definition.fields)
    return _READING_NAMES


# `from_input` is Strawberry's documented hook for types that build their own input value; the
# GraphQL type (and schema.graphql) is unchanged.
get_object_definition(RecordVitalsInput, strict=True).from_input = _record_vitals_from_input


def _stored_vitals(root: RecordVitalsPayload) -> list[VitalSign]:
    return [VitalSign.from_row(row) for row in root.stored]


@strawberry.type(description="Result of `recordVitals`.")
class RecordVitalsPayload:
    vitals: list[VitalSign] = strawberry.field(
        resolver=_stored_vitals,
        description="The readings as stored, in order; retried readings (same clientReadingId) as first stored.",
    )
    # The stored rows; made into VitalSign objects only when the client selects `vitals`
    # (a monitor posting 100 readings usually asks for `duplicates` and `userErrors` alone).
    stored: strawberry.Private[list[Row]] = dataclasses.field(default_factory=list)
    duplicates: int = strawberry.field(default=0, description="How many readings had been stored already (retries).")
    alarm_events: list[AlarmEvent] = strawberry.field(
        default_factory=list, description="Alarms these readings raised or cleared."
    )
    user_errors: list[AnesthesiaUserError] = strawberry.field(
        default_factory=list, description="What to fix; when not empty, nothing was stored."
    )


@strawberry.input(description="Opens an anesthesia log for a procedure.")
class StartAnesthesiaInput:
    pet_id: strawberry.ID = strawberry.field(description="The patient.")
    procedure_name: str = strawberry.field(description="The procedure, 1-200 characters.")
    anesthesia_protocol: str | None = strawberry.field(default=None, description="Agents and doses.")
    pre_anesthesia_assessment: JSON | None = strawberry.field(
        default=None, description="An object, e.g. {asa: 2, fastingHours: 12, findings: '...'}."
    )
    appointment_id: strawberry.ID | None = strawberry.field(default=None, description="The appointment, if any.")
    notes: str | None = strawberry.field(default=None, description="Notes.")


@strawberry.enum(description="Phases of anesthesia, in the order they happen.")
class AnesthesiaPhase(Enum):
    INDUCTION = "induction_time"
    MAINTENANCE = "maintenance_start"
    RECOVERY = "recovery_start"
    EXTUBATION = "extubation_time"
    FULL_RECOVERY = "full_recovery_time"


@strawberry.input(description="Records when a phase began. Phases must move forward in time.")
class RecordAnesthesiaPhaseInput:
    anesthesia_log_id: strawberry.ID = strawberry.field(description="The open log.")
    phase: AnesthesiaPhase = strawberry.field(description="Which phase.")
    at: datetime | None = strawberry.field(default=None, description="When; default: now.")


@strawberry.input(description="Closes an anesthesia log. Open alarms are cleared.")
class CompleteAnesthesiaInput:
    anesthesia_log_id: strawberry.ID = strawberry.field(description="The open log.")
    outcome: AnesthesiaOutcome = strawberry.field(description="How it ended.")
    complications: str | None = strawberry.field(default=None, description="Complications, if any.")
    notes: str | None = strawberry.field(default=None, description="Closing notes.")


@strawberry.type(description="Result of a mutation on an anesthesia log.")
class AnesthesiaLogPayload:
    anesthesia_log: AnesthesiaLog | None = strawberry.field(
        default=None, description="The log after the change; null on error."
    )
    user_errors: list[AnesthesiaUserError] = strawberry.field(
        default_factory=list, description="What to fix; empty on success."
    )
