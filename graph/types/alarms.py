"""Anesthesia alarms and their raised/cleared transitions."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from db.expressions import ALARM_IS_OPEN
from db.session import Row
from graph.table import TableRow, col, computed, table
from graph.types.cursors import sequence_cursor
from graph.types.node import Node, to_global_id


@strawberry.enum(description="What an alarm is about. Graded kinds of one parameter replace each other.")
class AlarmKind(Enum):
    SEVERE_HYPOXEMIA = "severe_hypoxemia"
    HYPOXEMIA = "hypoxemia"
    SEVERE_HYPOTENSION = "severe_hypotension"
    HYPOTENSION = "hypotension"
    BRADYCARDIA = "bradycardia"
    TACHYCARDIA = "tachycardia"
    SEVERE_HYPERCAPNIA = "severe_hypercapnia"
    HYPERCAPNIA = "hypercapnia"
    SEVERE_HYPOTHERMIA = "severe_hypothermia"
    MODERATE_HYPOTHERMIA = "moderate_hypothermia"
    MILD_HYPOTHERMIA = "mild_hypothermia"
    TOO_DEEP = "too_deep"


@strawberry.enum(description="How urgent an alarm is.")
class AlarmSeverity(Enum):
    WARNING = "warning"
    CRITICAL = "critical"


@strawberry.enum(description="An alarm starting or ending.")
class AlarmTransition(Enum):
    RAISED = "raised"
    CLEARED = "cleared"


@table("anesthesia_alarms")
@strawberry.type(
    description="An episode of a vital sign out of its safe range: raised by one reading, cleared by another."
)
class AnesthesiaAlarm(Node, TableRow):
    kind: AlarmKind = col(description="What is out of range.")
    severity: AlarmSeverity = col(description="WARNING or CRITICAL.")
    message: str = col(description="What the reading was against which limit, e.g. 'SpO2 88% (< 90)'.")
    value: float | None = col(description="The value that raised it.")
    threshold: float | None = col(description="The limit it crossed.")
    raised_at: datetime = col(description="When the reading that raised it was taken.")
    cleared_at: datetime | None = col(description="When a reading back in range was taken; null while open.")
    is_active: bool = computed(ALARM_IS_OPEN, description="True until cleared.")


@strawberry.type(description="An alarm raised or cleared, as streamed by `anesthesiaAlarms`.")
class AlarmEvent:
    transition: AlarmTransition = strawberry.field(description="RAISED or CLEARED.")
    occurred_at: datetime = strawberry.field(description="When the reading that caused it was taken.")
    sequence: int = strawberry.field(
        description="Position in the log's alarm stream (1, 2, 3, ...), in commit order. For a current-state "
        "event, the number of the alarm's RAISED transition."
    )
    cursor: str = strawberry.field(
        description="Opaque position of this transition: pass as `anesthesiaAlarms(after:)` to resume right after it."
    )
    is_current_state: bool = strawberry.field(
        description="True for the alarms already active when the subscription began (sent first, as RAISED); "
        "false for transitions that happened while subscribed."
    )
    anesthesia_log_id: strawberry.ID = strawberry.field(description="Global ID of the anesthesia log.")
    alarm: AnesthesiaAlarm = strawberry.field(description="The alarm, in its state when the event was read.")

    @classmethod
    def from_row(cls, row: Row, *, current: bool = False) -> AlarmEvent:
        return cls(
            transition=AlarmTransition(row["transition"]),
            occurred_at=row["occurred_at"],
            sequence=row["seq"],
            cursor=sequence_cursor(row["seq"]),
            is_current_state=current,
            anesthesia_log_id=to_global_id("AnesthesiaLog", row["anesthesia_log_id"]),
            alarm=AnesthesiaAlarm.from_row(row),
        )
