"""The schema, assembled in one place from each domain's root fields."""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig

from graph.extensions import EXTENSIONS
from graph.resolvers import billing as billing_r
from graph.resolvers import nodes as nodes_r
from graph.resolvers import pets as pets_r
from graph.resolvers import scheduling as scheduling_r
from graph.resolvers import viewer as viewer_r
from graph.types.anesthesia import AnesthesiaLog, VitalSign
from graph.types.billing import SubscriptionPlan
from graph.types.clinical import DiagnosisCode, PatientAlert, PatientProblem
from graph.types.connection import Connection
from graph.types.node import Node
from graph.types.people import Clinic, Profile
from graph.types.pet import Pet
from graph.types.scheduling import Appointment, ExamRoom
from graph.types.viewer import Viewer


@strawberry.type(description="Reading VetQL. Everything is filtered by who asks (row-level security).")
class Query:
    viewer: Viewer | None = strawberry.field(resolver=viewer_r.viewer, description="The caller; null without a token.")
    node: Node | None = strawberry.field(
        resolver=nodes_r.node,
        description="The object with this ID, or null if it does not exist or the caller may not see it.",
    )
    nodes: list[Node | None] = strawberry.field(
        resolver=nodes_r.nodes, description="Several objects by ID, in order; null where missing or hidden."
    )
    pets: Connection[Pet] = strawberry.field(
        resolver=pets_r.pets,
        description="The clinic's patients (an owner: their own pets), a page at a time.",
    )
    pet: Pet | None = strawberry.field(
        resolver=pets_r.pet, description="One patient by ID; null if missing or not visible to the caller."
    )
    appointments: Connection[Appointment] = strawberry.field(
        resolver=scheduling_r.appointments,
        description="Appointments by start time (an owner: their pets'), a page at a time.",
    )
    exam_rooms: list[ExamRoom] = strawberry.field(
        resolver=scheduling_r.exam_rooms, description="The clinic's rooms in display order. Staff only."
    )
    subscription_plans: list[SubscriptionPlan] = strawberry.field(
        resolver=billing_r.subscription_plans, description="Plans on offer, cheapest first. Public."
    )


schema = strawberry.Schema(
    query=Query,
    types=[Clinic, Profile, PatientAlert, PatientProblem, DiagnosisCode, AnesthesiaLog, VitalSign, ExamRoom],
    extensions=EXTENSIONS,
    config=StrawberryConfig(auto_camel_case=True),
)
