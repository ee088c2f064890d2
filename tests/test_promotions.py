"""Promotions through the API: codes, validation reasons, atomic redemption under real concurrency, voiding."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import pytest

from graph.types.node import to_global_id
from tests.conftest import GQL
from tests.world import World

Token = Callable[..., str]

CREATE = """
mutation($input: CreatePromotionInput!) {
  createPromotion(input: $input) {
    promotion { id code discountType discountValue usageLimit usagePerCustomer timesUsed isActive appliesTo }
    userErrors { field code message }
  }
}
"""
UPDATE = """
mutation($input: UpdatePromotionInput!) {
  updatePromotion(input: $input) {
    promotion { id code name discountValue usageLimit isActive expiresAt }
    userErrors { field code message }
  }
}
"""
REDEEM = """
mutation($input: RedeemPromotionInput!) {
  redeemPromotion(input: $input) {
    promotion { id timesUsed }
    discountAmount
    invoice { invoiceId status subtotal discountTotal total }
    userErrors { field code message }
  }
}
"""
VALIDATE = """
query($code: String!, $invoiceId: ID!) {
  validatePromotion(code: $code, invoiceId: $invoiceId) {
    valid discountAmount promotion { code } reasons { field code message }
  }
}
"""
VOID = """
mutation($input: VoidInvoiceInput!) {
  voidInvoice(input: $input) {
    invoice { status } promotionUsesReturned userErrors { field code message }
  }
}
"""
LIST = """
query($first: Int, $after: String, $filter: PromotionFilter) {
  promotions(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { code isActive } }
  }
}
"""


@dataclass
class PromoClinic:
    """A clinic of these tests' own (enterprise plan: no cap on active codes), with customers."""

    tenant: str
    admin: uuid.UUID
    vet: uuid.UUID
    customers: list[uuid.UUID]
    service: uuid.UUID
    invoices: list[uuid.UUID] = field(default_factory=list)


@pytest.fixture(scope="module")
async def clinic(database_url: str, world: World) -> AsyncIterator[PromoClinic]:
    tenant = f"promo-{uuid.uuid4().hex[:8]}"
    c = PromoClinic(tenant, uuid.uuid4(), uuid.uuid4(), [uuid.uuid4() for _ in range(12)], uuid.uuid4())
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(
            "INSERT INTO tenants (id, name, subscription_tier) VALUES ($1, 'Veterinaria Promo', 'enterprise')", tenant
        )
        people = [(c.admin, "admin"), (c.vet, "vet")] + [(o, "owner") for o in c.customers]
        await conn.executemany(
            "INSERT INTO profiles (tenant_id, id, role, full_name) VALUES ($1, $2, $3, 'Persona')",
            [(tenant, pid, role) for pid, role in people],
        )
        await conn.execute(
            "INSERT INTO services (tenant_id, id, name, base_price) VALUES ($1, $2, 'Consulta', 100000)",
            tenant,
            c.service,
        )
        yield c
    finally:
        await conn.close()


async def new_invoice(
    database_url: str,
    c: PromoClinic,
    customer: uuid.UUID,
    lines: list[tuple[str, Decimal]],
    *,
    status: str = "draft",
) -> str:
    """An invoice with lines (kind, amount); returns its global ID. Written as superuser (setup only)."""
    conn = await asyncpg.connect(database_url)
    try:
        invoice = uuid.uuid4()
        subtotal = sum((amount for _, amount in lines), Decimal(0))
        await conn.execute(
            "INSERT INTO invoices (tenant_id, id, invoice_number, client_id, status, subtotal, total)"
            " VALUES ($1, $2, $3, $4, $5, $6, $6)",
            c.tenant, invoice, f"F-{invoice.hex[:10]}", customer, status, subtotal,
        )  # fmt: skip
        for kind, amount in lines:
            product = uuid.uuid4()
            if kind == "product":
                await conn.execute(
                    "INSERT INTO products (tenant_id, id, name) VALUES ($1, $2, 'Producto')", c.tenant, product
                )
            await conn.execute(
                "INSERT INTO invoice_items (tenant_id, invoice_id, item_type, service_id, product_id, description,"
                " unit_price) VALUES ($1, $2, $3, $4, $5, 'línea', $6)",
                c.tenant, invoice, kind, c.service if kind == "service" else None,
                product if kind == "product" else None, amount,
            )  # fmt: skip
        return str(to_global_id("Invoice", invoice))
    finally:
        await conn.close()


