"""Per-request DataLoaders: one batched SQL statement per nesting level.

Built fresh for every operation (never at module level, which would serve
one caller's rows to another). Each loader is bound to the caller's clinic;
with no clinic in the claims there is no clinic data to load.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, TypeVar
from uuid import UUID

from aiodataloader import DataLoader

from db import billing, reads, records
from db.pagination import Order, Page
from db.reads import ChildFilter
from db.session import RequestDb, Row

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class _Loader(DataLoader[K, V]):
    def __init__(self, batch: Callable[[Sequence[K]], Awaitable[list[V]]]) -> None:
        super().__init__()
        self._batch = batch

    async def batch_load_fn(self, keys: Sequence[K]) -> list[V]:
        return await self._batch(keys)


def _grouped(keys: Sequence[tuple[UUID, Any]]) -> dict[Any, list[UUID]]:
    """Loader keys (parent id, arguments) grouped by arguments: one statement per distinct arguments."""
    groups: dict[Any, list[UUID]] = defaultdict(list)
    for parent, args in keys:
        groups[args].append(parent)
    return groups


# Orders of the paged child lists; `id` last makes each a total order.
LOGS_NEWEST_FIRST = Order((("created_at", "timestamptz"), ("id", "uuid")), descending=True)
# Readings taken at the same instant keep the order they were recorded in (seq).
VITALS_OLDEST_FIRST = Order((("recorded_at", "timestamptz"), ("seq", "bigint")))
APPOINTMENTS_BY_START = Order((("start_time", "timestamptz"), ("id", "uuid")))


class Loaders:
    """Every loader of one operation, bound to its database transaction and clinic."""

    def __init__(self, db: RequestDb, tenant: str | None) -> None:
        self._db = db
        self._tenant = tenant
        self.profile_by_id = self._by_id("profiles")
        self.pet_by_id = self._by_id("pets")
        self.alert_by_id = self._by_id("patient_alerts", reads.ALERT_COLUMNS)
        self.problem_by_id = self._by_id("patient_problems")
        self.anesthesia_log_by_id = self._by_id("anesthesia_logs")
        self.vital_by_id = self._by_id("anesthesia_vitals")
        self.alarm_by_id = self._by_id("anesthesia_alarms")
        self.appointment_by_id = self._by_id("appointments")
        self.exam_room_by_id = self._by_id("exam_rooms")
        self.device_by_id = self._by_id("user_devices", records.DEVICE_COLUMNS)
        self.diagnosis_code_by_id: _Loader[UUID, Row | None] = _Loader(self._diagnosis_codes)
        self.promotion_by_id = self._by_id("promotions")
        self.recurrence_by_id = self._by_id("appointment_recurrence")
        # Billing rows: a clinic's admin reads its own, the platform (no clinic) every clinic's (RLS).
        self.subscription_by_id = self._billing_by_id("tenant_subscriptions")
        self.subscription_by_clinic: _Loader[str, Row | None] = _Loader(self._subscriptions)
        # Keyed by text ids: the clinic (its members and the platform, by RLS) and plans (shared).
        self.clinic_by_id: _Loader[str, Row | None] = _Loader(self._shared("tenants"))
        self.plan_by_id: _Loader[str, Row | None] = _Loader(self._shared("subscription_plans"))
        self.alerts_by_pet: _Loader[tuple[UUID, bool], list[Row]] = _Loader(self._alerts)
        self.problems_by_pet: _Loader[tuple[UUID, bool], list[Row]] = _Loader(self._problems)
        self.anesthesia_logs_by_pet = self._pages("anesthesia_logs", "pet_id", LOGS_NEWEST_FIRST)
        self.anesthesia_log_count_by_pet = self._counts("anesthesia_logs", "pet_id")
        self.vitals_by_log = self._pages("anesthesia_vitals", "anesthesia_log_id", VITALS_OLDEST_FIRST)
        self.vital_count_by_log = self._counts("anesthesia_vitals", "anesthesia_log_id")
        self.alarms_by_log: _Loader[UUID, list[Row]] = _Loader(self._alarms)
        self.appointments_by_pet = self._pages("appointments", "pet_id", APPOINTMENTS_BY_START)
        self.appointment_count_by_pet = self._counts("appointments", "pet_id")

    def _by_id(self, table: str, columns: str = "c.*") -> _Loader[UUID, Row | None]:
        async def batch(ids: Sequence[UUID]) -> list[Row | None]:
            if self._tenant is None:
                return [None] * len(ids)
            rows = await reads.rows_by_ids(self._db, table, self._tenant, ids, columns=columns)
            return [rows.get(i) for i in ids]

        return _Loader(batch)

    def _billing_by_id(self, table: str) -> _Loader[UUID, Row | None]:
        async def batch(ids: Sequence[UUID]) -> list[Row | None]:
            if self._tenant is None:  # the platform: RLS lets it read every clinic's, and nobody else any
                rows = await reads.shared_rows_by_ids(self._db, table, ids, "uuid")
            else:
                rows = await reads.rows_by_ids(self._db, table, self._tenant, ids)
            return [rows.get(i) for i in ids]

        return _Loader(batch)

    def _shared(self, table: str) -> Callable[[Sequence[str]], Awaitable[list[Row | None]]]:
        async def batch(ids: Sequence[str]) -> list[Row | None]:
            rows = await reads.shared_rows_by_ids(self._db, table, ids, "text")
            return [rows.get(i) for i in ids]

        return batch

    async def _subscriptions(self, clinics: Sequence[str]) -> list[Row | None]:
        rows = await billing.current_subscriptions(self._db, clinics)
        return [rows.get(c) for c in clinics]

    async def _diagnosis_codes(self, ids: Sequence[UUID]) -> list[Row | None]:
        rows = await reads.shared_rows_by_ids(self._db, "diagnosis_codes", ids, "uuid")
        return [rows.get(i) for i in ids]

    async def _children(
        self, table: str, keys: Sequence[tuple[UUID, bool]], active: str, order_by: str, columns: str = "c.*"
    ) -> list[list[Row]]:
        if self._tenant is None:
            return [[] for _ in keys]
        found: dict[tuple[UUID, bool], list[Row]] = {}
        for active_only, parents in _grouped(keys).items():
            rows = await reads.children(
                self._db,
                table,
                "pet_id",
                self._tenant,
                parents,
                where=active if active_only else "TRUE",
                order_by=order_by,
                columns=columns,
            )
            found.update({(p, active_only): rows[p] for p in parents})
        return [found[k] for k in keys]

    async def _alerts(self, keys: Sequence[tuple[UUID, bool]]) -> list[list[Row]]:
        # Most severe first, so a screen that shows one alert shows the one that matters.
        return await self._children(
            "patient_alerts",
            keys,
            reads.ACTIVE_ALERT,
            "array_position(ARRAY['danger','warning','info'], c.severity), c.created_at DESC, c.id",
            reads.ALERT_COLUMNS,
        )

    async def _problems(self, keys: Sequence[tuple[UUID, bool]]) -> list[list[Row]]:
        return await self._children(
            "patient_problems", keys, "c.is_active", "c.is_active DESC, c.onset_date DESC NULLS LAST, c.id"
        )

    async def _alarms(self, logs: Sequence[UUID]) -> list[list[Row]]:
        if self._tenant is None:
            return [[] for _ in logs]
        rows = await reads.children(
            self._db,
            "anesthesia_alarms",
            "anesthesia_log_id",
            self._tenant,
            logs,
            where="TRUE",
            order_by="c.raised_at, c.id",
        )
        return [rows[log] for log in logs]

    def _pages(
        self, table: str, fk: str, order: Order
    ) -> _Loader[tuple[UUID, tuple[Page, ChildFilter]], list[Row]]:
        async def batch(keys: Sequence[tuple[UUID, tuple[Page, ChildFilter]]]) -> list[list[Row]]:
            if self._tenant is None:
                return [[] for _ in keys]
            found: dict[tuple[UUID, tuple[Page, ChildFilter]], list[Row]] = {}
            for (page, extra), parents in _grouped(keys).items():
                rows = await reads.child_pages(self._db, table, fk, self._tenant, parents, order, page, extra)
                found.update({(p, (page, extra)): rows[p] for p in parents})
            return [found[k] for k in keys]

        return _Loader(batch)

    def _counts(self, table: str, fk: str) -> _Loader[tuple[UUID, ChildFilter], int]:
        async def batch(keys: Sequence[tuple[UUID, ChildFilter]]) -> list[int]:
            if self._tenant is None:
                return [0] * len(keys)
            found: dict[tuple[UUID, ChildFilter], int] = {}
            for extra, parents in _grouped(keys).items():
                counts = await reads.child_counts(self._db, table, fk, self._tenant, parents, extra)
                found.update({(p, extra): counts[p] for p in parents})
            return [found[k] for k in keys]

        return _Loader(batch)
