"""`node(id:)` and `nodes(ids:)`: any object by its global ID, under RLS."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from uuid import UUID

import strawberry

from db.session import Row
from graph.context import Context
from graph.errors import BadUserInput
from graph.loaders import Loaders
from graph.types.alarms import AnesthesiaAlarm
from graph.types.anesthesia import AnesthesiaLog, VitalSign
from graph.types.billing import SubscriptionPlan
from graph.types.billing_mutations import TenantSubscription
from graph.types.clinical import DiagnosisCode, PatientAlert, PatientProblem
from graph.types.devices import UserDevice
from graph.types.node import Node, from_global_id
from graph.types.people import Clinic, Profile
from graph.types.pet import Pet
from graph.types.promotions import Promotion
from graph.types.scheduling import Appointment, ExamRoom
from graph.types.scheduling_mutations import AppointmentRecurrence

MAX_NODES = 100

_Fetch = Callable[[Loaders, Any], Awaitable[Row | None]]
_NODE_TYPES: dict[str, tuple[_Fetch, Callable[[Row], Any]]] = {
    "Pet": (lambda ls, pk: ls.pet_by_id.load(pk), Pet.from_row),
    "Profile": (lambda ls, pk: ls.profile_by_id.load(pk), Profile.from_row),
    "PatientAlert": (lambda ls, pk: ls.alert_by_id.load(pk), PatientAlert.from_row),
    "PatientProblem": (lambda ls, pk: ls.problem_by_id.load(pk), PatientProblem.from_row),
    "AnesthesiaLog": (lambda ls, pk: ls.anesthesia_log_by_id.load(pk), AnesthesiaLog.from_row),
    "VitalSign": (lambda ls, pk: ls.vital_by_id.load(pk), VitalSign.from_row),
    "AnesthesiaAlarm": (lambda ls, pk: ls.alarm_by_id.load(pk), AnesthesiaAlarm.from_row),
    "Appointment": (lambda ls, pk: ls.appointment_by_id.load(pk), Appointment.from_row),
    "ExamRoom": (lambda ls, pk: ls.exam_room_by_id.load(pk), ExamRoom.from_row),
    "DiagnosisCode": (lambda ls, pk: ls.diagnosis_code_by_id.load(pk), DiagnosisCode.from_row),
    "UserDevice": (lambda ls, pk: ls.device_by_id.load(pk), UserDevice.from_row),
    "Promotion": (lambda ls, pk: ls.promotion_by_id.load(pk), Promotion.from_row),
    "AppointmentRecurrence": (lambda ls, pk: ls.recurrence_by_id.load(pk), AppointmentRecurrence.from_row),
    "TenantSubscription": (lambda ls, pk: ls.subscription_by_id.load(pk), TenantSubscription.from_row),
    "Clinic": (lambda ls, key: ls.clinic_by_id.load(key), Clinic.from_row),
    "SubscriptionPlan": (lambda ls, key: ls.plan_by_id.load(key), SubscriptionPlan.from_row),
}
# Types keyed by text (a clinic's slug, a plan's code); every other key is a UUID.
_TEXT_KEYS = frozenset({"Clinic", "SubscriptionPlan"})

NodeId = Annotated[strawberry.ID, strawberry.argument(description="A global ID from any object's `id` field.")]


async def _resolve(info: strawberry.Info[Context, None], global_id: str) -> Node | None:
    type_name, key = from_global_id(global_id)
    entry = _NODE_TYPES.get(type_name)
    if entry is None:
        raise BadUserInput(f"{global_id!r} is not a valid ID")
    pk: UUID | str = key
    if type_name not in _TEXT_KEYS:
        try:
            pk = UUID(key)
        except ValueError:
            raise BadUserInput(f"{global_id!r} is not a valid ID") from None
    fetch, to_type = entry
    row = await fetch(info.context.loaders, pk)
    return None if row is None else to_type(row)


async def node(info: strawberry.Info[Context, None], id: NodeId) -> Node | None:
    """The object with this ID, or null if it does not exist or the caller may not see it."""
    return await _resolve(info, id)


async def nodes(
    info: strawberry.Info[Context, None],
    ids: Annotated[list[strawberry.ID], strawberry.argument(description=f"Up to {MAX_NODES} global IDs.")],
) -> list[Node | None]:
    """Several objects by ID, in the order asked; null where one is missing or hidden."""
    if len(ids) > MAX_NODES:
        raise BadUserInput(f"at most {MAX_NODES} ids at once")
    return list(await asyncio.gather(*(_resolve(info, i) for i in ids)))
