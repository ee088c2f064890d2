"""How the demo generator (demo/) writes: shared codes, removing whole clinics, bulk COPY of rows.

Runs on the loading login's own connection (a superuser or BYPASSRLS owner), not as the request role.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from graphlib import CycleError, TopologicalSorter
from typing import Any


async def login_powers(conn: Any) -> tuple[bool, bool]:
    """(superuser, bypasses RLS) of the current login."""
    role = await conn.fetchrow("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
    return bool(role["rolsuper"]), bool(role["rolbypassrls"])


async def venom_codes(
    conn: Any, codes: Sequence[tuple[uuid.UUID, str, str, list[str] | None]]
) -> dict[str, uuid.UUID]:
    """The shared VeNom codes (id, code, term, species), inserted where missing; code -> id (whoever inserted it)."""
    await conn.executemany(
        "INSERT INTO diagnosis_codes (id, code, term, standard, species) VALUES ($1, $2, $3, 'venom', $4)"
        " ON CONFLICT (standard, code) DO NOTHING",
        list(codes),
    )
    rows = await conn.fetch(
        "SELECT code, id FROM diagnosis_codes WHERE standard = 'venom' AND code = ANY($1)", [c[1] for c in codes]
    )
    return {row["code"]: row["id"] for row in rows}


def delete_order(tables: list[str], edges: list[tuple[str, str, bool]]) -> list[str]:
    """Referencing tables before referenced ones; edges are (child, parent, blocks_delete)."""
    graph: dict[str, set[str]] = {table: set() for table in tables}
    for blocking in (True, False):  # a cascade or set-null edge only orders what stays acyclic
        for child, parent, blocks in edges:
            if blocks is blocking and child in graph and parent in graph and child != parent:
                graph[parent].add(child)
                try:
                    TopologicalSorter(graph).prepare()
                except CycleError:
                    if blocking:
                        raise
                    graph[parent].discard(child)
    return list(TopologicalSorter(graph).static_order())


async def delete_clinics(conn: Any, named: Sequence[str], pattern: str | None = None, *, superuser: bool) -> None:
    """Remove the clinics named or matching `pattern` (a regex of ids) from each table with a tenant_id,
    children first (in a transaction). As a superuser with the per-row triggers off: the audit trail's,
    run by a cascade from tenants on a Citus worker, would write rows for a clinic that is going."""
    found = await conn.fetch(
        "SELECT id FROM tenants WHERE id = ANY($1) OR (CAST($2 AS text) IS NOT NULL AND id ~ $2)", list(named), pattern
    )
    ids = [r["id"] for r in found]
    if not ids:
        return
    tables = [
        r["relname"]
        for r in await conn.fetch(
            "SELECT c.relname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid"
            " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')"
            " AND a.attname = 'tenant_id' AND NOT a.attisdropped"
        )
    ]
    edges = [
        (r["child"], r["parent"], r["blocks"])
        for r in await conn.fetch(
            "SELECT ch.relname AS child, pa.relname AS parent, c.confdeltype IN ('a', 'r') AS blocks"
            " FROM pg_constraint c JOIN pg_class ch ON ch.oid = c.conrelid JOIN pg_class pa ON pa.oid = c.confrelid"
            " WHERE c.contype = 'f' AND ch.relnamespace = 'public'::regnamespace"
        )
    ]
    if superuser:  # all of these clinics' rows go: skip the per-row foreign key and audit triggers
        await conn.execute("SET LOCAL session_replication_role = replica")
    for table in delete_order(tables, edges):
        await conn.execute(f'DELETE FROM "{table}" WHERE tenant_id = ANY($1)', ids)
    await conn.execute("DELETE FROM tenants WHERE id = ANY($1)", ids)
    if superuser:
        await conn.execute("SET LOCAL session_replication_role = origin")


async def copy_rows(conn: Any, table: str, records: Iterable[tuple[Any, ...]], columns: Sequence[str]) -> None:
    """Bulk-load rows of one table with COPY."""
    await conn.copy_records_to_table(table, records=records, columns=list(columns), schema_name="public")


async def set_clinic_identity(db: Any, tenant: str, legal_name: str, ruc: str, currency: str, locale: str) -> None:
    """What opening a clinic through the API does not set (yet): its legal name, RUC, currency and locale."""
    await db.fetch(
        "UPDATE tenants SET legal_name = :legal, ruc = :ruc, currency = :currency, locale = :locale WHERE id = :id",
        {"id": tenant, "legal": legal_name, "ruc": ruc, "currency": currency, "locale": locale},
    )


async def set_last_visits(conn: Any, tenant: str) -> None:
    """Each pet's last visit, as completing its visits would have set it (vetql.appointment_followups runs on
    the flow's update; the demo copies them completed): the latest completed day where the clinic is."""
    await conn.execute(
        "UPDATE pets p SET last_visit_date = v.day"
        " FROM (SELECT a.pet_id, max((a.completed_at AT TIME ZONE t.timezone)::date) AS day"
        "         FROM appointments a JOIN tenants t ON t.id = a.tenant_id"
        "        WHERE a.tenant_id = $1 AND a.status = 'completed' GROUP BY a.pet_id) v"
        " WHERE p.tenant_id = $1 AND p.id = v.pet_id AND p.last_visit_date IS DISTINCT FROM v.day",
        tenant,
    )
