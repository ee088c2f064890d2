"""Anesthesia records of a surgery and the vital signs taken during it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from db import expressions as x
from graph.table import TableRow, bound, col, flag, many, one, paged, table
from graph.types.alarms import AnesthesiaAlarm
from graph.types.connection import Connection
from graph.types.cursors import SEQUENCE_CURSOR
from graph.types.enums import AnesthesiaDepth, AnesthesiaOutcome
from graph.types.node import Node

if TYPE_CHECKING:
    from graph.types.pet import Pet


@table("anesthesia_vitals")
@strawberry.type(description="One set of vital signs recorded during anesthesia.")
class VitalSign(Node, TableRow):
    recorded_at: datetime = col(description="When the reading was taken.")
    heart_rate: int | None = col(description="Heart rate, beats per minute.")
    respiratory_rate: int | None = col(description="Respiratory rate, breaths per minute.")
    spo2: float | None = col(description="Oxygen saturation, percent (0-100).")
    etco2: float | None = col(description="End-tidal CO2, mmHg.")
    blood_pressure_systolic: int | None = col(description="Systolic arterial pressure, mmHg.")
    blood_pressure_diastolic: int | None = col(description="Diastolic arterial pressure, mmHg.")
    blood_pressure_mean: int | None = col(description="Mean arterial pressure (MAP), mmHg.")
    temperature: float | None = col(description="Body temperature, degrees Celsius.")
    anesthesia_depth: AnesthesiaDepth | None = col(description="Depth as judged by the anesthetist.")
    iv_fluids_rate: float | None = col(description="IV fluid rate, mL/kg/h.")
    notes: str | None = col(description="Free-text remark on this reading.")
    sequence: int = col(
        "seq", description="Position in the log's commit order (1, 2, 3, ...): later commits have higher numbers, "
        "whatever their `recordedAt`."
    )
    cursor: str = col(
        "seq", codec=SEQUENCE_CURSOR, description="Opaque position of this reading in commit order: pass as "
        "`vitalsRecorded(after:)` to resume right after it, or as `AnesthesiaLog.vitals(after:)`; the same "
        "value as this reading's cursor in that connection."
    )


@table("anesthesia_logs")
@strawberry.type(description="The anesthesia record of one procedure: protocol, phases, outcome and vitals.")
class AnesthesiaLog(Node, TableRow):
    procedure_name: str = col(description="The procedure performed, e.g. 'Ovariohisterectomía'.")
    anesthesia_protocol: str | None = col(description="Premedication, induction and maintenance agents.")
    pre_anesthesia_assessment: JSON | None = col(description="ASA status and pre-op findings.")
    induction_time: datetime | None = col(description="Induction of anesthesia.")
    maintenance_start: datetime | None = col(description="Start of maintenance.")
    recovery_start: datetime | None = col(description="Start of recovery.")
    extubation_time: datetime | None = col(description="Extubation.")
    full_recovery_time: datetime | None = col(description="Full recovery.")
    complications: str | None = col(description="Complications, if any.")
    outcome: AnesthesiaOutcome | None = col(description="How it ended; null while still open.")
    completed_at: datetime | None = col(description="When the record was closed; null while open.")
    notes: str | None = col(description="Clinical notes.")
    created_at: datetime = col(description="When the record was opened.")
    alarms_cursor: str = col(
        "alarm_seq", codec=SEQUENCE_CURSOR, description="Position of the log's newest alarm transition: "
        "`anesthesiaAlarms(anesthesiaLogId:, after:)` with it streams every transition after what `alarms` shows "
        "when both are read in one query."
    )
    pet: Annotated[Pet, strawberry.lazy("graph.types.pet")] | None = one("pet_id", description="The patient.")
    vitals: Connection[VitalSign] = paged(
        "anesthesia_log_id",
        order=x.VITALS_IN_COMMIT_ORDER,
        description="Vital signs in commit order (`sequence`), the order `vitalsRecorded` delivers them: a "
        "monitor's late upload comes after what was already stored, so paging by cursor never skips one. "
        "`last: 10` gives the latest ten; `since` keeps only readings taken at or after that instant. "
        "`pageInfo.endCursor` resumes `vitalsRecorded(after:)` exactly where the page ends.",
        since=bound(x.RECORDED_SINCE, datetime, description="Only readings recorded at or after this instant."),
    )
    alarms: list[AnesthesiaAlarm] = many(
        "anesthesia_log_id",
        order=x.ALARMS_AS_RAISED,
        description="Alarms of this procedure, open and cleared, in the order they were raised. Staff only.",
        active_only=flag(x.ONLY_OPEN_ALARMS, default=False, description="Only alarms not yet cleared."),
    )
