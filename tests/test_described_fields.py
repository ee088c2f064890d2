"""Every field of a table-backed type is described once (graph/table.py), and the compiled path covers them all.

Selections of EVERY field of every described type (generated from the schema,
resolver-only fields included) give the same response through the compiled path
and through the resolvers, and the compiled path stays at a few statements
whatever is selected: a field the compiler could not answer would show here as
a difference or as extra statements, not pass silently.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import asyncpg
import pytest
import strawberry
from graphql import GraphQLNonNull, GraphQLObjectType, get_named_type, is_leaf_type

from graph import table as graph_table
from graph.schema import schema
from graph.table import ResolverOnly, TableRow, all_specs, col, known, table
from graph.types.node import to_global_id
from tests.conftest import GQL, StatementCounter
from tests.test_workflow_gaps import Gap, make_clinic
from tests.world import World

RESOLVER_ONLY_LIST = Path(__file__).with_name("resolver_only_fields.txt")
WRAPPERS = ("Connection", "Edge", "PageInfo")
# Arguments a generated selection passes: small pages, and the required window of Clinic.usage.
ARGUMENTS = {"usage": '(from: "2020-01-01", to: "2020-12-01")'}


def _is_wrapper(t: GraphQLObjectType) -> bool:
    return t.name.endswith(WRAPPERS)


def every_field(t: GraphQLObjectType, depth: int, path: tuple[str, ...] = ()) -> str:
    """A selection of every field of `t`, following relations `depth` described types deep, no type twice on a path."""
    parts = []
    for name, f in t.fields.items():
        target = get_named_type(f.type)
        args = ARGUMENTS.get(name, "")
        if not args and any(isinstance(a.type, GraphQLNonNull) and a.default_value is None for a in f.args.values()):
            continue
        if "first" in f.args:
            args = "(first: 3)"
        if is_leaf_type(target):
            parts.append(f"{name}{args}")
            continue
        assert isinstance(target, GraphQLObjectType)
        described = known(target.name)
        embedded = described is not None and described.table is None
        if _is_wrapper(target) or embedded:
            inner = every_field(target, depth, path)
        elif described is None or target.name in path or depth == 0:
            continue
        else:
            inner = every_field(target, depth - 1, (*path, target.name))
        if inner:
            parts.append(f"{name}{args} {{ {inner} }}")
    return " ".join(parts)


def _type(name: str) -> GraphQLObjectType:
    t = schema._schema.get_type(name)
    assert isinstance(t, GraphQLObjectType)
    return t


async def _both(gql: GQL, plain_gql: GQL, sql: StatementCounter, query: str, variables: dict[str, Any],
                token: str | None) -> tuple[Any, int]:
    sql.reset()
    fast = await gql.raw(query, variables, token)
    statements = sql.count
    plain = await plain_gql.raw(query, variables, token)
    assert fast.status_code == plain.status_code == 200
    assert fast.json() == plain.json(), f"{query}\n{variables}\nfast:  {fast.json()}\nplain: {plain.json()}"
    assert "errors" not in fast.json(), fast.json()
    return fast.json()["data"], statements


def test_resolver_only_fields_are_the_reviewed_list() -> None:
    """Falling back to Python is a decision written down (tests/resolver_only_fields.txt), not an accident."""
    found = sorted(
        f"{spec.name}.{name}"
        for spec in all_specs()
        for name, (_, described, _) in spec.fields.items()
        if isinstance(described, ResolverOnly)
    )
    listed = sorted(
        line.split(":")[0].strip()
        for line in RESOLVER_ONLY_LIST.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    )
    assert found == listed


def test_a_field_without_sql_cannot_be_declared() -> None:
    @table("pets")
    @strawberry.type(name="UndescribedPet")
    class Undescribed(TableRow):
        name: str = col(description="A described field.")
        nickname: str = strawberry.field(description="A field that says nothing of its SQL.")

    try:
        with pytest.raises(TypeError, match="nickname says nothing of its SQL"):
            _ = Undescribed.__vetql_table__.fields
    finally:
        graph_table._SPECS.pop("UndescribedPet")


async def test_the_overview_with_every_field_of_its_types_is_identical_and_at_most_3_statements(
    gql: GQL, plain_gql: GQL, sql: StatementCounter, world: World, token  # type: ignore[no-untyped-def]
) -> None:
    pet = every_field(_type("Pet"), depth=2, path=("Pet",))
    query = (
        "query Wide($first: Int!) { pets(first: $first) { totalCount pageInfo { hasNextPage endCursor }"
        f" edges {{ cursor node {{ {pet} }} }} }} }}"
    )
    for needed in ("secondaryPhone", "emergencyContactName", "communicationPreferences", "alarms", "recurrenceId",
                   "checkedInBy", "diagnosisCode", "createdBy"):
        assert needed in query
    bearer = token(world.many.vet, world.many.tenant, "vet")
    await gql.data("{ viewer { role } }", {}, bearer)  # the first request of a token checks its clinic
    counts = []
    for first in (5, 50):
        data, statements = await _both(gql, plain_gql, sql, query, {"first": first}, bearer)
        assert len(data["pets"]["edges"]) == first
        assert statements <= 3, "\n".join(s[:150] for s in sql.statements)
        counts.append(statements)
    assert counts[0] == counts[1]


async def _one_row_of_each_table(database_url: str, tenant: str) -> dict[str, Any]:
    """A key of each described table, from this clinic where the table is a clinic's."""
    conn = await asyncpg.connect(database_url)
    try:
        keys = {}
        for spec in all_specs():
            if spec.table is None or schema._schema.get_type(spec.name) is None:
                continue
            if spec.shared:
                row = await conn.fetchrow(f"SELECT {spec.key} AS k FROM {spec.table} LIMIT 1")
            else:
                row = await conn.fetchrow(f"SELECT {spec.key} AS k FROM {spec.table} WHERE tenant_id = $1 LIMIT 1",
                                          tenant)
            if row is not None:
                keys[spec.name] = row["k"]
        return keys
    finally:
        await conn.close()


