"""The audit trail: every write to clinical and financial records appends who, when, what and how, in the same
transaction; it is never edited; a clinic's admins read it through `auditEvents`."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from db.session import REQUEST_ROLE, set_claims
from tests.conftest import GQL
from tests.test_till import PAY, Till, Token, _clinic, _key, gid, issued, run
from tests.world import World

EVENTS = """query($filter: AuditEventFilter) { auditEvents(first: 50, filter: $filter) {
  totalCount edges { node { id occurredAt actor { id } actorRole tableName recordType recordId action changes } } } }"""


@pytest.fixture(scope="module")
async def clinic(database_url: str) -> Till:
    return await _clinic(database_url)


async def test_a_payment_is_audited_with_who_and_the_changed_fields(
    gql: GQL, token: Token, clinic: Till, world: World
) -> None:
    vet = token(clinic.vet, clinic.tenant, "vet")
    admin = token(clinic.admin, clinic.tenant, "admin")
    inv = await issued(gql, clinic, vet, 50000)
    paid = await run(gql, PAY, vet, "recordPayment", invoiceId=inv["id"], method="CASH", amount="50000")
    assert paid["userErrors"] == []
    trail = (await gql.data(EVENTS, {"filter": {"recordId": inv["id"]}}, admin))["auditEvents"]
    events = [e["node"] for e in trail["edges"]]
    assert {e["recordType"] for e in events} == {"Invoice"} and {e["recordId"] for e in events} == {inv["id"]}
    settled = events[0]  # newest first
    assert settled["action"] == "UPDATE" and settled["actorRole"] == "vet"
    assert settled["actor"] == {"id": gid("Profile", clinic.vet)}
    assert settled["changes"]["status"] == {"old": "sent", "new": "paid"}
    assert settled["changes"]["amount_paid"] == {"old": 0, "new": 50000}
    issuing = [e for e in events if "invoice_number" in e["changes"]]
    assert issuing and issuing[0]["changes"]["invoice_number"]["old"] is None
    assert any(e["action"] == "INSERT" for e in events)
    payments = (await gql.data(EVENTS, {"filter": {"recordId": paid["payment"]["id"]}}, admin))["auditEvents"]
    [payment] = [e["node"] for e in payments["edges"]]
    assert payment["action"] == "INSERT" and payment["changes"]["amount"] == {"new": 50000}
    assert payment["changes"]["method"] == {"new": "cash"}

    for who in (vet, token(clinic.owner, clinic.tenant, "owner")):
        body = await gql(EVENTS, {}, who)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    stranger = token(world.b.admin, world.b.tenant, "admin")
    other = (await gql.data(EVENTS, {"filter": {"recordId": inv["id"]}}, stranger))["auditEvents"]
    assert other["totalCount"] == 0
    node = await gql.data("query($id: ID!) { node(id: $id) { id } }", {"id": settled["id"]}, vet)
    assert node["node"] is None


async def test_a_refused_write_leaves_no_trail(gql: GQL, token: Token, clinic: Till, database_url: str) -> None:
    vet = token(clinic.vet, clinic.tenant, "vet")
    inv = await issued(gql, clinic, vet, 1000)
    conn = await asyncpg.connect(database_url)
    try:
        count = "SELECT count(*) FROM audit_events WHERE tenant_id = $1"
        before = await conn.fetchval(count, clinic.tenant)
        over = await run(gql, PAY, vet, "recordPayment", invoiceId=inv["id"], method="CASH", amount="1001")
        assert over["userErrors"]
        assert await conn.fetchval(count, clinic.tenant) == before
    finally:
        await conn.close()


async def test_no_role_edits_or_deletes_the_trail(clinic: Till, database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        some = await conn.fetchval("SELECT id FROM audit_events WHERE tenant_id = $1 LIMIT 1", clinic.tenant)
        assert some is not None
        async with conn.transaction():
            await conn.execute(REQUEST_ROLE)
            claims = f'{{"tenant_id": "{clinic.tenant}", "role": "admin", "sub": "{clinic.admin}"}}'
            await conn.execute(set_claims(claims))
            assert await conn.execute("UPDATE audit_events SET action = 'delete' WHERE id = $1", some) == "UPDATE 0"
            assert await conn.execute("DELETE FROM audit_events WHERE id = $1", some) == "DELETE 0"
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await conn.execute("UPDATE audit_events SET action = 'delete' WHERE id = $1", some)  # even the owner
        assert await conn.fetchval("SELECT count(*) FROM audit_events WHERE id = $1", some) == 1
    finally:
        await conn.close()


async def test_clinical_writes_are_audited_too(gql: GQL, token: Token, clinic: Till) -> None:
    vet = token(clinic.vet, clinic.tenant, "vet")
    made = await gql.data(
        "mutation($i: CreateMedicalRecordInput!) { createMedicalRecord(input: $i) { record { id } } }",
        {"i": {"petId": gid("Pet", clinic.pet), "title": "Control", "weightKg": 12.5}}, vet,
    )  # fmt: skip
    record = made["createMedicalRecord"]["record"]["id"]
    admin = token(clinic.admin, clinic.tenant, "admin")
    trail = (await gql.data(EVENTS, {"filter": {"recordId": record, "action": "INSERT"}}, admin))["auditEvents"]
    [event] = [e["node"] for e in trail["edges"]]
    assert event["tableName"] == "medical_records" and event["changes"]["weight_kg"] == {"new": 12.5}
    assert uuid.UUID(_key(event["recordId"])) == uuid.UUID(_key(record))
