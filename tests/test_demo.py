"""`vetql demo`: deterministic, idempotent, consistent Paraguayan demo clinics."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from db import migrate
from db.expressions import PET_NEXT_VISIT_DUE
from demo.clinics import ALERTS, DemoSummary, load_demo

TENANTS = ["clinica-san-roque", "veterinaria-asuncion", "centro-vet-encarnacion"]
STAFF = ("SELECT tenant_id, role, full_name, email FROM profiles WHERE role IN ('admin', 'vet')"
         " ORDER BY tenant_id, email")
TABLES = ["profiles", "services", "exam_rooms", "pets", "appointments", "room_assignments", "medical_records",
          "anesthesia_logs", "anesthesia_vitals", "patient_alerts", "patient_problems", "vaccines", "invoices",
          "invoice_items", "tenant_subscriptions", "tenant_usage"]


@pytest.fixture(scope="module")
def url(server_url: str) -> str:
    """A database of its own: demo loads delete and rewrite whole clinics."""
    from tests.conftest import fresh_database

    database = fresh_database(server_url, "vetql_demo")
    migrate.upgrade(database)
    return database


async def _counts(conn: asyncpg.Connection, tenant: str) -> dict[str, int]:
    return {t: await conn.fetchval(f"SELECT count(*) FROM {t} WHERE tenant_id = $1", tenant) for t in TABLES}


async def test_load_twice_is_idempotent_and_deterministic(url: str) -> None:
    first = await load_demo(url, progress=False)
    conn = await asyncpg.connect(url)
    try:
        pets_before = await conn.fetch("SELECT tenant_id, id, name, microchip_id FROM pets ORDER BY 1, 2")
        staff_before = await conn.fetch(STAFF)
        counts_before = {t: await _counts(conn, t) for t in TENANTS}
        second = await load_demo(url, progress=False)
        pets_after = await conn.fetch("SELECT tenant_id, id, name, microchip_id FROM pets ORDER BY 1, 2")
        staff_after = await conn.fetch(STAFF)
        counts_after = {t: await _counts(conn, t) for t in TENANTS}
        assert [c.tenant_id for c in second.clinics] == TENANTS
        assert [c.owner_ids for c in first.clinics] == [c.owner_ids for c in second.clinics]
        # staff join by invitation, so their profiles are new ones each time, the same people
        assert staff_before == staff_after and len(staff_after) == 3 * 4
        assert {c.admin_id for c in first.clinics}.isdisjoint(c.admin_id for c in second.clinics)
        assert pets_before == pets_after  # same ids, names and chips: nothing duplicated
        assert counts_before == counts_after
        for clinic in second.clinics:  # the summary tells what is in the database
            db = counts_after[clinic.tenant_id]
            assert {t: clinic.rows[t] for t in TABLES} == db, clinic.tenant_id
            assert db["pets"] == 60 and db["profiles"] == 1 + 3 + 30
        assert await conn.fetchval("SELECT count(*) FROM tenants WHERE id = ANY($1)", TENANTS) == 3
        assert await conn.fetchval("SELECT count(*) FROM diagnosis_codes WHERE standard = 'venom'") >= 30
    finally:
        await conn.close()


async def test_clinic_content_is_consistent(url: str) -> None:
    await load_demo(url, progress=False)
    conn = await asyncpg.connect(url)
    try:
        now = datetime.now(ZoneInfo("America/Asuncion"))
        for tenant in TENANTS:
            await _clinic_is_set_up(conn, tenant)
            await _alerts_cover_every_kind(conn, tenant)
            await _anesthesia_logs_are_consistent(conn, tenant, now)
            await _appointments_and_rooms_are_consistent(conn, tenant, now)
            await _counters_and_invoices_add_up(conn, tenant)
        await _last_visit_dates_match_the_backfill(conn)
    finally:
        await conn.close()


async def _clinic_is_set_up(conn: asyncpg.Connection, tenant: str) -> None:
    row = await conn.fetchrow("SELECT currency, timezone, locale, ruc FROM tenants WHERE id = $1", tenant)
    assert tuple(row)[:3] == ("PYG", "America/Asuncion", "es-PY") and row["ruc"].startswith("800")
    roles = dict(await conn.fetch(
        "SELECT role, count(*) FROM profiles WHERE tenant_id = $1 GROUP BY role", tenant))
    assert roles == {"admin": 1, "vet": 3, "owner": 30}
    assert await conn.fetchval(
        "SELECT count(*) FROM exam_rooms WHERE tenant_id = $1 AND room_type = 'surgery'", tenant) == 1


async def _alerts_cover_every_kind(conn: asyncpg.Connection, tenant: str) -> None:
    # every alert type and severity, some inactive, some expired
    types = {r[0] for r in await conn.fetch(
        "SELECT DISTINCT alert_type FROM patient_alerts WHERE tenant_id = $1", tenant)}
    severities = {r[0] for r in await conn.fetch(
        "SELECT DISTINCT severity FROM patient_alerts WHERE tenant_id = $1", tenant)}
    assert types == set(ALERTS) and severities == {"info", "warning", "danger"}
    assert await conn.fetchval(
        "SELECT count(*) FROM patient_alerts WHERE tenant_id = $1 AND NOT is_active", tenant) > 0
    assert await conn.fetchval(
        "SELECT count(*) FROM patient_alerts WHERE tenant_id = $1 AND expires_at < now()", tenant) > 0


async def _anesthesia_logs_are_consistent(conn: asyncpg.Connection, tenant: str, now: datetime) -> None:
    # exactly one anesthesia log still open, with vitals up to now
    open_logs = await conn.fetch(
        "SELECT id, induction_time FROM anesthesia_logs WHERE tenant_id = $1 AND completed_at IS NULL",
        tenant)
    assert len(open_logs) == 1
    assert await conn.fetchval(
        "SELECT max(recorded_at) FROM anesthesia_vitals WHERE tenant_id = $1 AND anesthesia_log_id = $2",
        tenant, open_logs[0]["id"]) <= now
    # completed logs have every phase, in order
    assert await conn.fetchval(
        "SELECT count(*) FROM anesthesia_logs WHERE tenant_id = $1 AND completed_at IS NOT NULL AND NOT"
        " (induction_time < maintenance_start AND maintenance_start < recovery_start"
        "  AND recovery_start < extubation_time AND extubation_time < full_recovery_time"
        "  AND full_recovery_time <= completed_at)", tenant) == 0


async def _appointments_and_rooms_are_consistent(conn: asyncpg.Connection, tenant: str, now: datetime) -> None:
    # a week of appointments around today, statuses consistent with now
    lo, hi = await conn.fetchrow(
        "SELECT min((start_time AT TIME ZONE 'America/Asuncion')::date),"
        " max((start_time AT TIME ZONE 'America/Asuncion')::date) FROM appointments WHERE tenant_id = $1",
        tenant)
    assert lo >= now.date() - timedelta(days=3) and hi <= now.date() + timedelta(days=3)
    assert await conn.fetchval(
        "SELECT count(*) FROM appointments WHERE tenant_id = $1 AND ("
        " (status IN ('scheduled', 'confirmed') AND start_time < now() - interval '1 minute')"
        " OR (status = 'completed' AND completed_at > now())"
        " OR (status IN ('completed', 'no_show') AND end_time > now() + interval '1 minute')"
        " OR extract(hour FROM start_time AT TIME ZONE 'America/Asuncion') < 8"
        " OR end_time > date_trunc('day', start_time AT TIME ZONE 'America/Asuncion')"
        "     AT TIME ZONE 'America/Asuncion' + interval '18 hours')", tenant) == 0
    # rooms: no two visits overlap in one room; room_id mirrors the unreleased assignment
    assert await conn.fetchval(
        "SELECT count(*) FROM room_assignments a JOIN room_assignments b ON a.tenant_id = b.tenant_id"
        " AND a.room_id = b.room_id AND a.id < b.id AND a.during && b.during WHERE a.tenant_id = $1",
        tenant) == 0
    assert await conn.fetchval(
        "SELECT count(*) FROM appointments a LEFT JOIN room_assignments r ON r.tenant_id = a.tenant_id"
        " AND r.appointment_id = a.id AND r.released_at IS NULL"
        " WHERE a.tenant_id = $1 AND a.room_id IS DISTINCT FROM r.room_id", tenant) == 0
    assert await conn.fetchval(
        "SELECT count(*) FROM room_assignments WHERE tenant_id = $1 AND released_at IS NULL", tenant) > 0


async def _counters_and_invoices_add_up(conn: asyncpg.Connection, tenant: str) -> None:
    # vitals are numbered 1..n per log and the log's counter is n
    assert await conn.fetchval(
        "SELECT count(*) FROM anesthesia_logs l WHERE tenant_id = $1 AND vitals_seq <> (SELECT"
        " coalesce(max(seq), 0) FROM anesthesia_vitals v WHERE v.tenant_id = l.tenant_id"
        " AND v.anesthesia_log_id = l.id)", tenant) == 0
    # invoices add up
    assert await conn.fetchval(
        "SELECT count(*) FROM invoices i WHERE tenant_id = $1 AND (total <> subtotal - discount_total"
        " + CASE WHEN prices_include_iva THEN 0 ELSE tax_total END OR tax_total <> iva_5 + iva_10"
        " OR total <> exempt_amount + taxed_5_amount + taxed_10_amount"
        " OR subtotal <> (SELECT sum(line_total) FROM invoice_items x"
        " WHERE x.tenant_id = i.tenant_id AND x.invoice_id = i.id))", tenant) == 0
    # paid invoices are paid by payments, and the database agrees
    assert await conn.fetchval("SELECT count(*) FROM payments WHERE tenant_id = $1", tenant) > 0
    assert await conn.fetchval(
        "SELECT count(*) FROM invoices WHERE tenant_id = $1 AND (status = 'paid') <> (amount_paid = total AND"
        " amount_paid > 0) AND status <> 'void'", tenant) == 0


async def _last_visit_dates_match_the_backfill(conn: asyncpg.Connection) -> None:
    # last_visit_date is what migration 0006's backfill would compute: re-running it changes nothing
    changed = await conn.execute(
        "UPDATE pets p SET last_visit_date = v.last_visit FROM (SELECT a.tenant_id, a.pet_id,"
        " max((coalesce(a.completed_at, a.start_time) AT TIME ZONE t.timezone)::date) AS last_visit"
        " FROM appointments a JOIN tenants t ON t.id = a.tenant_id WHERE a.status = 'completed'"
        " GROUP BY a.tenant_id, a.pet_id) v WHERE p.tenant_id = v.tenant_id AND p.id = v.pet_id"
        " AND p.last_visit_date IS DISTINCT FROM v.last_visit")
    assert changed == "UPDATE 0"
    assert await conn.fetchval(
        "SELECT count(*) FROM pets p WHERE last_visit_date IS NOT NULL AND NOT EXISTS (SELECT 1 FROM"
        " appointments a WHERE a.tenant_id = p.tenant_id AND a.pet_id = p.id AND a.status = 'completed')"
    ) == 0


async def test_smaller_reload_removes_extra_demo_clinics(url: str) -> None:
    summary: DemoSummary = await load_demo(url, clinics=4, pets=5, progress=False,
                                           alerts_per_pet=3, problems_per_pet=2, surgeries_fraction=1.0,
                                           vitals_per_log=40)
    assert summary.clinics[3].tenant_id == "clinica-demo-4"
    assert summary.clinics[3].rows["anesthesia_vitals"] >= 5 * 40
    await load_demo(url, clinics=1, pets=1, progress=False)
    conn = await asyncpg.connect(url)
    try:
        ids = [r[0] for r in await conn.fetch("SELECT id FROM tenants ORDER BY id")]
        assert "clinica-demo-4" not in ids and "veterinaria-asuncion" not in ids
        assert await conn.fetchval("SELECT count(*) FROM pets WHERE tenant_id = 'clinica-san-roque'") == 1
    finally:
        await conn.close()


def test_schedule_depends_on_the_date_only() -> None:
    """White-box (demo.clinics internals): the week's schedule is the same at 07:00 and at 19:00 of one day."""
    import uuid as _uuid
    from datetime import datetime as _dt

    from demo.clinics import DIAGNOSES, TZ, _Clinic, _Params

    codes = {code: _uuid.uuid5(_uuid.NAMESPACE_DNS, code) for code, *_ in DIAGNOSES}

    def week(hour: int) -> list[tuple[object, ...]]:
        clinic = _Clinic(0, _Params(200, 1.5, 1.0, 0.3, 13, _dt(2026, 3, 4, hour, 0, tzinfo=TZ)), codes)
        clinic.build()
        return [row[:7] for row in clinic.rows["appointments"]]  # tenant, id, pet, vet, service, start, end

    morning, evening = week(7), week(19)
    assert morning == evening and len(morning) > 50


