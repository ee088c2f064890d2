"""The patient, and everything a dashboard's patient overview shows about it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import strawberry

from db.pagination import slice_rows
from db.reads import ChildFilter
from db.session import Row
from graph.context import Context
from graph.loaders import APPOINTMENTS_BY_START, LOGS_NEWEST_FIRST
from graph.paging import After, Before, First, Last, to_page
from graph.types.anesthesia import AnesthesiaLog
from graph.types.clinical import PatientAlert, PatientProblem
from graph.types.connection import Connection, build_connection
from graph.types.enums import PreferredTime, Sex, Species
from graph.types.fields import described
from graph.types.node import Node, to_global_id
from graph.types.people import Profile, optional
from graph.types.scheduling import Appointment

ActiveOnly = Annotated[bool, strawberry.argument(description="Only entries that are active now.")]


@strawberry.type(description="An animal patient of the clinic.")
class Pet(Node):
    pk: strawberry.Private[UUID]
    owner_id: strawberry.Private[UUID]
    primary_vet_id: strawberry.Private[UUID | None]
    name: str = strawberry.field(description="The pet's name.")
    species: Species = strawberry.field(description="Species.")
    breed: str | None = strawberry.field(description="Breed, if known.")
    sex: Sex = strawberry.field(description="Sex.")
    is_neutered: bool = strawberry.field(description="Spayed or castrated.")
    date_of_birth: date | None = strawberry.field(description="Date of birth, if known.")
    weight_kg: float | None = strawberry.field(description="Last recorded weight in kilograms.")
    color: str | None = strawberry.field(description="Coat or plumage color.")
    microchip_id: str | None = strawberry.field(description="Microchip number.")
    is_deceased: bool = strawberry.field(description="The pet has died.")
    behavioral_notes: str | None = strawberry.field(description="Notes on temperament and handling.")
    preferred_appointment_time: PreferredTime | None = strawberry.field(
        description="When the owner prefers to bring the pet in."
    )
    last_visit_date: date | None = strawberry.field(description="Date of the last completed visit.")
    next_visit_due: date | None = strawberry.field(description="When the next visit is due.")
    created_at: datetime = strawberry.field(description="When the pet was registered.")

    @described("The pet's owner.")
    async def owner(self, info: strawberry.Info[Context, None]) -> Profile | None:
        return optional(Profile.from_row, await info.context.loaders.profile_by_id.load(self.owner_id))

    @described("The vet who usually sees this pet.")
    async def primary_vet(self, info: strawberry.Info[Context, None]) -> Profile | None:
        if self.primary_vet_id is None:
            return None
        return optional(Profile.from_row, await info.context.loaders.profile_by_id.load(self.primary_vet_id))

    @described("Warnings to see before handling the pet, most severe first. Staff only: empty for owners.")
    async def alerts(self, info: strawberry.Info[Context, None], active_only: ActiveOnly = True) -> list[PatientAlert]:
        rows = await info.context.loaders.alerts_by_pet.load((self.pk, active_only))
        return [PatientAlert.from_row(r) for r in rows]

    @described("The problem list: ongoing conditions first, then past ones.")
    async def problems(
        self, info: strawberry.Info[Context, None], active_only: ActiveOnly = True
    ) -> list[PatientProblem]:
        rows = await info.context.loaders.problems_by_pet.load((self.pk, active_only))
        return [PatientProblem.from_row(r) for r in rows]

    @described("Anesthesia records, newest first. Staff only: empty for owners.")
    async def anesthesia_logs(
        self,
        info: strawberry.Info[Context, None],
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[AnesthesiaLog]:
        page = to_page(LOGS_NEWEST_FIRST, first, after, last, before, default=10)
        loaders = info.context.loaders
        rows = await loaders.anesthesia_logs_by_pet.load((self.pk, (page, ChildFilter())))
        return build_connection(
            slice_rows(list(rows), page),
            LOGS_NEWEST_FIRST,
            AnesthesiaLog.from_row,
            lambda: loaders.anesthesia_log_count_by_pet.load((self.pk, ChildFilter())),
        )

    @described("Appointments by start time, oldest first; `upcomingOnly` from now on.")
    async def appointments(
        self,
        info: strawberry.Info[Context, None],
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        upcoming_only: Annotated[
            bool, strawberry.argument(description="Only appointments that end after now.")
        ] = False,
    ) -> Connection[Appointment]:
        page = to_page(APPOINTMENTS_BY_START, first, after, last, before)
        extra = ChildFilter("c.end_time > now()") if upcoming_only else ChildFilter()
        loaders = info.context.loaders
        rows = await loaders.appointments_by_pet.load((self.pk, (page, extra)))
        return build_connection(
            slice_rows(list(rows), page),
            APPOINTMENTS_BY_START,
            Appointment.from_row,
            lambda: loaders.appointment_count_by_pet.load((self.pk, extra)),
        )

    @classmethod
    def from_row(cls, row: Row) -> Pet:
        weight = row["weight_kg"]
        return cls(
            id=to_global_id("Pet", row["id"]),
            pk=row["id"],
            owner_id=row["owner_id"],
            primary_vet_id=row["primary_vet_id"],
            name=row["name"],
            species=Species(row["species"]),
            breed=row["breed"],
            sex=Sex(row["sex"]),
            is_neutered=row["is_neutered"],
            date_of_birth=row["date_of_birth"],
            weight_kg=None if weight is None else float(weight),
            color=row["color"],
            microchip_id=row["microchip_id"],
            is_deceased=row["is_deceased"],
            behavioral_notes=row["behavioral_notes"],
            preferred_appointment_time=PreferredTime(row["preferred_appointment_time"])
            if row["preferred_appointment_time"]
            else None,
            last_visit_date=row["last_visit_date"],
            next_visit_due=row["next_visit_due"],
            created_at=row["created_at"],
        )
