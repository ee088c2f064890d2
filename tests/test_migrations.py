"""The migrations on a database of their own: idempotent, re-runnable, and building the schema they promise.

Sync tests: `db.migrate.upgrade` runs its own event loop, and the catalog is read with
`asyncio.run`, so nothing here runs inside the session's loop.
"""

from __future__ import annotations

import asyncio
import pprint
import re
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import asyncpg
import orjson
import pytest

from db import migrate, urls
from db.migrations import sqlfile
from db.session import set_claims
from tests.conftest import fresh_database

T = TypeVar("T")
SQL_FILES = sorted((Path(migrate.MIGRATIONS) / "sql").glob("*.sql"))
CONCURRENT_INDEXES = [
    re.findall(r"IF NOT EXISTS\s+(\w+)", s)[0] for s in sqlfile.statements("0005_concurrent_indexes.sql")
]


def run(url: str, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    """`work(conn)` on a new connection to `url`, as the superuser, outside any event loop."""

    async def main() -> T:
        conn = await asyncpg.connect(url)
        try:
            return await work(conn)
        finally:
            await conn.close()

    return asyncio.run(main())


@pytest.fixture(scope="module")
def migrated(server_url: str) -> Iterator[str]:
    url = fresh_database(server_url, "vetql_mig")
    empty = run(url, lambda c: c.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"))
    assert empty == 0
    migrate.upgrade(url)
    yield url
    name = urlsplit(url).path.lstrip("/")
    run(urls.with_database(url, "postgres"), lambda c: c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# -- the catalog, as a comparable value ----------------------------------------------------------

_SCHEMAS = "('public', 'vetql')"
SNAPSHOT_QUERIES = {
    "relations": f"""
        SELECT n.nspname, c.relname, c.relkind::text, c.relrowsecurity, c.relforcerowsecurity,
               pg_get_userbyid(c.relowner) AS owner, c.relacl::text AS acl
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname IN {_SCHEMAS} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'i', 'I')""",
    "columns": f"""
        SELECT table_schema, table_name, ordinal_position, column_name, data_type, udt_name,
               collation_name, is_nullable, column_default, is_generated, generation_expression
          FROM information_schema.columns WHERE table_schema IN {_SCHEMAS}""",
    "constraints": f"""
        SELECT conrelid::regclass::text AS tbl, conname, contype::text, convalidated, pg_get_constraintdef(oid) AS def
          FROM pg_constraint WHERE connamespace IN (SELECT oid FROM pg_namespace WHERE nspname IN {_SCHEMAS})""",
    "indexes": f"""
        SELECT i.schemaname, i.tablename, i.indexname, i.indexdef, x.indisvalid, x.indisready
          FROM pg_indexes i
          JOIN pg_class c ON c.relname = i.indexname
          JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = i.schemaname
          JOIN pg_index x ON x.indexrelid = c.oid
         WHERE i.schemaname IN {_SCHEMAS}""",
    "policies": f"""
        SELECT schemaname, tablename, policyname, permissive, roles::text[] AS roles, cmd, qual, with_check
          FROM pg_policies WHERE schemaname IN {_SCHEMAS}""",
    "functions": f"""
        SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid) AS args, p.prokind::text,
               pg_get_function_result(p.oid) AS result, md5(p.prosrc) AS src, p.provolatile::text,
               pg_get_userbyid(p.proowner) AS owner, p.proacl::text AS acl
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname IN {_SCHEMAS}""",
    "triggers": f"""
        SELECT tgrelid::regclass::text AS tbl, tgname, pg_get_triggerdef(t.oid) AS def
          FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE NOT t.tgisinternal AND n.nspname IN {_SCHEMAS}""",
    "schemas": f"SELECT nspname, pg_get_userbyid(nspowner) AS owner, nspacl::text AS acl FROM pg_namespace"
    f" WHERE nspname IN {_SCHEMAS}",
    "extensions": "SELECT extname, extversion FROM pg_extension",
    "role": """SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolbypassrls
                 FROM pg_roles WHERE rolname = 'vetql_app'""",
    "revision": "SELECT version_num FROM alembic_version",
}


async def _snapshot(conn: asyncpg.Connection) -> dict[str, list[tuple[Any, ...]]]:
    snap = {}
    for name, query in SNAPSHOT_QUERIES.items():
        rows = [tuple(tuple(v) if isinstance(v, list) else v for v in r.values()) for r in await conn.fetch(query)]
        snap[name] = sorted(rows, key=repr)
    return snap


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    return run(url, _snapshot)


def diff(before: dict[str, list[tuple[Any, ...]]], after: dict[str, list[tuple[Any, ...]]]) -> dict[str, Any]:
    out = {}
    for key in before:
        gone = sorted(set(before[key]) - set(after[key]), key=repr)
        new = sorted(set(after[key]) - set(before[key]), key=repr)
        if gone or new or len(before[key]) != len(after[key]):
            out[key] = {"gone": gone, "new": new}
    return out


def assert_unchanged(before: dict[str, list[tuple[Any, ...]]], after: dict[str, list[tuple[Any, ...]]]) -> None:
    changes = diff(before, after)
    assert not changes, "the catalog changed:\n" + pprint.pformat(changes, width=140)


def test_upgrade_applies_on_an_empty_database(migrated: str) -> None:
    snap = snapshot(migrated)
    assert snap["revision"] == [(migrate.head_revision(),)]
    tables = {r[1] for r in snap["relations"] if r[2] == "r"}
    assert {"tenants", "profiles", "pets", "patient_alerts", "anesthesia_vitals", "tenant_usage"} <= tables
    assert snap["policies"], "no row-level security policy was created"
    assert {"claims", "tenant_id", "role", "user_id", "is_staff", "is_platform"} <= {
        r[1] for r in snap["functions"] if r[0] == "vetql"
    }


def test_second_upgrade_changes_nothing(migrated: str) -> None:
    before = snapshot(migrated)
    migrate.upgrade(migrated)
    assert_unchanged(before, snapshot(migrated))


async def _rerun(conn: asyncpg.Connection, name: str, text: str) -> None:
    if "CONCURRENTLY" in text:  # as the migration runs it: one by one, outside a transaction
        for statement in sqlfile.statements(name):
            await conn.execute(statement)
    else:
        async with conn.transaction():
            for statement in sqlfile.statements(name):  # as sqlfile.run sends them
                await conn.execute(statement)


def test_migration_files_are_numbered_in_order_and_chained_one_after_another() -> None:
    """Numbers are unique and ascending, and each revision follows the one before it (a single head).

    A number may be missing while the branch that holds it has not landed (numbers are handed out
    to parallel branches ahead of time); when it lands, its revision joins the chain in order.
    """
    numbers = [int(p.name[:4]) for p in SQL_FILES]
    assert numbers == sorted(set(numbers))
    versions = sorted((Path(migrate.MIGRATIONS) / "versions").glob("[0-9]*.py"))
    assert [v.stem for v in versions] == [p.stem for p in SQL_FILES]
    previous = None
    for version in versions:
        text = version.read_text()
        assert re.search(rf'^revision = "{version.stem}"$', text, re.M), version.name
        down = re.search(r'^down_revision = (?:"([^"]+)"|None)$', text, re.M)
        assert down is not None and down.group(1) == previous, version.name
        previous = version.stem


def rerun_chain(url: str, files: list[Path], extra: str = "") -> None:
    """`files` re-run by hand in order, as the migrations run them, then the SQL `extra`."""

    async def work(conn: asyncpg.Connection) -> None:
        for path in files:
            await _rerun(conn, path.name, path.read_text())
        if extra:
            await conn.execute(extra)

    run(url, work)


@pytest.mark.parametrize("start", SQL_FILES, ids=[p.stem for p in SQL_FILES])
def test_rerunning_the_chain_by_hand_from_any_file_to_head_changes_nothing(migrated: str, start: Path) -> None:
    """What a re-run after a failure half-way does: from the file that failed on, the SQL converges on one catalog.

    A later file may replace a function or drop a constraint an earlier one made (never edit a landed
    migration), so the invariant is the chain's from any point to head, not each old file's alone.
    """
    before = snapshot(migrated)
    rerun_chain(migrated, SQL_FILES[SQL_FILES.index(start) :])
    assert_unchanged(before, snapshot(migrated))


# Changes the catalog on every run: the column is dropped and added again, so its position moves.
_NOT_IDEMPOTENT = """
CREATE TABLE IF NOT EXISTS vetql_rerun_probe (a int);
ALTER TABLE vetql_rerun_probe DROP COLUMN IF EXISTS b;
ALTER TABLE vetql_rerun_probe ADD COLUMN b int;
"""


def test_the_chain_check_catches_a_statement_that_changes_the_catalog_on_every_run(migrated: str) -> None:
    tail = SQL_FILES[-2:]
    try:
        rerun_chain(migrated, tail, extra=_NOT_IDEMPOTENT)
        before = snapshot(migrated)
        rerun_chain(migrated, tail, extra=_NOT_IDEMPOTENT)
        changes = diff(before, snapshot(migrated))
    finally:
        run(migrated, lambda c: c.execute("DROP TABLE IF EXISTS vetql_rerun_probe"))
    assert set(changes) == {"columns"}, changes
    assert {r[3] for r in changes["columns"]["gone"] + changes["columns"]["new"]} == {"b"}


def test_an_old_file_rerun_alone_at_head_undoes_what_a_later_file_replaced(migrated: str) -> None:
    """Why the check above is the chain's: 0011 alone brings back the active-user trigger 0025 replaced
    (and the policy form 0024 replaced)."""

    async def alone(conn: asyncpg.Connection) -> dict[str, Any]:
        before = await _snapshot(conn)
        tx = conn.transaction()
        await tx.start()
        try:
            for statement in sqlfile.statements("0011_workflow_gaps.sql"):
                await conn.execute(statement)
            return diff(before, await _snapshot(conn))
        finally:
            await tx.rollback()

    before = snapshot(migrated)
    changes = run(migrated, alone)
    assert_unchanged(before, snapshot(migrated))  # rolled back
    # and its policies in the form 0024 rewrote (the sub-selects Citus refuses)
    assert set(changes) == {"functions", "policies"}, changes
    assert {r[1] for r in changes["functions"]["gone"] + changes["functions"]["new"]} == {"count_active_users"}
    assert all("SELECT vetql." in str(r) for r in changes["policies"]["new"]), changes["policies"]


async def _index_state(conn: asyncpg.Connection, name: str) -> tuple[int, bool, str] | None:
    row = await conn.fetchrow(
        "SELECT c.oid::int AS oid, x.indisvalid, pg_get_indexdef(c.oid) AS def"
        "  FROM pg_class c JOIN pg_index x ON x.indexrelid = c.oid"
        " WHERE c.relname = $1 AND c.relnamespace = 'public'::regnamespace",
        name,
    )
    return None if row is None else (row["oid"], row["indisvalid"], row["def"])


def index_state(url: str, name: str) -> tuple[int, bool, str]:
    """(oid, valid, definition) of a public index, which must exist."""
    state = run(url, lambda c: _index_state(c, name))
    assert state is not None, f"index {name} does not exist"
    return state


def _rewind_to_before_concurrent_indexes(url: str) -> None:
    run(url, lambda c: c.execute("UPDATE alembic_version SET version_num = '0004_row_level_security'"))


@pytest.mark.parametrize("index", CONCURRENT_INDEXES)
def test_upgrade_rebuilds_an_index_left_invalid_by_an_interrupted_build(migrated: str, index: str) -> None:
    before = snapshot(migrated)
    oid, valid, definition = index_state(migrated, index)
    assert valid
    # what an interrupted CREATE INDEX CONCURRENTLY leaves behind: the index, marked invalid
    run(migrated, lambda c: c.execute("UPDATE pg_index SET indisvalid = false WHERE indexrelid = $1", oid))
    assert index_state(migrated, index)[1] is False
    _rewind_to_before_concurrent_indexes(migrated)

    migrate.upgrade(migrated)

    new_oid, valid, new_definition = index_state(migrated, index)
    assert valid and new_definition == definition
    assert new_oid != oid  # rebuilt, not just kept
    assert_unchanged(before, snapshot(migrated))


def test_upgrade_replaces_a_failed_concurrent_build_of_another_shape(migrated: str) -> None:
    before = snapshot(migrated)
    index = "idx_vaccines_upcoming"
    _, _, definition = index_state(migrated, index)

    async def fail_a_build(conn: asyncpg.Connection) -> None:
        await conn.execute(f"DROP INDEX CONCURRENTLY {index}")
        # three active plans share is_active: the unique build fails after creating the index
        with pytest.raises(asyncpg.exceptions.UniqueViolationError):
            await conn.execute(f"CREATE UNIQUE INDEX CONCURRENTLY {index} ON subscription_plans (is_active)")

    run(migrated, fail_a_build)
    assert index_state(migrated, index)[1] is False  # the failed build left its index behind
    _rewind_to_before_concurrent_indexes(migrated)

    migrate.upgrade(migrated)

    _, valid, new_definition = index_state(migrated, index)
    assert valid and new_definition == definition
    assert_unchanged(before, snapshot(migrated))


# -- what the schema promises ----------------------------------------------------------------------

TENANT_TABLES = """
SELECT c.oid, c.relname, c.relrowsecurity, c.relforcerowsecurity,
       (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies,
       a.attnum, a.attnotnull, a.atttypid::regtype::text AS type, a.attcollation
  FROM pg_class c
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
"""


def fetch(url: str, query: str) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = run(url, lambda c: c.fetch(query))
    return rows


def test_every_clinic_table_has_forced_row_level_security_and_a_policy(migrated: str) -> None:
    tables = fetch(migrated, TENANT_TABLES)
    assert len(tables) >= 20
    lacking = [
        t["relname"] for t in tables if not (t["relrowsecurity"] and t["relforcerowsecurity"] and t["policies"] > 0)
    ]
    assert lacking == []


def test_every_tenant_id_is_not_null_text_of_one_collation(migrated: str) -> None:
    tables = fetch(migrated, TENANT_TABLES)
    assert {(t["type"], t["attnotnull"]) for t in tables} == {("text", True)}
    assert len({t["attcollation"] for t in tables}) == 1


def test_tenant_id_leads_every_clinic_primary_key(migrated: str) -> None:
    rows = fetch(
        migrated,
        f"""
        SELECT t.relname, k.conkey[1] = t.attnum AS leads
          FROM ({TENANT_TABLES}) t LEFT JOIN pg_constraint k ON k.conrelid = t.oid AND k.contype = 'p'""",
    )
    assert {r["relname"]: r["leads"] for r in rows if not r["leads"]} == {}


def test_every_key_of_a_clinic_table_includes_tenant_id(migrated: str) -> None:
    # unique and exclusion constraints, and unique indexes (expression ones included)
    rows = fetch(
        migrated,
        f"""
        SELECT t.relname, ic.relname AS index
          FROM ({TENANT_TABLES}) t
          JOIN pg_index x ON x.indrelid = t.oid AND (x.indisunique OR x.indisexclusion)
          JOIN pg_class ic ON ic.oid = x.indexrelid
         WHERE NOT t.attnum = ANY(x.indkey::int2[])""",
    )
    assert [(r["relname"], r["index"]) for r in rows] == []


def test_every_foreign_key_between_clinic_tables_includes_tenant_id(migrated: str) -> None:
    rows = fetch(
        migrated,
        f"""
        SELECT k.conname, src.relname AS src, dst.relname AS dst,
               src.attnum = ANY(k.conkey) AS has_tenant,
               array_position(k.conkey, src.attnum) = array_position(k.confkey, dst.attnum) AS paired
          FROM pg_constraint k
          JOIN ({TENANT_TABLES}) src ON src.oid = k.conrelid
          JOIN ({TENANT_TABLES}) dst ON dst.oid = k.confrelid
         WHERE k.contype = 'f'""",
    )
    assert len(rows) > 20
    assert [r["conname"] for r in rows if not (r["has_tenant"] and r["paired"])] == []


def test_shared_reference_tables_never_point_at_clinic_tables(migrated: str) -> None:
    rows = fetch(
        migrated,
        f"""
        SELECT k.conname
          FROM pg_constraint k
          JOIN pg_class src ON src.oid = k.conrelid
         WHERE k.contype = 'f' AND src.relnamespace = 'public'::regnamespace
           AND src.relname <> 'tenants'
           AND k.conrelid NOT IN (SELECT oid FROM ({TENANT_TABLES}) t)
           AND k.confrelid IN (SELECT oid FROM ({TENANT_TABLES}) t)""",
    )
    assert [r["conname"] for r in rows] == []


def test_vetql_app_is_unprivileged_and_owns_nothing(migrated: str) -> None:
    async def check(conn: asyncpg.Connection) -> dict[str, Any]:
        role = await conn.fetchrow(
            "SELECT rolsuper, rolbypassrls, rolcanlogin, rolcreatedb, rolcreaterole FROM pg_roles"
            " WHERE rolname = 'vetql_app'"
        )
        assert role is not None
        owned = {
            "relations": await conn.fetch("SELECT relname FROM pg_class WHERE relowner = 'vetql_app'::regrole"),
            "functions": await conn.fetch("SELECT proname FROM pg_proc WHERE proowner = 'vetql_app'::regrole"),
            "schemas": await conn.fetch("SELECT nspname FROM pg_namespace WHERE nspowner = 'vetql_app'::regrole"),
            "types": await conn.fetch("SELECT typname FROM pg_type WHERE typowner = 'vetql_app'::regrole"),
            "databases": await conn.fetch("SELECT datname FROM pg_database WHERE datdba = 'vetql_app'::regrole"),
        }
        citus = await conn.fetchval("SELECT vetql.on_citus()")
        return {"role": dict(role), "owned": {k: [tuple(r) for r in v] for k, v in owned.items()}, "citus": citus}

    found = run(migrated, check)
    # on Citus the request role logs in (Citus reaches the workers as the current role); nowhere else
    assert found["role"] == {
        **dict.fromkeys(("rolsuper", "rolbypassrls", "rolcanlogin", "rolcreatedb", "rolcreaterole"), False),
        "rolcanlogin": bool(found["citus"]),
    }
    assert found["owned"] == {kind: [] for kind in found["owned"]}


def test_server_is_postgresql_15_or_newer(migrated: str, record_property: Callable[[str, object], None]) -> None:
    version = int(run(migrated, lambda c: c.fetchval("SHOW server_version_num")))
    record_property("server_version_num", version)
    print(f"PostgreSQL server_version_num = {version}")
    assert version >= 150000, version


# -- the seed document's bugs stay fixed -------------------------------------------------------------


class Minimal:
    tenant = "mig-clinic"
    owner = "00000000-0000-4000-8000-000000000001"
    pets = ("00000000-0000-4000-8000-000000000011", "00000000-0000-4000-8000-000000000012")
    policies = ("00000000-0000-4000-8000-000000000021", "00000000-0000-4000-8000-000000000022")
    appointment = "00000000-0000-4000-8000-000000000031"
    room = "00000000-0000-4000-8000-000000000041"


async def _minimal_rows(conn: asyncpg.Connection) -> None:
    m = Minimal
    await conn.execute("INSERT INTO tenants (id, name) VALUES ($1, 'Clínica Migración')", m.tenant)
    await conn.execute(
        "INSERT INTO profiles (tenant_id, id, role, full_name) VALUES ($1, $2, 'owner', 'Dueña')", m.tenant, m.owner
    )
    for pet, policy in zip(m.pets, m.policies, strict=True):
        await conn.execute(
            "INSERT INTO pets (tenant_id, id, owner_id, name, species) VALUES ($1, $2, $3, 'Pet', 'dog')",
            m.tenant,
            pet,
            m.owner,
        )
        await conn.execute(
            "INSERT INTO pet_insurance_policies (tenant_id, id, pet_id, provider, policy_number, starts_on)"
            " VALUES ($1, $2, $3, 'Seguros SA', $4, current_date)",
            m.tenant,
            policy,
            pet,
            f"POL-{policy[-2:]}",
        )
    await conn.execute("INSERT INTO exam_rooms (tenant_id, id, name) VALUES ($1, $2, 'Sala 1')", m.tenant, m.room)
    await conn.execute(
        "INSERT INTO appointments (tenant_id, id, pet_id, start_time, end_time)"
        " VALUES ($1, $2, $3, now(), now() + interval '30 minutes')",
        m.tenant,
        m.appointment,
        m.pets[0],
    )


def seed_case(url: str, work: Callable[[asyncpg.Connection], Awaitable[None]]) -> None:
    """Minimal rows, then `work`, in one transaction that is rolled back."""

    async def main(conn: asyncpg.Connection) -> None:
        tx = conn.transaction()
        await tx.start()
        try:
            await _minimal_rows(conn)
            await work(conn)
        finally:
            await tx.rollback()

    run(url, main)


async def ok(conn: asyncpg.Connection, sql: str, *args: object) -> None:
    await conn.execute(sql, *args)


async def rejected(conn: asyncpg.Connection, error: type[Exception], sql: str, *args: object) -> None:
    savepoint = conn.transaction()
    await savepoint.start()
    try:
        with pytest.raises(error):
            await conn.execute(sql, *args)
    finally:
        await savepoint.rollback()


def test_an_appointment_holds_at_most_one_unreleased_room(migrated: str) -> None:
    m = Minimal
    assign = (
        "INSERT INTO room_assignments (tenant_id, appointment_id, room_id, assigned_at, released_at)"
        " VALUES ($1, $2, $3, now() - interval '2 hours', $4)"
    )

    async def work(conn: asyncpg.Connection) -> None:
        released = datetime.now(UTC) - timedelta(hours=1)
        await ok(conn, assign, m.tenant, m.appointment, m.room, released)  # a released one is history
        await ok(conn, assign, m.tenant, m.appointment, m.room, None)
        await rejected(conn, asyncpg.exceptions.UniqueViolationError, assign, m.tenant, m.appointment, m.room, None)

    seed_case(migrated, work)


def test_promotion_codes_are_unique_per_clinic_ignoring_case(migrated: str) -> None:
    promo = (
        "INSERT INTO promotions (tenant_id, code, name, discount_type, discount_value)"
        " VALUES ($1, $2, 'Verano', 'percentage', 10)"
    )

    async def work(conn: asyncpg.Connection) -> None:
        await ok(conn, promo, Minimal.tenant, "VERANO")
        await rejected(conn, asyncpg.exceptions.UniqueViolationError, promo, Minimal.tenant, "verano")
        await rejected(conn, asyncpg.exceptions.UniqueViolationError, promo, Minimal.tenant, "VERANO")

    seed_case(migrated, work)


def test_an_alert_without_severity_is_rejected(migrated: str) -> None:
    alert = (
        "INSERT INTO patient_alerts (tenant_id, pet_id, alert_type, severity, title)"
        " VALUES ($1, $2, 'allergy', $3, 'Alergia')"
    )

    async def work(conn: asyncpg.Connection) -> None:
        await ok(conn, alert, Minimal.tenant, Minimal.pets[0], "danger")
        await rejected(conn, asyncpg.exceptions.NotNullViolationError, alert, Minimal.tenant, Minimal.pets[0], None)
        await rejected(conn, asyncpg.exceptions.CheckViolationError, alert, Minimal.tenant, Minimal.pets[0], "meh")

    seed_case(migrated, work)


def test_overlapping_usage_periods_of_a_clinic_are_rejected(migrated: str) -> None:
    usage = "INSERT INTO tenant_usage (tenant_id, period_start, period_end) VALUES ($1, $2, $3)"

    async def work(conn: asyncpg.Connection) -> None:
        t = Minimal.tenant
        await ok(conn, usage, t, date(2025, 1, 1), date(2025, 2, 1))
        await ok(conn, usage, t, date(2025, 2, 1), date(2025, 3, 1))  # adjacent is fine
        await rejected(conn, asyncpg.exceptions.ExclusionViolationError, usage, t, date(2025, 1, 15), date(2025, 2, 15))
        await rejected(conn, asyncpg.exceptions.ExclusionViolationError, usage, t, date(2024, 12, 1), date(2025, 4, 1))

    seed_case(migrated, work)


def test_a_pet_cannot_point_at_another_pets_insurance_policy(migrated: str) -> None:
    link = "UPDATE pets SET insurance_policy_id = $3 WHERE tenant_id = $1 AND id = $2"

    async def work(conn: asyncpg.Connection) -> None:
        m = Minimal
        await ok(conn, link, m.tenant, m.pets[0], m.policies[0])
        await rejected(conn, asyncpg.exceptions.ForeignKeyViolationError, link, m.tenant, m.pets[1], m.policies[0])

    seed_case(migrated, work)


def test_a_reading_needs_a_log_of_its_clinic_and_goes_when_the_clinic_is_erased(migrated: str) -> None:
    """Without its own key to tenants (0025) a reading still cannot exist outside its log's clinic."""
    m = Minimal
    reading = "INSERT INTO anesthesia_vitals (tenant_id, anesthesia_log_id, heart_rate, seq) VALUES ($1, $2, 90, $3)"

    async def work(conn: asyncpg.Connection) -> None:
        log = await conn.fetchval(
            "INSERT INTO anesthesia_logs (tenant_id, pet_id, procedure_name) VALUES ($1, $2, 'Castración')"
            " RETURNING id",
            m.tenant,
            m.pets[0],
        )
        await conn.execute("INSERT INTO tenants (id, name) VALUES ('mig-other', 'Otra')")
        await rejected(conn, asyncpg.exceptions.ForeignKeyViolationError, reading, "mig-other", log, 1)
        await rejected(conn, asyncpg.exceptions.ForeignKeyViolationError, reading, "mig-nowhere", log, 1)
        await ok(conn, reading, m.tenant, log, 1)
        await conn.execute("DELETE FROM tenants WHERE id = $1", m.tenant)
        assert await conn.fetchval("SELECT count(*) FROM anesthesia_vitals WHERE tenant_id = $1", m.tenant) == 0

    seed_case(migrated, work)


def test_every_active_user_trigger_names_a_column_pair_the_static_function_counts(migrated: str) -> None:
    rows = fetch(
        migrated,
        """SELECT tgrelid::regclass::text AS tbl, encode(tgargs, 'escape') AS args FROM pg_trigger
            WHERE tgfoid = 'vetql.count_active_users()'::regprocedure""",
    )
    pairs = {r["tbl"]: tuple(r["args"].split("\\000")[:2]) for r in rows}
    assert len(pairs) == 5
    assert set(pairs.values()) <= {("created_by", "created_at"), ("recorded_by", "recorded_at")}, pairs


def test_a_vet_recording_readings_is_counted_active_in_the_clinics_month(migrated: str) -> None:
    m = Minimal

    async def work(conn: asyncpg.Connection) -> None:
        await conn.execute("UPDATE tenants SET timezone = 'America/Asuncion' WHERE id = $1", m.tenant)
        log = await conn.fetchval(
            "INSERT INTO anesthesia_logs (tenant_id, pet_id, procedure_name) VALUES ($1, $2, 'Castración')"
            " RETURNING id",
            m.tenant,
            m.pets[0],
        )
        # 02:00 UTC on 1 March is still February in Asunción
        await conn.execute(
            "INSERT INTO anesthesia_vitals (tenant_id, anesthesia_log_id, heart_rate, seq, recorded_by, recorded_at)"
            " SELECT $1, $2, 90, s, $3, '2025-03-01T02:00:00Z' FROM generate_series(1, 3) s",
            m.tenant,
            log,
            m.owner,
        )
        counted = await conn.fetch(
            "SELECT period_start, profile_id FROM tenant_active_user_deltas WHERE tenant_id = $1", m.tenant
        )
        assert [tuple(r) for r in counted] == [(date(2025, 2, 1), uuid.UUID(m.owner))]

    seed_case(migrated, work)


# vetql.audit_rows()'s changes of an inserted row, over the row as stored (what 0022 writes for any table)
_GENERIC_INSERT_CHANGES = """
SELECT v.id, (SELECT coalesce(jsonb_object_agg(e.key, jsonb_build_object('new', e.value)), '{}')
                FROM jsonb_each(to_jsonb(v)) e
               WHERE e.value <> 'null' AND e.key NOT IN ('tenant_id', 'id', 'updated_at')) AS changes
  FROM anesthesia_vitals v WHERE v.tenant_id = $1 AND v.anesthesia_log_id = $2"""


def test_the_audit_of_new_readings_writes_what_the_generic_trail_writes(migrated: str) -> None:
    """Every column (a full reading) and only the non-null ones (a sparse one); who from the claims."""
    m = Minimal

    async def work(conn: asyncpg.Connection) -> None:
        log = await conn.fetchval(
            "INSERT INTO anesthesia_logs (tenant_id, pet_id, procedure_name) VALUES ($1, $2, 'Castración')"
            " RETURNING id",
            m.tenant,
            m.pets[0],
        )
        claims = f'{{"tenant_id": "{m.tenant}", "role": "vet", "sub": "{m.owner}"}}'
        await conn.execute(set_claims(claims))
        await conn.execute(
            "INSERT INTO anesthesia_vitals (tenant_id, anesthesia_log_id, seq, recorded_at, heart_rate,"
            " respiratory_rate, spo2, etco2, blood_pressure_systolic, blood_pressure_diastolic, blood_pressure_mean,"
            " temperature, anesthesia_depth, iv_fluids_rate, notes, recorded_by, client_reading_id)"
            " VALUES ($1, $2, 1, '2025-03-01T02:00:00.123456Z', 90, 12, 97.5, 38.25, 120, 80, 95, 37.8, 'surgical',"
            " 5.5, 'nota \"con\" comillas', $3, 'm-1'),"
            " ($1, $2, 2, '2025-03-01T02:00:01Z', NULL, NULL, 98, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
            " NULL, NULL)",
            m.tenant,
            log,
            m.owner,
        )
        expected = {r["id"]: r["changes"] for r in await conn.fetch(_GENERIC_INSERT_CHANGES, m.tenant, log)}
        rows = await conn.fetch(
            "SELECT record_id, actor_id, actor_role, action, changes FROM audit_events"
            " WHERE tenant_id = $1 AND table_name = 'anesthesia_vitals'",
            m.tenant,
        )
        assert {r["record_id"]: r["changes"] for r in rows} == expected
        columns = await conn.fetchval(
            "SELECT count(*) FROM pg_attribute WHERE attrelid = 'anesthesia_vitals'::regclass AND attnum > 0"
            " AND NOT attisdropped AND attname NOT IN ('tenant_id', 'id')"
        )
        assert [len(orjson.loads(c)) for c in sorted(expected.values(), key=len, reverse=True)] == [columns, 4]
        assert {(r["actor_id"], r["actor_role"], r["action"]) for r in rows} == {(uuid.UUID(m.owner), "vet", "insert")}

    seed_case(migrated, work)