async def _surgery_clinic(database_url: str) -> Gap:
    """A clinic with a promotion, a recurring series, a subscription, a device, an alarm, a weighing, an invitation."""
    g = await make_clinic(database_url)
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            log = await conn.fetchval(
                "INSERT INTO anesthesia_logs (tenant_id, pet_id, procedure_name) VALUES ($1, $2, 'Castración')"
                " RETURNING id", g.tenant, g.pet,
            )  # fmt: skip
            vital = await conn.fetchval(
                "INSERT INTO anesthesia_vitals (tenant_id, anesthesia_log_id, recorded_at, spo2, seq)"
                " VALUES ($1, $2, now(), 88, 1) RETURNING id", g.tenant, log,
            )  # fmt: skip
            await conn.execute(
                "INSERT INTO anesthesia_alarms (tenant_id, anesthesia_log_id, kind, family, severity, message, value,"
                " threshold, raised_at, raised_by) VALUES ($1, $2, 'severe_hypoxemia', 'spo2', 'critical',"
                " 'SpO2 88% (< 90)', 88, 90, now(), $3)", g.tenant, log, vital,
            )  # fmt: skip
            await conn.execute(
                "INSERT INTO user_devices (tenant_id, user_id, fcm_token, device_type) VALUES ($1, $2, 'tok', 'ios')",
                g.tenant, g.vet,
            )  # fmt: skip
            # an invitation to the staff (only its hash is stored), accepted by the clinic's vet
            await conn.execute(
                "INSERT INTO staff_invitations (tenant_id, email, role, code_hash, expires_at, invited_by,"
                " accepted_at, accepted_profile) VALUES ($1, 'nuevo@example.test', 'vet', repeat('a', 64),"
                " now() + interval '1 day', $2, now(), $3)",
                g.tenant, g.admin, g.vet,
            )  # fmt: skip
            # a weighing (the weight history; recorded_by set so the relation is compared too)
            await conn.execute(
                "INSERT INTO pet_weights (tenant_id, pet_id, weight_kg, recorded_by) VALUES ($1, $2, 8.4, $3)",
                g.tenant, g.pet, g.vet,
            )  # fmt: skip
            # the till: a service and a product on an invoice, paid and partly refunded
            service = await conn.fetchval(
                "INSERT INTO services (tenant_id, name, base_price) VALUES ($1, 'Consulta', 110000) RETURNING id",
                g.tenant,
            )  # fmt: skip
            product = await conn.fetchval(
                "INSERT INTO products (tenant_id, name, price, iva_rate) VALUES ($1, 'Meloxicam', 42000, 5)"
                " RETURNING id", g.tenant,
            )  # fmt: skip
            invoice = await conn.fetchval(
                "INSERT INTO invoices (tenant_id, client_id, pet_id) VALUES ($1, $2, $3) RETURNING id",
                g.tenant, g.owner, g.pet,
            )  # fmt: skip
            await conn.execute(
                "INSERT INTO invoice_items (tenant_id, invoice_id, item_type, service_id, product_id, description,"
                " quantity, unit_price, iva_rate, line_discount) VALUES ($1, $2, 'service', $3, NULL, 'Consulta', 1,"
                " 110000, 10, 0), ($1, $2, 'product', NULL, $4, 'Meloxicam', 2, 42000, 5, 4000)",
                g.tenant, invoice, service, product,
            )  # fmt: skip
            await conn.execute("UPDATE invoices SET status = 'sent' WHERE id = $1", invoice)
            payment = await conn.fetchval(
                "INSERT INTO payments (tenant_id, invoice_id, client_id, method, amount, reference, received_by)"
                " VALUES ($1, $2, $3, 'card', 50000, 'AUT-1', $4) RETURNING id", g.tenant, invoice, g.owner, g.vet,
            )  # fmt: skip
            await conn.execute(
                "INSERT INTO refunds (tenant_id, payment_id, invoice_id, client_id, amount, reason, refunded_by)"
                " VALUES ($1, $2, $3, $4, 1000, 'Vuelto', $5)", g.tenant, payment, invoice, g.owner, g.vet,
            )  # fmt: skip
            # a signed visit note with an addendum, and a vaccine given in it
            problem = await conn.fetchval(
                "INSERT INTO patient_problems (tenant_id, pet_id, problem_name) VALUES ($1, $2, 'Otitis') RETURNING id",
                g.tenant, g.pet,
            )  # fmt: skip
            record = await conn.fetchval(
                "INSERT INTO medical_records (tenant_id, pet_id, vet_id, title, subjective, weight_kg, temperature_c,"
                " problem_ids, signed_at, signed_by) VALUES ($1, $2, $3, 'Control', 'Bien', 24.5, 38.6, $4, now(), $3)"
                " RETURNING id", g.tenant, g.pet, g.vet, [problem],
            )  # fmt: skip
            await conn.execute(
                "INSERT INTO medical_record_addenda (tenant_id, record_id, body, created_by)"
                " VALUES ($1, $2, 'Nota', $3)", g.tenant, record, g.vet,
            )  # fmt: skip
            await conn.execute(
                "INSERT INTO vaccines (tenant_id, pet_id, name, product_id, batch_number, route, administered_date,"
                " next_dose_date, administered_by, medical_record_id) VALUES ($1, $2, 'Antirrábica', $3, 'L1',"
                " 'subcutaneous', current_date, current_date + 365, $4, $5)", g.tenant, g.pet, product, g.vet, record,
            )  # fmt: skip
    finally:
        await conn.close()
    return g