def staff(c: PromoClinic, token: Token) -> str:
    return token(c.vet, c.tenant, "vet")


def code() -> str:
    return f"P{uuid.uuid4().hex[:10].upper()}"


async def create(gql: GQL, tok: str, **fields: Any) -> dict[str, Any]:
    payload = (await gql.data(CREATE, {"input": fields}, tok))["createPromotion"]
    return payload  # type: ignore[no-any-return]


async def db_value(database_url: str, sql: str, *args: Any) -> Any:
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()


# -- create, update, list ---------------------------------------------------------------------------


async def test_staff_creates_a_promotion_and_finds_it_in_the_list(gql: GQL, token: Token, clinic: PromoClinic) -> None:
    tok = staff(clinic, token)
    made = await create(gql, tok, code=code(), name="Verano", discountType="PERCENTAGE", discountValue="15",
                        usageLimit=100, appliesTo="SERVICES")  # fmt: skip
    assert made["userErrors"] == []
    promotion = made["promotion"]
    assert promotion["discountType"] == "PERCENTAGE" and promotion["timesUsed"] == 0
    assert promotion["usagePerCustomer"] == 1 and promotion["appliesTo"] == "SERVICES"
    listed = (await gql.data(LIST, {"first": 5, "filter": {"search": promotion["code"][1:8]}}, tok))["promotions"]
    assert listed["totalCount"] == 1
    assert listed["edges"][0]["node"]["code"] == promotion["code"]


async def test_promotions_list_pages_with_cursors(gql: GQL, token: Token, clinic: PromoClinic) -> None:
    tok = staff(clinic, token)
    prefix = f"PG{uuid.uuid4().hex[:6].upper()}"
    for i in range(3):
        await create(gql, tok, code=f"{prefix}{i}", name="Página", discountType="FIXED", discountValue="5000")
    first = (await gql.data(LIST, {"first": 2, "filter": {"search": prefix}}, tok))["promotions"]
    assert first["totalCount"] == 3 and first["pageInfo"]["hasNextPage"]
    rest = await gql.data(
        LIST, {"first": 2, "after": first["pageInfo"]["endCursor"], "filter": {"search": prefix}}, tok
    )
    codes = [e["node"]["code"] for e in first["edges"] + rest["promotions"]["edges"]]
    assert codes == [f"{prefix}2", f"{prefix}1", f"{prefix}0"]  # newest first


@pytest.mark.parametrize(
    ("fields", "field", "error"),
    [
        ({"discountType": "PERCENTAGE", "discountValue": "150"}, "discountValue", "OUT_OF_RANGE"),
        ({"discountType": "PERCENTAGE", "discountValue": "0"}, "discountValue", "OUT_OF_RANGE"),
        ({"discountType": "FIXED", "discountValue": "1000.50"}, "discountValue", "OUT_OF_RANGE"),
        ({"code": "a b"}, "code", "INVALID"),
        ({"usageLimit": 0}, "usageLimit", "OUT_OF_RANGE"),
        ({"maximumDiscount": "-1"}, "maximumDiscount", "OUT_OF_RANGE"),
        ({"startsAt": "2030-01-02T00:00:00Z", "expiresAt": "2030-01-01T00:00:00Z"}, "expiresAt", "INVALID"),
        ({"applicableItems": ["not-a-uuid"]}, "applicableItems", "INVALID"),
        ({"applicableItems": [str(uuid.uuid4()) for _ in range(201)]}, "applicableItems", "TOO_MANY_ITEMS"),
    ],
)
async def test_create_promotion_reports_bad_input_as_user_errors_and_writes_nothing(
    gql: GQL, token: Token, clinic: PromoClinic, database_url: str, fields: dict[str, Any], field: str, error: str
) -> None:
    base = {"code": code(), "name": "Mala", "discountType": "FIXED", "discountValue": "10000"}
    made = await create(gql, staff(clinic, token), **{**base, **fields})
    assert made["promotion"] is None
    assert (field, error) in [(e["field"], e["code"]) for e in made["userErrors"]]
    assert await db_value(database_url, "SELECT count(*) FROM promotions WHERE code = $1", base["code"]) == 0


