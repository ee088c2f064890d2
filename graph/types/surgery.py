"""The operating block: surgery events of a clinic's logs, and readings of every open log."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from db.session import Row
from graph.types.alarms import AnesthesiaAlarm
from graph.types.anesthesia import AnesthesiaLog, VitalSign
from graph.types.anesthesia_mutations import AnesthesiaPhase
from graph.types.cursors import sequence_cursor
from graph.types.node import to_global_id


@strawberry.enum(description="What happened to a surgery.")
class SurgeryEventKind(Enum):
    LOG_OPENED = "log_opened"
    PHASE_RECORDED = "phase_recorded"
    LOG_COMPLETED = "log_completed"
    ALARM_RAISED = "alarm_raised"
    ALARM_CLEARED = "alarm_cleared"


@strawberry.type(description="A log opened, a phase recorded, a log completed, an alarm raised or cleared.")
class SurgeryEvent:
    kind: SurgeryEventKind = strawberry.field(description="What happened.")
    sequence: int = strawberry.field(
        description="Position in the clinic's surgery events (1, 2, 3, ...), in commit order."
    )
    cursor: str = strawberry.field(
        description="Opaque position of this event: pass as `surgeryEvents(after:)` to resume right after it."
    )
    occurred_at: datetime = strawberry.field(description="When it happened (the phase's or reading's time).")
    is_current_state: bool = strawberry.field(
        description="True for the events that make up the open surgeries when the subscription began (each open "
        "log's LOG_OPENED, its phases, its active alarms), sent first; false for what happened while subscribed."
    )
    anesthesia_log_id: strawberry.ID = strawberry.field(description="Global ID of the anesthesia log.")
    anesthesia_log: AnesthesiaLog = strawberry.field(description="The log, as it was when the event was read.")
    phase: AnesthesiaPhase | None = strawberry.field(description="For PHASE_RECORDED: which phase.")
    alarm: AnesthesiaAlarm | None = strawberry.field(description="For ALARM_RAISED / ALARM_CLEARED: the alarm.")

    @classmethod
    def from_rows(cls, event: Row, log: Row, alarm: Row | None, *, current: bool = False) -> SurgeryEvent:
        return cls(
            kind=SurgeryEventKind(event["kind"]),
            sequence=event["seq"],
            cursor=sequence_cursor(event["seq"]),
            occurred_at=event["occurred_at"],
            is_current_state=current,
            anesthesia_log_id=to_global_id("AnesthesiaLog", event["anesthesia_log_id"]),
            anesthesia_log=AnesthesiaLog.from_row(log),
            phase=AnesthesiaPhase(event["phase"]) if event["phase"] else None,
            alarm=AnesthesiaAlarm.from_row(alarm) if alarm is not None else None,
        )


@strawberry.type(description="A reading of one of the clinic's open logs, as streamed by `openLogVitals`.")
class OpenLogReading:
    anesthesia_log_id: strawberry.ID = strawberry.field(description="Global ID of the reading's anesthesia log.")
    reading: VitalSign = strawberry.field(description="The reading.")
