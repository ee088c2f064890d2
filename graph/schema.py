"""The schema, assembled in one place from each domain's root fields."""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig

from graph.compiled.execution import PassThroughExecutionContext
from graph.extensions import EXTENSIONS
from graph.permissions import IsStaff
from graph.resolvers import anesthesia as anesthesia_r
from graph.resolvers import billing as billing_r
from graph.resolvers import live as live_r
from graph.resolvers import nodes as nodes_r
from graph.resolvers import pets as pets_r
from graph.resolvers import scheduling as scheduling_r
from graph.resolvers import viewer as viewer_r
from graph.types.alarms import AnesthesiaAlarm
from graph.types.anesthesia import AnesthesiaLog, VitalSign
from graph.types.anesthesia_mutations import AnesthesiaLogPayload, RecordVitalsPayload
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


@strawberry.type(description="Changing VetQL. Every mutation is one transaction: all of it happens, or none.")
class Mutation:
    record_vitals: RecordVitalsPayload = strawberry.mutation(
        resolver=anesthesia_r.record_vitals_resolver,
        permission_classes=[IsStaff],
        description="Add one reading or a batch (up to 500) to an open anesthesia log. Staff only.",
    )
    start_anesthesia: AnesthesiaLogPayload = strawberry.mutation(
        resolver=anesthesia_r.start_anesthesia,
        permission_classes=[IsStaff],
        description="Open an anesthesia log for a procedure. Staff only.",
    )
    record_anesthesia_phase: AnesthesiaLogPayload = strawberry.mutation(
        resolver=anesthesia_r.record_anesthesia_phase,
        permission_classes=[IsStaff],
        description="Record when a phase began (induction ... full recovery), in order. Staff only.",
    )
    complete_anesthesia: AnesthesiaLogPayload = strawberry.mutation(
        resolver=anesthesia_r.complete_anesthesia,
        permission_classes=[IsStaff],
        description="Close an anesthesia log with its outcome; open alarms are cleared. Staff only.",
    )


@strawberry.type(description="Live events over WebSocket (graphql-transport-ws, graphql-ws) or HTTP multipart.")
class Subscription:
    vitals_recorded = strawberry.subscription(
        resolver=live_r.vitals_recorded,
        description="Each new reading of one anesthesia log, in order, exactly once; with `since`, first the "
        "readings recorded after that instant. Staff of the log's clinic only.",
    )
    anesthesia_alarms = strawberry.subscription(
        resolver=live_r.anesthesia_alarms,
        description="Alarms raised and cleared on one log, or on every open log of the clinic. Staff only.",
    )


schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    types=[
        Clinic,
        Profile,
        PatientAlert,
        PatientProblem,
        DiagnosisCode,
        AnesthesiaLog,
        VitalSign,
        ExamRoom,
        AnesthesiaAlarm,
    ],
    extensions=EXTENSIONS,
    execution_context_class=PassThroughExecutionContext,
    config=StrawberryConfig(auto_camel_case=True),
)