async def test_a_code_is_taken_whatever_its_case(
    gql: GQL, token: Token, clinic: PromoClinic, database_url: str
) -> None:
    tok = staff(clinic, token)
    name = code()
    assert (await create(gql, tok, code=name, name="A", discountType="FIXED", discountValue="1000"))["userErrors"] == []
    again = await create(gql, tok, code=name.lower(), name="B", discountType="FIXED", discountValue="1000")
    assert again["promotion"] is None
    assert [(e["field"], e["code"]) for e in again["userErrors"]] == [("code", "CODE_TAKEN")]
    count = "SELECT count(*) FROM promotions WHERE tenant_id = $1 AND lower(code) = lower($2)"
    assert await db_value(database_url, count, clinic.tenant, name) == 1


async def test_update_promotion_edits_rules_and_keeps_limits_above_uses(
    gql: GQL, token: Token, clinic: PromoClinic, database_url: str
) -> None:
    tok = staff(clinic, token)
    made = await create(gql, tok, code=code(), name="Otoño", discountType="FIXED", discountValue="20000", usageLimit=5)
    pid = made["promotion"]["id"]
    changed = (await gql.data(UPDATE, {"input": {"id": pid, "name": "Otoño 2", "usageLimit": 10, "isActive": False}},
                              tok))["updatePromotion"]  # fmt: skip
    assert changed["userErrors"] == []
    assert changed["promotion"]["name"] == "Otoño 2" and changed["promotion"]["usageLimit"] == 10
    assert changed["promotion"]["isActive"] is False
    await db_value(database_url, "UPDATE promotions SET times_used = 4 WHERE id = $1",
                   uuid.UUID(_key(pid)))  # fmt: skip
    refused = (await gql.data(UPDATE, {"input": {"id": pid, "usageLimit": 3}}, tok))["updatePromotion"]
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [("usageLimit", "OUT_OF_RANGE")]
    bad = (await gql.data(UPDATE, {"input": {"id": pid, "discountType": "PERCENTAGE"}}, tok))["updatePromotion"]
    assert [(e["field"], e["code"]) for e in bad["userErrors"]] == [("discountValue", "OUT_OF_RANGE")]  # 20000 %
    other = await create(gql, tok, code=code(), name="Otro", discountType="FIXED", discountValue="1000")
    taken = await gql.data(UPDATE, {"input": {"id": pid, "code": other["promotion"]["code"].lower()}}, tok)
    assert [e["code"] for e in taken["updatePromotion"]["userErrors"]] == ["CODE_TAKEN"]
    assert await db_value(database_url, "SELECT usage_limit FROM promotions WHERE id = $1", uuid.UUID(_key(pid))) == 10


def _key(global_id: str) -> str:
    import base64

    return base64.urlsafe_b64decode(global_id.encode()).decode().partition(":")[2]


# -- who may ----------------------------------------------------------------------------------------


async def test_an_owner_is_forbidden_every_promotion_operation(gql: GQL, token: Token, clinic: PromoClinic) -> None:
    owner = token(clinic.customers[0], clinic.tenant, "owner")
    invoice = str(to_global_id("Invoice", uuid.uuid4()))
    calls = [
        (CREATE, {"input": {"code": code(), "name": "x", "discountType": "FIXED", "discountValue": "1"}}),
        (UPDATE, {"input": {"id": str(to_global_id("Promotion", uuid.uuid4())), "name": "x"}}),
        (REDEEM, {"input": {"code": "X", "invoiceId": invoice}}),
        (VOID, {"input": {"invoiceId": invoice}}),
        (VALIDATE, {"code": "X", "invoiceId": invoice}),
        (LIST, {"first": 1}),
    ]
    for query, variables in calls:
        for tok in (owner, None):
            body = await gql(query, variables, tok)
            assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"], query


