"""Anesthesia records of a surgery and the vital signs taken during it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import strawberry
from strawberry.scalars import JSON

from db.pagination import slice_rows
from db.reads import ChildFilter
from db.session import Row
from graph.context import Context
from graph.loaders import VITALS_OLDEST_FIRST
from graph.paging import After, Before, First, Last, to_page
from graph.types.alarms import AnesthesiaAlarm
from graph.types.connection import Connection, build_connection
from graph.types.enums import AnesthesiaDepth, AnesthesiaOutcome
from graph.types.fields import described
from graph.types.node import Node, to_global_id

if TYPE_CHECKING:
    from graph.types.pet import Pet


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


@strawberry.type(description="One set of vital signs recorded during anesthesia.")
class VitalSign(Node):
    recorded_at: datetime = strawberry.field(description="When the reading was taken.")
    heart_rate: int | None = strawberry.field(description="Heart rate, beats per minute.")
    respiratory_rate: int | None = strawberry.field(description="Respiratory rate, breaths per minute.")
    spo2: float | None = strawberry.field(description="Oxygen saturation, percent (0-100).")
    etco2: float | None = strawberry.field(description="End-tidal CO2, mmHg.")
    blood_pressure_systolic: int | None = strawberry.field(description="Systolic arterial pressure, mmHg.")
    blood_pressure_diastolic: int | None = strawberry.field(description="Diastolic arterial pressure, mmHg.")
    blood_pressure_mean: int | None = strawberry.field(description="Mean arterial pressure (MAP), mmHg.")
    temperature: float | None = strawberry.field(description="Body temperature, degrees Celsius.")
    anesthesia_depth: AnesthesiaDepth | None = strawberry.field(description="Depth as judged by the anesthetist.")
    iv_fluids_rate: float | None = strawberry.field(description="IV fluid rate, mL/kg/h.")
    notes: str | None = strawberry.field(description="Free-text remark on this reading.")

    @classmethod
    def from_row(cls, row: Row) -> VitalSign:
        return cls(
            id=to_global_id("VitalSign", row["id"]),
            recorded_at=row["recorded_at"],
            heart_rate=row["heart_rate"],
            respiratory_rate=row["respiratory_rate"],
            spo2=_float(row["spo2"]),
            etco2=_float(row["etco2"]),
            blood_pressure_systolic=row["blood_pressure_systolic"],
            blood_pressure_diastolic=row["blood_pressure_diastolic"],
            blood_pressure_mean=row["blood_pressure_mean"],
            temperature=_float(row["temperature"]),
            anesthesia_depth=AnesthesiaDepth(row["anesthesia_depth"]) if row["anesthesia_depth"] else None,
            iv_fluids_rate=_float(row["iv_fluids_rate"]),
            notes=row["notes"],
        )


@strawberry.type(description="The anesthesia record of one procedure: protocol, phases, outcome and vitals.")
class AnesthesiaLog(Node):
    pk: strawberry.Private[UUID]
    pet_id: strawberry.Private[UUID]
    procedure_name: str = strawberry.field(description="The procedure performed, e.g. 'Ovariohisterectomía'.")
    anesthesia_protocol: str | None = strawberry.field(description="Premedication, induction and maintenance agents.")
    pre_anesthesia_assessment: JSON | None = strawberry.field(description="ASA status and pre-op findings.")
    induction_time: datetime | None = strawberry.field(description="Induction of anesthesia.")
    maintenance_start: datetime | None = strawberry.field(description="Start of maintenance.")
    recovery_start: datetime | None = strawberry.field(description="Start of recovery.")
    extubation_time: datetime | None = strawberry.field(description="Extubation.")
    full_recovery_time: datetime | None = strawberry.field(description="Full recovery.")
    complications: str | None = strawberry.field(description="Complications, if any.")
    outcome: AnesthesiaOutcome | None = strawberry.field(description="How it ended; null while still open.")
    completed_at: datetime | None = strawberry.field(description="When the record was closed; null while open.")
    notes: str | None = strawberry.field(description="Clinical notes.")
    created_at: datetime = strawberry.field(description="When the record was opened.")

    @described("The patient.")
    async def pet(
        self, info: strawberry.Info[Context, None]
    ) -> Annotated[Pet, strawberry.lazy("graph.types.pet")] | None:
        from graph.types.pet import Pet

        row = await info.context.loaders.pet_by_id.load(self.pet_id)
        return None if row is None else Pet.from_row(row)

    @described(
        "Vital signs in the order they were taken. `last: 10` gives the latest ten; "
        "`since` keeps only readings taken at or after that instant."
    )
    async def vitals(
        self,
        info: strawberry.Info[Context, None],
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        since: Annotated[
            datetime | None,
            strawberry.argument(description="Only readings recorded at or after this instant."),
        ] = None,
    ) -> Connection[VitalSign]:
        page = to_page(VITALS_OLDEST_FIRST, first, after, last, before)
        extra = ChildFilter()
        if since is not None:
            extra = ChildFilter("c.recorded_at >= :since", (("since", since),))
        loaders = info.context.loaders
        rows = await loaders.vitals_by_log.load((self.pk, (page, extra)))
        return build_connection(
            slice_rows(list(rows), page),
            VITALS_OLDEST_FIRST,
            VitalSign.from_row,
            lambda: loaders.vital_count_by_log.load((self.pk, extra)),
        )

    @described("Alarms of this procedure, open and cleared, in the order they were raised. Staff only.")
    async def alarms(
        self,
        info: strawberry.Info[Context, None],
        active_only: Annotated[bool, strawberry.argument(description="Only alarms not yet cleared.")] = False,
    ) -> list[AnesthesiaAlarm]:
        rows = await info.context.loaders.alarms_by_log.load(self.pk)
        return [AnesthesiaAlarm.from_row(r) for r in rows if not active_only or r["cleared_at"] is None]

    @classmethod
    def from_row(cls, row: Row) -> AnesthesiaLog:
        return cls(
            id=to_global_id("AnesthesiaLog", row["id"]),
            pk=row["id"],
            pet_id=row["pet_id"],
            procedure_name=row["procedure_name"],
            anesthesia_protocol=row["anesthesia_protocol"],
            pre_anesthesia_assessment=row["pre_anesthesia_assessment"],
            induction_time=row["induction_time"],
            maintenance_start=row["maintenance_start"],
            recovery_start=row["recovery_start"],
            extubation_time=row["extubation_time"],
            full_recovery_time=row["full_recovery_time"],
            complications=row["complications"],
            outcome=AnesthesiaOutcome(row["outcome"]) if row["outcome"] else None,
            completed_at=row["completed_at"],
            notes=row["notes"],
            created_at=row["created_at"],
        )