async def test_a_large_demo_clinic_with_deceased_pets_loads_under_the_clinics_rules(url: str) -> None:
    """Enough pets that some have died (about 1 in 100): the database's rules for the dead (no anesthesia,
    no booking) hold for the generated history too, or the load fails."""
    await load_demo(url, clinics=1, pets=600, progress=False, surgeries_fraction=0.5, vitals_per_log=3)
    conn = await asyncpg.connect(url)
    try:
        deceased = await conn.fetchval("SELECT count(*) FROM pets WHERE is_deceased")
        assert deceased > 0
        assert await conn.fetchval(
            "SELECT count(*) FROM anesthesia_logs l JOIN pets p ON p.tenant_id = l.tenant_id AND p.id = l.pet_id"
            " WHERE p.is_deceased") == 0
    finally:
        await conn.close()
    await load_demo(url, progress=False)  # the other tests' demo again


async def test_demo_clinics_are_opened_staffed_and_filled_through_the_front_desks_rules(url: str) -> None:
    await load_demo(url, clinics=1, pets=120, progress=False)
    conn = await asyncpg.connect(url)
    try:
        tenant = TENANTS[0]
        # staff joined by accepting an invitation; clients as createOwner stores them (E.164, documents)
        accepted = await conn.fetchval(
            "SELECT count(*) FROM staff_invitations i JOIN profiles p ON p.tenant_id = i.tenant_id"
            " AND p.id = i.accepted_profile WHERE i.tenant_id = $1 AND p.role IN ('admin', 'vet')", tenant)
        assert accepted == 4
        owners = await conn.fetch(
            "SELECT phone, document_type, document_number FROM profiles WHERE tenant_id = $1 AND role = 'owner'",
            tenant)
        assert owners and all(o["phone"].startswith("+595") and " " not in o["phone"] for o in owners)
        assert all(o["document_type"] == "ci" and o["document_number"].isdigit() for o in owners)
        # patients: a weight history begun, deaths with their date (and nothing due), visits and doses due
        assert await conn.fetchval(
            "SELECT count(*) FROM pets p WHERE tenant_id = $1 AND NOT EXISTS (SELECT 1 FROM pet_weights w"
            " WHERE w.tenant_id = p.tenant_id AND w.pet_id = p.id)", tenant) == 0
        assert await conn.fetchval(
            "SELECT count(*) FROM pets WHERE tenant_id = $1 AND is_deceased AND deceased_on IS NULL", tenant) == 0
        due = await conn.fetch(
            f"SELECT id, {PET_NEXT_VISIT_DUE.sql('p').replace(':tenant', '$1')} AS due, is_deceased"
            " FROM pets p WHERE tenant_id = $1", tenant)
        # the API's SQL and what other readers get agree: the computed column on one node; on Citus, where a
        # function reading tables cannot run inside a statement on a shard, vetql.pet_due called on its own
        if await conn.fetchval("SELECT vetql.on_citus()"):
            other = {r["id"]: None if r["is_deceased"] else await conn.fetchval("SELECT vetql.pet_due($1, $2)",
                                                                                 tenant, r["id"]) for r in due}
        else:
            other = {r["id"]: r["d"] for r in await conn.fetch(
                "SELECT id, p.pets_next_visit_due AS d FROM pets p WHERE tenant_id = $1", tenant)}
        assert {r["id"]: r["due"] for r in due} == other
        assert not any(r["due"] is not None for r in due if r["is_deceased"])
        assert sum(r["due"] is not None for r in due) > len(due) // 3  # visits booked, vaccines due
    finally:
        await conn.close()


async def test_a_demo_value_the_clinics_rules_refuse_stops_the_load(url: str) -> None:
    from db.session import ConnectionDb
    from demo.onboarding import Client, DemoRefused, register_client

    conn = await asyncpg.connect(url)
    try:
        client = Client(uuid.uuid4(), "Nadie", "nadie@example.com", "not a phone", "Calle 1", "Luque", "sms", "1.234")
        with pytest.raises(DemoRefused, match="phone"):
            await register_client(ConnectionDb(conn), TENANTS[0], client)
        assert await conn.fetchval("SELECT count(*) FROM profiles WHERE id = $1", client.id) == 0
    finally:
        await conn.close()