async def test_staff_of_another_clinic_get_not_found_and_change_nothing(
    gql: GQL, token: Token, clinic: PromoClinic, world: World, database_url: str
) -> None:
    mine = staff(clinic, token)
    made = (await create(gql, mine, code=code(), name="Mía", discountType="FIXED", discountValue="1000"))["promotion"]
    invoice = await new_invoice(database_url, clinic, clinic.customers[1], [("service", Decimal(50000))])
    stranger = token(world.b.vet, world.b.tenant, "vet")
    update = (await gql.data(UPDATE, {"input": {"id": made["id"], "name": "Robada"}}, stranger))["updatePromotion"]
    assert [(e["field"], e["code"]) for e in update["userErrors"]] == [("id", "NOT_FOUND")]
    redeem = await gql.data(REDEEM, {"input": {"code": made["code"], "invoiceId": invoice}}, stranger)
    assert [e["code"] for e in redeem["redeemPromotion"]["userErrors"]] == ["NOT_FOUND"]
    void = (await gql.data(VOID, {"input": {"invoiceId": invoice}}, stranger))["voidInvoice"]
    assert [(e["field"], e["code"]) for e in void["userErrors"]] == [("invoiceId", "NOT_FOUND")]
    check = (await gql.data(VALIDATE, {"code": made["code"], "invoiceId": invoice}, stranger))["validatePromotion"]
    assert check["valid"] is False and check["promotion"] is None
    listed = (await gql.data(LIST, {"first": 100, "filter": {"search": made["code"]}}, stranger))["promotions"]
    assert listed["totalCount"] == 0
    row = await db_value(
        database_url, "SELECT name || times_used FROM promotions WHERE id = $1", uuid.UUID(_key(made["id"]))
    )
    assert row == "Mía0"
    assert (
        await db_value(database_url, "SELECT status FROM invoices WHERE id = $1", uuid.UUID(_key(invoice))) == "draft"
    )


# -- validate and redeem ----------------------------------------------------------------------------


async def test_validate_promotion_names_every_reason_a_code_does_not_apply(
    gql: GQL, token: Token, clinic: PromoClinic, database_url: str
) -> None:
    tok = staff(clinic, token)
    now = datetime.now(UTC)
    products_only = await new_invoice(database_url, clinic, clinic.customers[2], [("product", Decimal(30000))])

    async def reasons(invoice: str, **fields: Any) -> list[str]:
        made = await create(gql, tok, code=code(), name="R", **{"discountType": "FIXED", "discountValue": "5000",
                                                                 **fields})  # fmt: skip
        assert made["userErrors"] == [], made
        check = await gql.data(VALIDATE, {"code": made["promotion"]["code"].lower(), "invoiceId": invoice}, tok)
        return [r["code"] for r in check["validatePromotion"]["reasons"]]

    assert await reasons(products_only) == []
    assert await reasons(products_only, expiresAt=(now - timedelta(days=1)).isoformat(),
                         startsAt=(now - timedelta(days=9)).isoformat()) == ["EXPIRED"]  # fmt: skip
    assert await reasons(products_only, startsAt=(now + timedelta(days=1)).isoformat()) == ["NOT_STARTED"]
    assert await reasons(products_only, isActive=False) == ["INACTIVE"]
    assert await reasons(products_only, minimumPurchase="50000") == ["MINIMUM_NOT_MET"]
    assert await reasons(products_only, appliesTo="SERVICES") == ["NOT_APPLICABLE_ITEMS"]
    assert await reasons(products_only, applicableItems=[str(clinic.service)]) == ["NOT_APPLICABLE_ITEMS"]
    missing = (await gql.data(VALIDATE, {"code": "NOPE-NOPE", "invoiceId": products_only}, tok))["validatePromotion"]
    assert [r["code"] for r in missing["reasons"]] == ["NOT_FOUND"]


