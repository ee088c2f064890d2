"""Anesthesia alarms and their raised/cleared transitions."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from db.session import Row
from graph.types.fields import described
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


@strawberry.type(
    description="An episode of a vital sign out of its safe range: raised by one reading, cleared by another."
)
class AnesthesiaAlarm(Node):
    kind: AlarmKind = strawberry.field(description="What is out of range.")
    severity: AlarmSeverity = strawberry.field(description="WARNING or CRITICAL.")
    message: str = strawberry.field(description="What the reading was against which limit, e.g. 'SpO2 88% (< 90)'.")
    value: float | None = strawberry.field(description="The value that raised it.")
    threshold: float | None = strawberry.field(description="The limit it crossed.")
    raised_at: datetime = strawberry.field(description="When the reading that raised it was taken.")
    cleared_at: datetime | None = strawberry.field(
        description="When a reading back in range was taken; null while open."
    )

    @described("True until cleared.")
    def is_active(self) -> bool:
        return self.cleared_at is None

    @classmethod
    def from_row(cls, row: Row, id_column: str = "id") -> AnesthesiaAlarm:
        return cls(
            id=to_global_id("AnesthesiaAlarm", row[id_column]),
            kind=AlarmKind(row["kind"]),
            severity=AlarmSeverity(row["severity"]),
            message=row["message"],
            value=None if row["value"] is None else float(row["value"]),
            threshold=None if row["threshold"] is None else float(row["threshold"]),
            raised_at=row["raised_at"],
            cleared_at=row["cleared_at"],
        )


@strawberry.type(description="An alarm raised or cleared, as streamed by `anesthesiaAlarms`.")
class AlarmEvent:
    transition: AlarmTransition = strawberry.field(description="RAISED or CLEARED.")
    occurred_at: datetime = strawberry.field(description="When the reading that caused it was taken.")
    sequence: int = strawberry.field(description="Position in the log's alarm stream (1, 2, 3, ...).")
    anesthesia_log_id: strawberry.ID = strawberry.field(description="Global ID of the anesthesia log.")
    alarm: AnesthesiaAlarm = strawberry.field(description="The alarm, in its state when the event was read.")

    @classmethod
    def from_row(cls, row: Row) -> AlarmEvent:
        return cls(
            transition=AlarmTransition(row["transition"]),
            occurred_at=row["occurred_at"],
            sequence=row["seq"],
            anesthesia_log_id=to_global_id("AnesthesiaLog", row["anesthesia_log_id"]),
            alarm=AnesthesiaAlarm.from_row(row, id_column="alarm_id"),
        )
