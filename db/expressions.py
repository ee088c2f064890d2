"""SQL that the GraphQL field descriptions name: values computed from a row, what a child list's
arguments mean, and the orders of child lists.

Each is a function of the row's alias, so the compiled path (one JSON statement
for a whole selection) and the loaders (one statement per nesting level) use
the same text; graph/ refers to these by name and holds no SQL of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from db.json_formats import base64url
from db.pagination import Order

Sql = Callable[[str], str]  # alias of the row -> SQL expression


@dataclass(frozen=True, slots=True)
class Computed:
    """A value computed from a row by the database; loaders select it as `name`."""

    name: str
    sql: Sql

    def select(self, alias: str = "c") -> str:
        return f"({self.sql(alias)}) AS {self.name}"


@dataclass(frozen=True, slots=True)
class Flag:
    """A boolean argument of a child list: when true, only rows meeting `sql`."""

    sql: Sql


@dataclass(frozen=True, slots=True)
class Bound:
    """An argument of a child list compared with a column: `sql(alias, parameter)` keeps a row."""

    sql: Callable[[str, str], str]


Condition = Flag | Bound


@dataclass(frozen=True, slots=True)
class ListOrder:
    """The order of a whole (unpaged) child list."""

    sql: Sql


def _alert_active(a: str) -> str:
    return f"{a}.is_active AND ({a}.expires_at IS NULL OR {a}.expires_at > now())"


# An alert is active until it is switched off or its expiry passes; judged by the database's clock, no job needed.
ALERT_IS_ACTIVE = Computed("active_now", _alert_active)
# A push token unused for 270 days is as good as gone (FCM drops it); judged at read time.
DEVICE_IS_ACTIVE = Computed("active_now", lambda a: f"{a}.is_active AND {a}.last_used_at > now() - interval '270 days'")
ALARM_IS_OPEN = Computed("is_open", lambda a: f"{a}.cleared_at IS NULL")


def _next_visit_due(a: str) -> str:
    """vetql.pet_due (migration 0026) written out, not called: Citus runs a statement on the worker that holds
    the clinic's shards, where a function that reads other tables cannot plan. The related rows and the
    clinic's time zone are matched to `:tenant`, the clinic every statement that reads a pet is scoped to,
    not to the row's tenant_id: the same rows, and a sub-select on the tenants reference table that Citus
    can run (it refuses one correlated with the outer row). The aliases are odd so that they never hide
    the row's."""
    booked = (
        "SELECT (min(due_a.start_time) AT TIME ZONE (SELECT due_t.timezone FROM tenants due_t"
        f" WHERE due_t.id = :tenant))::date FROM appointments due_a WHERE due_a.tenant_id = :tenant"
        f" AND due_a.pet_id = {a}.id AND due_a.status IN ('scheduled', 'confirmed')"
    )
    doses = (
        f"SELECT min(due_l.next_dose_date) FROM (SELECT DISTINCT ON (vetql.fold(due_v.name)) due_v.next_dose_date"
        f" FROM vaccines due_v WHERE due_v.tenant_id = :tenant AND due_v.pet_id = {a}.id"
        f" ORDER BY vetql.fold(due_v.name), due_v.administered_date DESC, due_v.created_at DESC, due_v.id DESC) due_l"
    )
    return f"CASE WHEN {a}.is_deceased THEN NULL ELSE least(({booked}), ({doses})) END"


# What is due next, from what is booked and vaccinated, when read (migration 0026 says why not a column);
# public.pets_next_visit_due(pets) is the same for other readers of the database.
PET_NEXT_VISIT_DUE = Computed("next_visit_due", _next_visit_due)

ONLY_ACTIVE_ALERTS = Flag(_alert_active)
ONLY_ACTIVE_PROBLEMS = Flag(lambda a: f"{a}.is_active")
ONLY_OPEN_ALARMS = Flag(lambda a: f"{a}.cleared_at IS NULL")
ONLY_UPCOMING = Flag(lambda a: f"{a}.end_time > now()")
RECORDED_SINCE = Bound(lambda a, p: f"{a}.recorded_at >= {p}")