@pytest.mark.parametrize("role", ["vet", "owner", "admin"])
async def test_every_field_of_every_node_type_is_identical_on_both_paths(
    gql: GQL, plain_gql: GQL, sql: StatementCounter, world: World, token, database_url: str,  # type: ignore[no-untyped-def]
    role: str,
) -> None:
    g = await _surgery_clinic(database_url)
    people = {
        world.a.tenant: {"vet": world.a.vet, "owner": world.a.owners[0], "admin": world.a.admin},
        g.tenant: {"vet": g.vet, "owner": g.owner, "admin": g.admin},
    }
    node_types = {t.name for t in schema._schema.get_possible_types(schema._schema.get_type("Node"))}  # type: ignore[arg-type]
    compared: set[str] = set()
    for tenant, who in people.items():
        bearer = token(who[role], tenant, role)
        for type_name, key in sorted((await _one_row_of_each_table(database_url, tenant)).items()):
            selection = every_field(_type(type_name), depth=1, path=(type_name,))
            query = f"query One($id: ID!) {{ node(id: $id) {{ __typename ... on {type_name} {{ {selection} }} }} }}"
            await _both(gql, plain_gql, sql, query, {"id": to_global_id(type_name, key)}, bearer)
            ids = [to_global_id(type_name, key), to_global_id("Pet", world.a.pets[0])]
            many = f"query Many($ids: [ID!]!) {{ nodes(ids: $ids) {{ id ... on {type_name} {{ {selection} }} }} }}"
            await _both(gql, plain_gql, sql, many, {"ids": ids}, bearer)
            compared.add(type_name)
    assert compared == node_types
