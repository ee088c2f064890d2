"""The schema, assembled in one place from each domain's root fields."""

from __future__ import annotations

from functools import lru_cache

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from graph.compiled.execution import PassThroughExecutionContext
from graph.extensions import extensions
from graph.permissions import (
    CarriesItsOwnCredential,
    IsAdmin,
    IsAdminOrPlatform,
    IsClinicMember,
    IsPlatform,
    IsSignedIn,
    IsStaff,
)
from graph.resolvers import anesthesia as anesthesia_r
from graph.resolvers import audit as audit_r
from graph.resolvers import billing as billing_r
from graph.resolvers import billing_mutations as billing_m
from graph.resolvers import live as live_r
from graph.resolvers import nodes as nodes_r
from graph.resolvers import pets as pets_r
from graph.resolvers import promotions as promotions_r
from graph.resolvers import staff as staff_r
from graph.resolvers import viewer as viewer_r
from graph.resolvers import visits as visits_r
from graph.resolvers.front_desk import owners as owners_r
from graph.resolvers.front_desk import patients as patients_r
from graph.resolvers.front_desk import search as search_r
from graph.resolvers.records import alerts, devices, problems, profiles
from graph.resolvers.scheduling import queries as scheduling_q
from graph.resolvers.scheduling import recurrence, rooms, visits
from graph.resolvers.till import catalogue, invoices, payments
from graph.table import check_described
from graph.types.alarms import AnesthesiaAlarm
from graph.types.anesthesia import AnesthesiaLog, VitalSign
from graph.types.anesthesia_mutations import AnesthesiaLogPayload, RecordVitalsPayload
from graph.types.audit import AuditEvent
from graph.types.billing import SubscriptionPlan
from graph.types.billing_mutations import (
    SubscriptionPlanPayload,
    TenantSubscription,
    TenantSubscriptionPayload,
    UsagePeriod,
)
from graph.types.clinical import DiagnosisCode, PatientAlert, PatientProblem
from graph.types.connection import Connection
from graph.types.devices import UserDevice
from graph.types.front_desk import OwnerPayload, PatientPayload, SearchHit
from graph.types.node import Node
from graph.types.people import Clinic, Profile
from graph.types.pet import Pet
from graph.types.promotions import (
    Promotion,
    PromotionPayload,
    PromotionValidation,
    RedeemPromotionPayload,
    VoidInvoicePayload,
)
from graph.types.records_mutations import (
    ClinicPayload,
    PatientAlertPayload,
    PatientProblemPayload,
    PetPayload,
    ProfilePayload,
    UserDevicePayload,
)
from graph.types.scheduling import Appointment, ExamRoom
from graph.types.scheduling_mutations import (
    AppointmentPayload,
    CancelRecurrencePayload,
    ExamRoomPayload,
    RecurringAppointmentsPayload,
)
from graph.types.staff import (
    AcceptInvitationPayload,
    CreateClinicPayload,
    InvitationPayload,
    StaffInvitation,
    StaffPayload,
)
from graph.types.till import Invoice, InvoiceSettings, Product, Service
from graph.types.till_mutations import (
    InvoicePayload,
    InvoiceSettingsPayload,
    PaymentPayload,
    ProductPayload,
    RefundPayload,
    ServicePayload,
)
from graph.types.viewer import Viewer
from graph.types.visits import Vaccine
from graph.types.visits_mutations import MedicalRecordPayload, VaccinePayload
from graph.types.weights import PetWeight


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
        resolver=scheduling_q.appointments,
        description="Appointments by start time (an owner: their pets'), a page at a time.",
    )
    exam_rooms: list[ExamRoom] = strawberry.field(
        resolver=scheduling_q.exam_rooms, description="The clinic's rooms in display order. Staff only."
    )
    subscription_plans: list[SubscriptionPlan] = strawberry.field(
        resolver=billing_r.subscription_plans, description="Plans on offer, cheapest first. Public."
    )
    tenant_subscription: TenantSubscription | None = strawberry.field(
        resolver=billing_m.tenant_subscription,
        permission_classes=[IsAdminOrPlatform],
        description="A clinic's current subscription. Platform: any clinic; an admin: their own.",
    )
    tenant_usage: list[UsagePeriod] = strawberry.field(
        resolver=billing_m.tenant_usage,
        permission_classes=[IsAdminOrPlatform],
        description="A clinic's usage per calendar month, counted by the database. Platform: any clinic; "
        "an admin: their own.",
    )
    promotions: Connection[Promotion] = strawberry.field(
        resolver=promotions_r.promotions,
        permission_classes=[IsStaff],
        description="The clinic's discount codes, newest first, a page at a time. Staff only.",
    )
    validate_promotion: PromotionValidation = strawberry.field(
        resolver=promotions_r.validate_promotion,
        permission_classes=[IsStaff],
        description="Whether a code applies to an invoice now, the discount, and every reason it does not. Staff only.",
    )
    diagnosis_codes: list[DiagnosisCode] = strawberry.field(
        resolver=problems.diagnosis_codes,
        permission_classes=[IsSignedIn],
        description="Active diagnosis codes whose term or code matches `search` (also misspelt), best first.",
    )
    owners: Connection[Profile] = strawberry.field(
        resolver=owners_r.owners,
        permission_classes=[IsStaff],
        description="The clinic's clients (pet owners) by name, a page at a time; archived on request. Staff only.",
    )
    search: list[SearchHit] = strawberry.field(
        resolver=search_r.search,
        permission_classes=[IsStaff],
        description="The front desk's search: clients by name, document, phone or e-mail and patients by name or "
        "microchip, accents and case ignored, best match first. Staff only.",
    )
    my_devices: list[UserDevice] = strawberry.field(
        resolver=devices.my_devices,
        permission_classes=[IsClinicMember],
        description="The caller's push-notification devices, most recently used first.",
    )
    audit_events: Connection[AuditEvent] = strawberry.field(
        resolver=audit_r.audit_events,
        permission_classes=[IsAdmin],
        description="Who changed which clinical or financial record, when and how, newest first. Admins only.",
    )
    upcoming_vaccines: Connection[Vaccine] = strawberry.field(
        resolver=visits_r.upcoming_vaccines,
        permission_classes=[IsStaff],
        description="Vaccines falling due within `within` days of the clinic's today, soonest first. Staff only.",
    )
    # The till: catalogue, invoices (graph/resolvers/till/)
    services: list[Service] = strawberry.field(
        resolver=catalogue.services,
        permission_classes=[IsStaff],
        description="The clinic's services by name. Staff only.",
    )
    products: list[Product] = strawberry.field(
        resolver=catalogue.products,
        permission_classes=[IsStaff],
        description="The clinic's products by name. Staff only.",
    )
    invoice_settings: InvoiceSettings = strawberry.field(
        resolver=catalogue.invoice_settings,
        permission_classes=[IsStaff],
        description="Whether the clinic's prices include IVA, its RUC, timbrado and numbering. Staff only.",
    )
    invoices: Connection[Invoice] = strawberry.field(
        resolver=invoices.invoices,
        permission_classes=[IsClinicMember],
        description="Invoices newest first, a page at a time: staff see the clinic's, an owner their own.",
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
    create_patient_alert: PatientAlertPayload = strawberry.mutation(
        resolver=alerts.create_patient_alert,
        permission_classes=[IsStaff],
        description="Raise a warning on a patient (type, severity, title, optional expiry). Staff only.",
    )
    update_patient_alert: PatientAlertPayload = strawberry.mutation(
        resolver=alerts.update_patient_alert,
        permission_classes=[IsStaff],
        description="Edit an alert. Staff only.",
    )
    deactivate_patient_alert: PatientAlertPayload = strawberry.mutation(
        resolver=alerts.deactivate_patient_alert,
        permission_classes=[IsStaff],
        description="Switch an alert off. Staff only.",
    )
    add_patient_problem: PatientProblemPayload = strawberry.mutation(
        resolver=problems.add_patient_problem,
        permission_classes=[IsStaff],
        description="Add a problem-list entry (coded or free); one active entry per pet and code. Staff only.",
    )
    update_patient_problem: PatientProblemPayload = strawberry.mutation(
        resolver=problems.update_patient_problem,
        permission_classes=[IsStaff],
        description="Edit a problem-list entry. Staff only.",
    )
    resolve_patient_problem: PatientProblemPayload = strawberry.mutation(
        resolver=problems.resolve_patient_problem,
        permission_classes=[IsStaff],
        description="Mark a problem resolved (not before its onset); it stops being active. Staff only.",
    )
    mark_problem_chronic: PatientProblemPayload = strawberry.mutation(
        resolver=problems.mark_problem_chronic,
        permission_classes=[IsStaff],
        description="Mark a problem chronic, or not. Staff only.",
    )
    update_profile: ProfilePayload = strawberry.mutation(
        resolver=profiles.update_profile,
        permission_classes=[IsClinicMember],
        description="Edit contact details and preferences: owners their own profile, staff their clinic's.",
    )
    update_clinic: ClinicPayload = strawberry.mutation(
        resolver=profiles.update_clinic,
        permission_classes=[IsAdmin],
        description="Edit the caller's clinic: contact, hours, booking and notification settings. Admin only.",
    )
    update_pet: PetPayload = strawberry.mutation(
        resolver=profiles.update_pet,
        permission_classes=[IsStaff],
        description="Edit a pet: name, species, breed, sex, neutered, birth, colour, microchip, weight (each change "
        "kept), primary vet, insurance policy, behavioural notes, preferred time. Staff only.",
    )

    # The front desk: clients and patients (graph/resolvers/front_desk/)
    create_owner: OwnerPayload = strawberry.mutation(
        resolver=owners_r.create_owner,
        permission_classes=[IsStaff],
        description="Register a client: name, document (unique in the clinic), phones (stored E.164), e-mail, "
        "address, emergency contact, preferences. Staff only.",
    )
    update_owner: OwnerPayload = strawberry.mutation(
        resolver=owners_r.update_owner,
        permission_classes=[IsStaff],
        description="Edit a client. Staff only.",
    )
    archive_owner: OwnerPayload = strawberry.mutation(
        resolver=owners_r.archive_owner,
        permission_classes=[IsStaff],
        description="Archive a client: kept, hidden from lists and search. Staff only.",
    )
    restore_owner: OwnerPayload = strawberry.mutation(
        resolver=owners_r.restore_owner,
        permission_classes=[IsAdmin],
        description="Bring an archived client back. Admin only.",
    )
    create_pet: PatientPayload = strawberry.mutation(
        resolver=patients_r.create_pet,
        permission_classes=[IsStaff],
        description="Register a patient of a client of the clinic (microchip unique in the clinic). Staff only.",
    )
    transfer_pet: PatientPayload = strawberry.mutation(
        resolver=patients_r.transfer_pet,
        permission_classes=[IsStaff],
        description="Move a patient to another client of the same clinic. Staff only.",
    )
    mark_pet_deceased: PatientPayload = strawberry.mutation(
        resolver=patients_r.mark_pet_deceased,
        permission_classes=[IsStaff],
        description="Record a patient's death (date and cause); its future visits are cancelled, its series "
        "ended, and it can no longer be booked or anaesthetised. Staff only.",
    )
    archive_pet: PatientPayload = strawberry.mutation(
        resolver=patients_r.archive_pet,
        permission_classes=[IsStaff],
        description="Archive a patient: kept, hidden from lists and search, not bookable. Staff only.",
    )
    restore_pet: PatientPayload = strawberry.mutation(
        resolver=patients_r.restore_pet,
        permission_classes=[IsAdmin],
        description="Bring an archived patient back. Admin only.",
    )

    # Clinics and staff (graph/resolvers/staff.py)
    create_clinic: CreateClinicPayload = strawberry.mutation(
        resolver=staff_r.create_clinic,
        permission_classes=[IsPlatform],
        description="Open a clinic with its settings and invite its first admin (a single-use code). Platform only.",
    )
    invite_staff: InvitationPayload = strawberry.mutation(
        resolver=staff_r.invite_staff,
        permission_classes=[IsAdmin],
        description="Invite a vet or admin by e-mail with a single-use, expiring code. Admin only.",
    )
    invite_owner: InvitationPayload = strawberry.mutation(
        resolver=staff_r.invite_owner,
        permission_classes=[IsStaff],
        description="Invite a client to the owner app with a single-use, expiring code. Staff only.",
    )
    accept_invitation: AcceptInvitationPayload = strawberry.mutation(
        resolver=staff_r.accept_invitation,
        permission_classes=[CarriesItsOwnCredential],
        description="Join a clinic's staff with an invitation's code; no token needed, the code is the credential.",
    )
    change_staff_role: StaffPayload = strawberry.mutation(
        resolver=staff_r.change_staff_role,
        permission_classes=[IsAdmin],
        description="Change a vet's or admin's role; the clinic keeps an active admin. Admin only.",
    )
    deactivate_staff: StaffPayload = strawberry.mutation(
        resolver=staff_r.deactivate_staff,
        permission_classes=[IsAdmin],
        description="Deactivate a vet or admin: their tokens stop at once; the clinic keeps an active admin. "
        "Admin only.",
    )
    register_device: UserDevicePayload = strawberry.mutation(
        resolver=devices.register_device,
        permission_classes=[IsClinicMember],
        description="Register the caller's push token; a token another user had moves to the caller.",
    )
    touch_device: UserDevicePayload = strawberry.mutation(
        resolver=devices.touch_device,
        permission_classes=[IsClinicMember],
        description="Record use of one of the caller's devices now.",
    )
    deactivate_device: UserDevicePayload = strawberry.mutation(
        resolver=devices.deactivate_device,
        permission_classes=[IsClinicMember],
        description="Stop pushes to one of the caller's devices.",
    )
    create_subscription_plan: SubscriptionPlanPayload = strawberry.mutation(
        resolver=billing_m.create_subscription_plan,
        permission_classes=[IsPlatform],
        description="Add a plan to the price list. Platform only.",
    )
    update_subscription_plan: SubscriptionPlanPayload = strawberry.mutation(
        resolver=billing_m.update_subscription_plan,
        permission_classes=[IsPlatform],
        description="Change a plan; `isActive: false` retires it. Platform only.",
    )
    create_tenant_subscription: TenantSubscriptionPayload = strawberry.mutation(
        resolver=billing_m.create_tenant_subscription,
        permission_classes=[IsPlatform],
        description="Subscribe a clinic to an active plan (TRIALING or ACTIVE). Platform only.",
    )
    update_tenant_subscription: TenantSubscriptionPayload = strawberry.mutation(
        resolver=billing_m.update_tenant_subscription,
        permission_classes=[IsPlatform],
        description="Change a clinic's subscription status or plan, or cancel at period end. Platform only.",
    )
    create_promotion: PromotionPayload = strawberry.mutation(
        resolver=promotions_r.create_promotion,
        permission_classes=[IsStaff],
        description="Create a discount code; the clinic's plan caps how many are active. Staff only.",
    )
    update_promotion: PromotionPayload = strawberry.mutation(
        resolver=promotions_r.update_promotion,
        permission_classes=[IsStaff],
        description="Edit a discount code or switch it on or off. Staff only.",
    )
    redeem_promotion: RedeemPromotionPayload = strawberry.mutation(
        resolver=promotions_r.redeem_promotion,
        permission_classes=[IsStaff],
        description="Apply a code to an invoice atomically (limits hold under concurrency). Staff only.",
    )
    void_invoice: VoidInvoicePayload = strawberry.mutation(
        resolver=promotions_r.void_invoice,
        permission_classes=[IsStaff],
        description="Void an unpaid invoice; its promotion uses are given back. Staff only.",
    )

    # The till: catalogue, settings, invoices, payments (graph/resolvers/till/)
    create_service: ServicePayload = strawberry.mutation(
        resolver=catalogue.create_service,
        permission_classes=[IsStaff],
        description="Add a service to the catalogue (price in whole PYG, IVA rate). Staff only.",
    )
    update_service: ServicePayload = strawberry.mutation(
        resolver=catalogue.update_service,
        permission_classes=[IsStaff],
        description="Change a service; `isActive: false` stops invoicing it. Staff only.",
    )
    create_product: ProductPayload = strawberry.mutation(
        resolver=catalogue.create_product,
        permission_classes=[IsStaff],
        description="Add a product to the catalogue (price in whole PYG, IVA rate). Staff only.",
    )
    update_product: ProductPayload = strawberry.mutation(
        resolver=catalogue.update_product,
        permission_classes=[IsStaff],
        description="Change a product; `isActive: false` stops invoicing it. Staff only.",
    )
    update_invoice_settings: InvoiceSettingsPayload = strawberry.mutation(
        resolver=catalogue.update_invoice_settings,
        permission_classes=[IsAdmin],
        description="Whether prices include IVA; the clinic's RUC, timbrado and numbering codes. Admin only.",
    )
    create_invoice: InvoicePayload = strawberry.mutation(
        resolver=invoices.create_invoice,
        permission_classes=[IsStaff],
        description="Start a draft invoice for an owner, with lines from the catalogue. Staff only.",
    )
    add_invoice_line: InvoicePayload = strawberry.mutation(
        resolver=invoices.add_invoice_line,
        permission_classes=[IsStaff],
        description="Add a catalogue line to a draft; the database recomputes totals and IVA. Staff only.",
    )
    remove_invoice_line: InvoicePayload = strawberry.mutation(
        resolver=invoices.remove_invoice_line,
        permission_classes=[IsStaff],
        description="Take a line off a draft. Staff only.",
    )
    issue_invoice: InvoicePayload = strawberry.mutation(
        resolver=invoices.issue_invoice,
        permission_classes=[IsStaff],
        description="Issue a draft: numbered gap-free by the database, never edited again. Staff only.",
    )
    record_payment: PaymentPayload = strawberry.mutation(
        resolver=payments.record_payment,
        permission_classes=[IsStaff],
        description="Record a cash, card or transfer payment; never more than the balance due. Staff only.",
    )
    refund_payment: RefundPayload = strawberry.mutation(
        resolver=payments.refund_payment,
        permission_classes=[IsStaff],
        description="Give money back against a payment; the invoice owes it again. Staff only.",
    )

    # Visit notes and vaccines (graph/resolvers/visits.py)
    create_medical_record: MedicalRecordPayload = strawberry.mutation(
        resolver=visits_r.create_medical_record, permission_classes=[IsStaff],
        description="Write a SOAP visit note for an appointment or walk-in, as the caller. Staff only.",
    )
    update_medical_record: MedicalRecordPayload = strawberry.mutation(
        resolver=visits_r.update_medical_record, permission_classes=[IsStaff],
        description="Edit a visit note that is not signed yet. Staff only.",
    )
    sign_medical_record: MedicalRecordPayload = strawberry.mutation(
        resolver=visits_r.sign_medical_record, permission_classes=[IsStaff],
        description="Sign a visit note: never edited afterwards. Staff only.",
    )
    add_medical_record_addendum: MedicalRecordPayload = strawberry.mutation(
        resolver=visits_r.add_medical_record_addendum, permission_classes=[IsStaff],
        description="Add a correction or addition to a visit note, with who and when. Staff only.",
    )
    record_vaccine: VaccinePayload = strawberry.mutation(
        resolver=visits_r.record_vaccine, permission_classes=[IsStaff],
        description="Record a vaccine given (product, lot, dose, route, site, next dose). Staff only.",
    )

    # Scheduling: rooms, bookings, the visit flow, recurring series (graph/resolvers/scheduling/)
    create_exam_room: ExamRoomPayload = strawberry.mutation(
        resolver=rooms.create_exam_room,
        permission_classes=[IsStaff],
        description="Add an exam room (name unique in the clinic, ignoring case). Staff only.",
    )
    update_exam_room: ExamRoomPayload = strawberry.mutation(
        resolver=rooms.update_exam_room,
        permission_classes=[IsStaff],
        description="Edit a room; `isActive: false` takes it out of use. Staff only.",
    )
    assign_room: AppointmentPayload = strawberry.mutation(
        resolver=rooms.assign_room,
        permission_classes=[IsStaff],
        description="Put an appointment in a room; never more at once than the room's capacity. Staff only.",
    )
    release_room: AppointmentPayload = strawberry.mutation(
        resolver=rooms.release_room,
        permission_classes=[IsStaff],
        description="Free the room an appointment holds. Staff only.",
    )
    move_room: AppointmentPayload = strawberry.mutation(
        resolver=rooms.move_room,
        permission_classes=[IsStaff],
        description="Move an appointment to another room in one step. Staff only.",
    )
    book_appointment: AppointmentPayload = strawberry.mutation(
        resolver=visits.book_appointment,
        permission_classes=[IsClinicMember],
        description="Book a visit within the clinic's hours and settings. Staff: any patient; owners: their pets.",
    )
    reschedule_appointment: AppointmentPayload = strawberry.mutation(
        resolver=visits.reschedule_appointment,
        permission_classes=[IsStaff],
        description="Move a booked visit to another time (and vet); its room follows if it fits. Staff only.",
    )
    cancel_appointment: AppointmentPayload = strawberry.mutation(
        resolver=visits.cancel_appointment,
        permission_classes=[IsClinicMember],
        description="Cancel a visit. Owners: their pets', before the clinic's cancellation window.",
    )
    mark_no_show: AppointmentPayload = strawberry.mutation(
        resolver=visits.mark_no_show,
        permission_classes=[IsStaff],
        description="The patient did not come. Staff only.",
    )
    check_in: AppointmentPayload = strawberry.mutation(
        resolver=visits.check_in,
        permission_classes=[IsStaff],
        description="The patient arrived (sets checkedInAt/By). Staff only.",
    )
    start_appointment: AppointmentPayload = strawberry.mutation(
        resolver=visits.start_appointment,
        permission_classes=[IsStaff],
        description="The consultation begins (sets startedAt, waitTimeMinutes). Staff only.",
    )
    complete_appointment: AppointmentPayload = strawberry.mutation(
        resolver=visits.complete_appointment,
        permission_classes=[IsStaff],
        description="The visit ends (sets completedAt, visitDurationMinutes, the pet's lastVisitDate). Staff only.",
    )
    create_recurring_appointments: RecurringAppointmentsPayload = strawberry.mutation(
        resolver=recurrence.create_recurring_appointments,
        permission_classes=[IsStaff],
        description="Create a recurring series and book it up to a horizon; conflicts reported per occurrence. "
        "Staff only.",
    )
    cancel_occurrence: AppointmentPayload = strawberry.mutation(
        resolver=recurrence.cancel_occurrence,
        permission_classes=[IsStaff],
        description="Cancel one occurrence of a series. Staff only.",
    )
    cancel_recurrence: CancelRecurrencePayload = strawberry.mutation(
        resolver=recurrence.cancel_recurrence,
        permission_classes=[IsStaff],
        description="Cancel an occurrence and all following ones; the series ends. Staff only.",
    )
    edit_occurrence: AppointmentPayload = strawberry.mutation(
        resolver=recurrence.edit_occurrence,
        permission_classes=[IsStaff],
        description="Change one occurrence of a series (time, length, vet, reason). Staff only.",
    )


@strawberry.type(description="Live events over WebSocket (graphql-transport-ws, graphql-ws) or HTTP multipart.")
class Subscription:
    vitals_recorded = strawberry.subscription(
        resolver=live_r.vitals_recorded,
        description="Each new reading of one anesthesia log, in commit order, exactly once; with `after` (a "
        "reading's cursor), first every reading committed after it; with `since`, first the readings taken at or "
        "after that instant. Completes when the log is completed. Staff of the log's clinic only.",
    )
    anesthesia_alarms = strawberry.subscription(
        resolver=live_r.anesthesia_alarms,
        description="The alarms active now (`isCurrentState`), then each RAISED / CLEARED transition, on one log "
        "(completes when the log is completed; `after` resumes) or on every open log of the clinic. Staff only.",
    )
    surgery_events = strawberry.subscription(
        resolver=live_r.surgery_events,
        description="The clinic's open surgeries as they stand, then every log opened, phase recorded, log "
        "completed and alarm raised or cleared, numbered per clinic; `after` resumes. Staff only.",
    )
    open_log_vitals = strawberry.subscription(
        resolver=live_r.open_log_vitals,
        description="Each new reading of every open log of the clinic, with its log: a whole operating block in "
        "one subscription. Staff only.",
    )


_TYPES = [
    Clinic,
    Profile,
    PatientAlert,
    PatientProblem,
    DiagnosisCode,
    AnesthesiaLog,
    VitalSign,
    ExamRoom,
    AnesthesiaAlarm,
    Promotion,
    TenantSubscription,
    PetWeight,
    StaffInvitation,
]


class _Schema(strawberry.Schema):
    """Strawberry's schema, logging errors VetQL's way (graph/extensions.py TypedErrors): unexpected ones with
    their stack, a busy or unavailable database as one warning, and nothing of what a client got wrong."""

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        # Strawberry's default logs every error with its stack at ERROR, the client's mistakes too, and
        # their messages can quote what was sent ("Variable '$notes' got invalid value ..."): clinical
        # text would reach the log. TypedErrors logs what is the server's to log.
        return


def _build(*, production: bool) -> strawberry.Schema:
    return _Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=_TYPES,
        extensions=extensions(production=production),
        execution_context_class=PassThroughExecutionContext,
        config=StrawberryConfig(auto_camel_case=True, disable_field_suggestions=production),
    )


schema = _build(production=False)
# Every field of a table-backed type says what it is in SQL (or that it is resolver-only): fail here, not later.
check_described()


@lru_cache(maxsize=1)
def production_schema() -> strawberry.Schema:
    """The same schema for VETQL_ENV=production: no name suggestions, introspection for staff only."""
    return _build(production=True)