# Most severe first, so a screen that shows one alert shows the one that matters.
ALERTS_MOST_SEVERE_FIRST = ListOrder(
    lambda a: f"array_position(ARRAY['danger','warning','info'], {a}.severity), {a}.created_at DESC, {a}.id"
)
PROBLEMS_ONGOING_FIRST = ListOrder(lambda a: f"{a}.is_active DESC, {a}.onset_date DESC NULLS LAST, {a}.id")
PETS_BY_NAME = ListOrder(lambda a: f"{a}.name, {a}.id")
WEIGHTS_OLDEST_FIRST = ListOrder(lambda a: f"{a}.recorded_at, {a}.id")
ONLY_CURRENT_PETS = Flag(lambda a: f"{a}.archived_at IS NULL")
ALARMS_AS_RAISED = ListOrder(lambda a: f"{a}.raised_at, {a}.id")

# Orders of the paged child lists; `id` last makes each a total order.
LOGS_NEWEST_FIRST = Order((("created_at", "timestamptz"), ("id", "uuid")), descending=True)
# Commit order: the per-log number readings get under the log's lock; what the live streams resume by.
VITALS_IN_COMMIT_ORDER = Order((("seq", "bigint"),))
APPOINTMENTS_BY_START = Order((("start_time", "timestamptz"), ("id", "uuid")))

# The till (migration 0020): what is still owed, in whole guaraníes, as the database keeps it.
INVOICE_BALANCE_DUE = Computed("balance_due", lambda a: f"({a}.total - {a}.amount_paid)::bigint")
INVOICES_NEWEST_FIRST = Order((("created_at", "timestamptz"), ("id", "uuid")), descending=True)
LINES_AS_ENTERED = ListOrder(lambda a: f"{a}.position, {a}.id")
PAYMENTS_AS_RECEIVED = ListOrder(lambda a: f"{a}.received_at, {a}.id")
REFUNDS_AS_MADE = ListOrder(lambda a: f"{a}.refunded_at, {a}.id")

# Visit notes and vaccines (migration 0021).
RECORD_IS_SIGNED = Computed("is_signed", lambda a: f"{a}.signed_at IS NOT NULL")
RECORDS_NEWEST_FIRST = Order(
    (("visit_date", "date"), ("created_at", "timestamptz"), ("id", "uuid")), descending=True
)
ADDENDA_AS_WRITTEN = ListOrder(lambda a: f"{a}.created_at, {a}.id")
VACCINES_NEWEST_FIRST = ListOrder(lambda a: f"{a}.administered_date DESC, {a}.id")
VACCINES_BY_DUE_DATE = Order((("next_dose_date", "date"), ("id", "uuid")))

# The audit trail (migration 0022): which object a row is about, as its GraphQL type and global ID.
AUDITED_TYPES = {
    "pets": "Pet", "patient_alerts": "PatientAlert", "patient_problems": "PatientProblem",
    "medical_records": "MedicalRecord", "medical_record_addenda": "MedicalRecordAddendum", "vaccines": "Vaccine",
    "anesthesia_logs": "AnesthesiaLog", "anesthesia_vitals": "VitalSign", "invoices": "Invoice",
    "invoice_items": "InvoiceLine", "payments": "Payment", "refunds": "Refund",
}  # fmt: skip


def _audited_type(a: str) -> str:
    cases = " ".join(f"WHEN '{table}' THEN '{name}'" for table, name in AUDITED_TYPES.items())
    return f"CASE {a}.table_name {cases} END"


AUDIT_RECORD_TYPE = Computed("record_type", _audited_type)
AUDIT_RECORD_ID = Computed(
    "record_global_id", lambda a: base64url(f"{_audited_type(a)} || ':' || {a}.record_id::text", pad=True)
)
AUDIT_NEWEST_FIRST = Order((("occurred_at", "timestamptz"), ("id", "uuid")), descending=True)