async def test_redeem_discounts_the_invoice_capped_by_the_maximum_and_the_total(
    gql: GQL, token: Token, clinic: PromoClinic, database_url: str
) -> None:
    tok = staff(clinic, token)
    capped = await create(gql, tok, code=code(), name="50%", discountType="PERCENTAGE", discountValue="50",
                          maximumDiscount="30000", appliesTo="SERVICES")  # fmt: skip
    invoice = await new_invoice(database_url, clinic, clinic.customers[3],
                                [("service", Decimal(100000)), ("product", Decimal(40000))])  # fmt: skip
    check = await gql.data(VALIDATE, {"code": capped["promotion"]["code"], "invoiceId": invoice}, tok)
    assert check["validatePromotion"]["valid"] and Decimal(check["validatePromotion"]["discountAmount"]) == 30000
    done = await gql.data(REDEEM, {"input": {"code": capped["promotion"]["code"], "invoiceId": invoice}}, tok)
    payload = done["redeemPromotion"]
    assert payload["userErrors"] == []
    assert Decimal(payload["discountAmount"]) == 30000 and payload["promotion"]["timesUsed"] == 1
    assert Decimal(payload["invoice"]["discountTotal"]) == 30000 and Decimal(payload["invoice"]["total"]) == 110000
    again = await gql.data(REDEEM, {"input": {"code": capped["promotion"]["code"], "invoiceId": invoice}}, tok)
    assert {e["code"] for e in again["redeemPromotion"]["userErrors"]} >= {"ALREADY_APPLIED"}

    big = await create(gql, tok, code=code(), name="Grande", discountType="FIXED", discountValue="500000")
    small = await new_invoice(database_url, clinic, clinic.customers[4], [("product", Decimal(20000))])
    done = await gql.data(REDEEM, {"input": {"code": big["promotion"]["code"], "invoiceId": small}}, tok)
    assert Decimal(done["redeemPromotion"]["discountAmount"]) == 20000  # never more than the invoice
    assert Decimal(done["redeemPromotion"]["invoice"]["total"]) == 0


async def test_redeem_refuses_a_paid_invoice_and_a_customer_over_their_limit(
    gql: GQL, token: Token, clinic: PromoClinic, database_url: str
) -> None:
    tok = staff(clinic, token)
    made = (await create(gql, tok, code=code(), name="Uno", discountType="FIXED", discountValue="1000"))["promotion"]
    paid = await new_invoice(database_url, clinic, clinic.customers[5], [("service", Decimal(9000))], status="paid")
    refused = (await gql.data(REDEEM, {"input": {"code": made["code"], "invoiceId": paid}}, tok))["redeemPromotion"]
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [("invoiceId", "INVOICE_NOT_EDITABLE")]
    first = await new_invoice(database_url, clinic, clinic.customers[5], [("service", Decimal(9000))])
    second = await new_invoice(database_url, clinic, clinic.customers[5], [("service", Decimal(9000))])
    ok = (await gql.data(REDEEM, {"input": {"code": made["code"], "invoiceId": first}}, tok))["redeemPromotion"]
    assert ok["userErrors"] == []
    over = (await gql.data(REDEEM, {"input": {"code": made["code"], "invoiceId": second}}, tok))["redeemPromotion"]
    assert [e["code"] for e in over["userErrors"]] == ["CUSTOMER_LIMIT_REACHED"]
    assert (
        await db_value(database_url, "SELECT times_used FROM promotions WHERE id = $1", uuid.UUID(_key(made["id"])))
        == 1
    )
    assert await db_value(database_url, "SELECT total FROM invoices WHERE id = $1", uuid.UUID(_key(second))) == 9000


async def test_ten_concurrent_redemptions_of_the_last_use_exactly_one_succeeds(
    gql: GQL, token: Token, clinic: PromoClinic, database_url: str
) -> None:
    tok = staff(clinic, token)
    made = await create(gql, tok, code=code(), name="Última", discountType="FIXED", discountValue="5000",
                        usageLimit=3, usagePerCustomer=None)  # fmt: skip
    promotion = uuid.UUID(_key(made["promotion"]["id"]))
    await db_value(database_url, "UPDATE promotions SET times_used = 2 WHERE id = $1", promotion)  # one use left
    invoices = [await new_invoice(database_url, clinic, clinic.customers[i], [("service", Decimal(20000))])
                for i in range(10)]  # fmt: skip

    results = await asyncio.gather(*(
        gql.data(REDEEM, {"input": {"code": made["promotion"]["code"], "invoiceId": inv}}, tok) for inv in invoices
    ))  # fmt: skip
    payloads = [r["redeemPromotion"] for r in results]
    winners = [p for p in payloads if not p["userErrors"]]
    assert len(winners) == 1
    assert all([e["code"] for e in p["userErrors"]] == ["USAGE_LIMIT_REACHED"] for p in payloads if p not in winners)
    assert await db_value(database_url, "SELECT times_used FROM promotions WHERE id = $1", promotion) == 3
    uses = "SELECT count(*) FROM promotion_usage WHERE promotion_id = $1 AND voided_at IS NULL"
    assert await db_value(database_url, uses, promotion) == 1
    discounted = "SELECT count(*) FROM invoices WHERE id = ANY($1::uuid[]) AND discount_total > 0"
    assert await db_value(database_url, discounted, [uuid.UUID(_key(i)) for i in invoices]) == 1


async def test_one_customer_redeeming_concurrently_on_five_invoices_gets_one_use(
    gql: GQL, token: Token, clinic: PromoClinic, database_url: str
) -> None:
    tok = staff(clinic, token)
    made = await create(gql, tok, code=code(), name="Por cliente", discountType="FIXED", discountValue="1000")
    invoices = [await new_invoice(database_url, clinic, clinic.customers[11], [("service", Decimal(5000))])
                for _ in range(5)]  # fmt: skip
    results = await asyncio.gather(*(
        gql.data(REDEEM, {"input": {"code": made["promotion"]["code"], "invoiceId": inv}}, tok) for inv in invoices
    ))  # fmt: skip
    codes = sorted(tuple(e["code"] for e in r["redeemPromotion"]["userErrors"]) for r in results)
    assert codes == [(), *[("CUSTOMER_LIMIT_REACHED",)] * 4]


async def test_voiding_an_invoice_gives_the_use_back(
    gql: GQL, token: Token, clinic: PromoClinic, database_url: str
) -> None:
    tok = staff(clinic, token)
    made = await create(gql, tok, code=code(), name="Anulable", discountType="FIXED", discountValue="1000",
                        usageLimit=1)  # fmt: skip
    first = await new_invoice(database_url, clinic, clinic.customers[6], [("service", Decimal(9000))])
    second = await new_invoice(database_url, clinic, clinic.customers[7], [("service", Decimal(9000))])
    redeem = {"input": {"code": made["promotion"]["code"], "invoiceId": first}}
    assert (await gql.data(REDEEM, redeem, tok))["redeemPromotion"]["userErrors"] == []
    full = (await gql.data(REDEEM, {"input": {**redeem["input"], "invoiceId": second}}, tok))["redeemPromotion"]
    assert [e["code"] for e in full["userErrors"]] == ["USAGE_LIMIT_REACHED"]

    void = (await gql.data(VOID, {"input": {"invoiceId": first}}, tok))["voidInvoice"]
    assert void["userErrors"] == [] and void["invoice"]["status"] == "void" and void["promotionUsesReturned"] == 1
    again = (await gql.data(VOID, {"input": {"invoiceId": first}}, tok))["voidInvoice"]
    assert [e["code"] for e in again["userErrors"]] == ["INVOICE_NOT_EDITABLE"]
    now_ok = (await gql.data(REDEEM, {"input": {**redeem["input"], "invoiceId": second}}, tok))["redeemPromotion"]
    assert now_ok["userErrors"] == [] and now_ok["promotion"]["timesUsed"] == 1
