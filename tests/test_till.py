"""The till through the API: catalogue, invoices with IVA computed by the database, numbering, payments."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest

from db.session import REQUEST_ROLE, set_claims
from graph.types.node import to_global_id
from tests.conftest import GQL
from tests.world import World

Token = Callable[..., str]

INVOICE_FIELDS = """
id invoiceNumber status issueDate pricesIncludeIva subtotal discountTotal exemptAmount taxed5Amount taxed10Amount
iva5 iva10 taxTotal total amountPaid balanceDue client { fullName } pet { name }
lines { kind description quantity unitPrice lineDiscount promotionDiscount amount ivaRate }
"""
SERVICE = """mutation($input: CreateServiceInput!) { createService(input: $input) {
  service { id name price ivaRate durationMinutes isActive category } userErrors { field code message } } }"""
UPDATE_SERVICE = """mutation($input: UpdateServiceInput!) { updateService(input: $input) {
  service { id name price isActive } userErrors { field code message } } }"""
PRODUCT = """mutation($input: CreateProductInput!) { createProduct(input: $input) {
  product { id name price ivaRate sku } userErrors { field code message } } }"""
SETTINGS = """mutation($input: UpdateInvoiceSettingsInput!) { updateInvoiceSettings(input: $input) {
  settings { pricesIncludeIva ruc timbrado establishment pointOfSale } userErrors { field code message } } }"""
CREATE = f"""mutation($input: CreateInvoiceInput!) {{ createInvoice(input: $input) {{
  invoice {{ {INVOICE_FIELDS} }} userErrors {{ field code message }} }} }}"""
ADD_LINE = f"""mutation($input: AddInvoiceLineInput!) {{ addInvoiceLine(input: $input) {{
  invoice {{ {INVOICE_FIELDS} }} line {{ id }} userErrors {{ field code message }} }} }}"""
REMOVE_LINE = """mutation($input: RemoveInvoiceLineInput!) { removeInvoiceLine(input: $input) {
  invoice { total lines { id } } userErrors { field code message } } }"""
ISSUE = f"""mutation($input: IssueInvoiceInput!) {{ issueInvoice(input: $input) {{
  invoice {{ {INVOICE_FIELDS} }} userErrors {{ field code message }} }} }}"""
PAY = """mutation($input: RecordPaymentInput!) { recordPayment(input: $input) {
  payment { id method amount reference } invoice { status amountPaid balanceDue }
  userErrors { field code message } } }"""
REFUND = """mutation($input: RefundPaymentInput!) { refundPayment(input: $input) {
  refund { amount reason } payment { refundedAmount } invoice { status amountPaid balanceDue }
  userErrors { field code message } } }"""
REDEEM = """mutation($input: RedeemPromotionInput!) { redeemPromotion(input: $input) {
  discountAmount userErrors { field code message } } }"""
VOID = """mutation($input: VoidInvoiceInput!) { voidInvoice(input: $input) { userErrors { field code } } }"""
NODE = f"""query($id: ID!) {{ node(id: $id) {{ __typename
  ... on Invoice {{ {INVOICE_FIELDS} payments {{ amount }} }} }} }}"""
LIST = """query($filter: InvoiceFilter, $first: Int) { invoices(first: $first, filter: $filter) {
  totalCount edges { node { id status total client { id } } } } }"""


@dataclass
class Till:
    tenant: str
    admin: uuid.UUID
    vet: uuid.UUID
    owner: uuid.UUID
    other_owner: uuid.UUID
    pet: uuid.UUID
    other_pet: uuid.UUID


async def _clinic(database_url: str) -> Till:
    t = Till(f"till-{uuid.uuid4().hex[:8]}", *(uuid.uuid4() for _ in range(6)))
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            await conn.execute(
                "INSERT INTO tenants (id, name, subscription_tier) VALUES ($1, 'Veterinaria Caja', 'enterprise')",
                t.tenant,
            )
            await conn.executemany(
                "INSERT INTO profiles (tenant_id, id, role, full_name) VALUES ($1, $2, $3, $4)",
                [(t.tenant, t.admin, "admin", "Admin"), (t.tenant, t.vet, "vet", "Dra. Caja"),
                 (t.tenant, t.owner, "owner", "Rosa Benítez"), (t.tenant, t.other_owner, "owner", "Otro Dueño")],
            )  # fmt: skip
            await conn.executemany(
                "INSERT INTO pets (tenant_id, id, owner_id, name, species) VALUES ($1, $2, $3, $4, 'dog')",
                [(t.tenant, t.pet, t.owner, "Sultán"), (t.tenant, t.other_pet, t.other_owner, "Negro")],
            )
    finally:
        await conn.close()
    return t


@pytest.fixture(scope="module")
async def till(database_url: str, world: World) -> AsyncIterator[Till]:
    yield await _clinic(database_url)


def gid(type_name: str, key: uuid.UUID) -> str:
    return str(to_global_id(type_name, key))


def errors(payload: dict[str, Any]) -> list[tuple[str | None, str]]:
    return [(e["field"], e["code"]) for e in payload["userErrors"]]


async def run(gql: GQL, query: str, tok: str, field: str, /, **input: Any) -> dict[str, Any]:
    return (await gql.data(query, {"input": input}, tok))[field]  # type: ignore[no-any-return]


async def service(gql: GQL, tok: str, price: int, rate: int = 10, name: str = "Consulta") -> str:
    made = await run(gql, SERVICE, tok, "createService", name=name, price=str(price), ivaRate=rate)
    assert made["userErrors"] == [], made
    return made["service"]["id"]  # type: ignore[no-any-return]


async def product(gql: GQL, tok: str, price: int, rate: int) -> str:
    made = await run(gql, PRODUCT, tok, "createProduct", name=f"Producto {rate}", price=str(price), ivaRate=rate)
    assert made["userErrors"] == [], made
    return made["product"]["id"]  # type: ignore[no-any-return]


async def draft(gql: GQL, t: Till, tok: str, lines: list[dict[str, Any]], owner: uuid.UUID | None = None,
                pet: uuid.UUID | None = None) -> dict[str, Any]:
    made = await run(gql, CREATE, tok, "createInvoice", ownerId=gid("Profile", owner or t.owner),
                     petId=gid("Pet", pet or t.pet), lines=lines)  # fmt: skip
    assert made["userErrors"] == [], made
    return made["invoice"]  # type: ignore[no-any-return]


async def issued(gql: GQL, t: Till, tok: str, price: int = 100000) -> dict[str, Any]:
    s = await service(gql, tok, price)
    inv = await draft(gql, t, tok, [{"serviceId": s}])
    done = await run(gql, ISSUE, tok, "issueInvoice", invoiceId=inv["id"])
    assert done["userErrors"] == [], done
    return done["invoice"]  # type: ignore[no-any-return]


def amounts(inv: dict[str, Any]) -> dict[str, int]:
    keys = ("subtotal", "discountTotal", "exemptAmount", "taxed5Amount", "taxed10Amount", "iva5", "iva10", "taxTotal",
            "total")  # fmt: skip
    return {k: inv[k] for k in keys}


# -- catalogue ------------------------------------------------------------------------------------------


async def test_staff_build_the_catalogue_and_list_it(gql: GQL, token: Token, till: Till) -> None:
    tok = token(till.vet, till.tenant, "vet")
    made = await run(gql, SERVICE, tok, "createService", name="Vacunación antirrábica", price="80000",
                     category="VACCINATION", durationMinutes=15)  # fmt: skip
    assert made["userErrors"] == []
    assert made["service"]["price"] == 80000 and made["service"]["ivaRate"] == 10
    med = await run(gql, PRODUCT, tok, "createProduct", name="Bravecto 20-40 kg", price="250000", ivaRate=5,
                    sku="BRV-L")  # fmt: skip
    assert med["userErrors"] == [] and med["product"]["ivaRate"] == 5
    taken = await run(gql, PRODUCT, tok, "createProduct", name="Otro", price="1", sku="brv-l")
    assert errors(taken) == [("sku", "SKU_TAKEN")]
    changed = await run(gql, UPDATE_SERVICE, tok, "updateService", serviceId=made["service"]["id"], price="85000",
                        isActive=False)  # fmt: skip
    assert changed["userErrors"] == [] and changed["service"]["price"] == 85000
    listed = await gql.data("{ services(search: \"antirr\") { name isActive } products { name sku } }", {}, tok)
    assert listed["services"] == [{"name": "Vacunación antirrábica", "isActive": False}]
    assert {"name": "Bravecto 20-40 kg", "sku": "BRV-L"} in listed["products"]
    active = await gql.data("{ services(activeOnly: true, search: \"antirr\") { name } }", {}, tok)
    assert active["services"] == []


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"price": "1000.5"}, ("price", "NOT_WHOLE_GUARANI")),
        ({"price": "-1"}, ("price", "OUT_OF_RANGE")),
        ({"ivaRate": 7}, ("ivaRate", "OUT_OF_RANGE")),
        ({"name": " "}, ("name", "OUT_OF_RANGE")),
        ({"durationMinutes": 0}, ("durationMinutes", "OUT_OF_RANGE")),
    ],
)
async def test_bad_catalogue_input_is_a_user_error(
    gql: GQL, token: Token, till: Till, fields: dict[str, Any], expected: tuple[str, str]
) -> None:
    made = await run(gql, SERVICE, token(till.vet, till.tenant, "vet"), "createService",
                     **{"name": "Mala", "price": "1000", **fields})  # fmt: skip
    assert made["service"] is None and errors(made) == [expected]


async def test_an_owner_is_forbidden_the_till_and_another_clinic_finds_nothing(
    gql: GQL, token: Token, till: Till, world: World
) -> None:
    vet = token(till.vet, till.tenant, "vet")
    inv = await issued(gql, till, vet)
    s = await service(gql, vet, 5000)
    owner = token(till.owner, till.tenant, "owner")
    for query, variables in [
        (SERVICE, {"input": {"name": "x", "price": "1"}}),
        (CREATE, {"input": {"ownerId": gid("Profile", till.owner)}}),
        (ISSUE, {"input": {"invoiceId": inv["id"]}}),
        (PAY, {"input": {"invoiceId": inv["id"], "method": "CASH", "amount": "1"}}),
        (REFUND, {"input": {"paymentId": gid("Payment", uuid.uuid4()), "amount": "1"}}),
        (SETTINGS, {"input": {"pricesIncludeIva": False}}),
        ("{ services { id } }", {}),
    ]:
        body = await gql(query, variables, owner)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"], query
    vet_settings = await gql(SETTINGS, {"input": {"pricesIncludeIva": False}}, vet)
    assert [e["extensions"]["code"] for e in vet_settings["errors"]] == ["FORBIDDEN"]  # admin only

    stranger = token(world.b.vet, world.b.tenant, "vet")
    assert errors(await run(gql, PAY, stranger, "recordPayment", invoiceId=inv["id"], method="CASH", amount="1")) == [
        ("invoiceId", "NOT_FOUND")
    ]
    assert errors(await run(gql, UPDATE_SERVICE, stranger, "updateService", serviceId=s, price="1")) == [
        ("serviceId", "NOT_FOUND")
    ]
    assert errors(await run(gql, CREATE, stranger, "createInvoice", ownerId=gid("Profile", till.owner))) == [
        ("ownerId", "NOT_FOUND")
    ]
    foreign_line = await run(gql, CREATE, vet, "createInvoice", ownerId=gid("Profile", till.owner),
                             lines=[{"serviceId": gid("Service", uuid.uuid4())}])  # fmt: skip
    assert errors(foreign_line) == [("lines.0.serviceId", "NOT_FOUND")]
    assert (await gql.data(NODE, {"id": inv["id"]}, stranger))["node"] is None
    assert (await gql.data(LIST, {"first": 100}, stranger))["invoices"]["edges"] == [] or all(
        e["node"]["id"] != inv["id"] for e in (await gql.data(LIST, {"first": 100}, stranger))["invoices"]["edges"]
    )


# -- the IVA, computed by the database --------------------------------------------------------------------


async def test_mixed_rates_line_discounts_and_a_promotion_with_iva_included(
    gql: GQL, token: Token, till: Till
) -> None:
    """Checked by hand. IVA included: 10 % is 1/11 of its amount, 5 % is 1/21, each rate rounded once.

    consultation 110,000 @ 10 %; medicine 2 x 42,000 @ 5 % less 4,000 = 80,000; exempt 15,000.
    IVA 10 %: 110,000 / 11 = 10,000; 5 %: 80,000 / 21 = 3,809.52 -> 3,810. Total 205,000.
    A fixed promotion of 20,500 on every line, spread by what each costs (110:80:15 of 205):
    11,000, 8,000 and 1,500. Then 10 %: 99,000 -> IVA 9,000; 5 %: 72,000 / 21 = 3,428.57 -> 3,429;
    exempt 13,500; total 184,500.
    """
    tok = token(till.vet, till.tenant, "vet")
    consult = await service(gql, tok, 110000)
    medicine = await product(gql, tok, 42000, 5)
    exempt = await product(gql, tok, 15000, 0)
    inv = await draft(gql, till, tok, [
        {"serviceId": consult},
        {"productId": medicine, "quantity": "2", "lineDiscount": "4000"},
        {"productId": exempt},
    ])  # fmt: skip
    assert inv["status"] == "DRAFT" and inv["invoiceNumber"] is None and inv["pricesIncludeIva"] is True
    assert amounts(inv) == {"subtotal": 209000, "discountTotal": 4000, "exemptAmount": 15000, "taxed5Amount": 80000,
                            "taxed10Amount": 110000, "iva5": 3810, "iva10": 10000, "taxTotal": 13810,
                            "total": 205000}  # fmt: skip
    assert [line["amount"] for line in inv["lines"]] == [110000, 80000, 15000]

    code = f"T{uuid.uuid4().hex[:8].upper()}"
    promo = await gql.data(
        "mutation($i: CreatePromotionInput!) { createPromotion(input: $i) { userErrors { code } } }",
        {"i": {"code": code, "name": "Invierno", "discountType": "FIXED", "discountValue": "20500"}}, tok,
    )  # fmt: skip
    assert promo["createPromotion"]["userErrors"] == []
    redeemed = await run(gql, REDEEM, tok, "redeemPromotion", code=code, invoiceId=inv["id"])
    assert redeemed["userErrors"] == [] and redeemed["discountAmount"] == "20500"
    after = (await gql.data(NODE, {"id": inv["id"]}, tok))["node"]
    assert [line["promotionDiscount"] for line in after["lines"]] == [11000, 8000, 1500]
    assert amounts(after) == {"subtotal": 209000, "discountTotal": 24500, "exemptAmount": 13500,
                              "taxed5Amount": 72000, "taxed10Amount": 99000, "iva5": 3429, "iva10": 9000,
                              "taxTotal": 12429, "total": 184500}  # fmt: skip


async def test_a_promotion_lowers_the_iva_when_prices_exclude_it(
    gql: GQL, token: Token, database_url: str, world: World
) -> None:
    """The issue's case: subtotal 210,000 + IVA 21,000, then a 20,000 discount. Before the fix the total was
    211,000 with the IVA unchanged; applied before tax it is 190,000 + IVA 19,000 = 209,000."""
    t = await _clinic(database_url)
    admin, tok = token(t.admin, t.tenant, "admin"), token(t.vet, t.tenant, "vet")
    saved = await run(gql, SETTINGS, admin, "updateInvoiceSettings", pricesIncludeIva=False, ruc="80012345-6",
                      timbrado="12345678", establishment="002")  # fmt: skip
    assert saved["userErrors"] == [] and saved["settings"]["pricesIncludeIva"] is False
    bad = await run(gql, SETTINGS, admin, "updateInvoiceSettings", ruc="80012345", timbrado="123")
    assert errors(bad) == [("ruc", "INVALID"), ("timbrado", "INVALID")]
    surgery = await service(gql, tok, 210000)
    inv = await draft(gql, t, tok, [{"serviceId": surgery}])
    assert (inv["subtotal"], inv["iva10"], inv["total"]) == (210000, 21000, 231000)
    code = f"T{uuid.uuid4().hex[:8].upper()}"
    await gql.data(
        "mutation($i: CreatePromotionInput!) { createPromotion(input: $i) { userErrors { code } } }",
        {"i": {"code": code, "name": "Veinte mil", "discountType": "FIXED", "discountValue": "20000"}}, tok,
    )  # fmt: skip
    assert (await run(gql, REDEEM, tok, "redeemPromotion", code=code, invoiceId=inv["id"]))["userErrors"] == []
    done = await run(gql, ISSUE, tok, "issueInvoice", invoiceId=inv["id"])
    assert done["userErrors"] == []
    assert amounts(done["invoice"]) == {"subtotal": 210000, "discountTotal": 20000, "exemptAmount": 0,
                                        "taxed5Amount": 0, "taxed10Amount": 209000, "iva5": 0, "iva10": 19000,
                                        "taxTotal": 19000, "total": 209000}  # fmt: skip
    assert done["invoice"]["invoiceNumber"] == "002-001-0000001"
    conn = await asyncpg.connect(database_url)
    try:
        row = await conn.fetchrow("SELECT timbrado, clinic_ruc FROM invoices WHERE tenant_id = $1", t.tenant)
    finally:
        await conn.close()
    assert tuple(row) == ("12345678", "80012345-6")


# -- drafts, issuing, numbering ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ({"quantity": "-1"}, ("lines.0.quantity", "OUT_OF_RANGE")),
        ({"quantity": "0.001"}, ("lines.0.quantity", "INVALID")),
        ({"unitPrice": "1000.5"}, ("lines.0.unitPrice", "NOT_WHOLE_GUARANI")),
        ({"lineDiscount": "-5"}, ("lines.0.lineDiscount", "OUT_OF_RANGE")),
        ({"lineDiscount": "999999"}, ("lines.0.lineDiscount", "DISCOUNT_TOO_LARGE")),
        ({"productId": "UHJvZHVjdDp4"}, ("lines.0.serviceId", "INVALID")),
    ],
)
async def test_bad_lines_are_user_errors_and_nothing_is_written(
    gql: GQL, token: Token, till: Till, database_url: str, line: dict[str, Any], expected: tuple[str, str]
) -> None:
    tok = token(till.vet, till.tenant, "vet")
    s = await service(gql, tok, 50000)
    conn = await asyncpg.connect(database_url)
    try:
        before = await conn.fetchval("SELECT count(*) FROM invoices WHERE tenant_id = $1", till.tenant)
        made = await run(gql, CREATE, tok, "createInvoice", ownerId=gid("Profile", till.owner),
                         lines=[{"serviceId": s, **line}])  # fmt: skip
        assert made["invoice"] is None and expected in errors(made)
        assert await conn.fetchval("SELECT count(*) FROM invoices WHERE tenant_id = $1", till.tenant) == before
    finally:
        await conn.close()


async def test_a_draft_is_for_an_owner_and_their_pet(gql: GQL, token: Token, till: Till) -> None:
    tok = token(till.vet, till.tenant, "vet")
    to_vet = await run(gql, CREATE, tok, "createInvoice", ownerId=gid("Profile", till.vet))
    assert errors(to_vet) == [("ownerId", "NOT_AN_OWNER")]
    wrong_pet = await run(gql, CREATE, tok, "createInvoice", ownerId=gid("Profile", till.owner),
                          petId=gid("Pet", till.other_pet))  # fmt: skip
    assert errors(wrong_pet) == [("petId", "PET_NOT_OF_OWNER")]
    off = await service(gql, tok, 1000, name="Retirado")
    await run(gql, UPDATE_SERVICE, tok, "updateService", serviceId=off, isActive=False)
    inactive = await run(gql, CREATE, tok, "createInvoice", ownerId=gid("Profile", till.owner),
                         lines=[{"serviceId": off}])  # fmt: skip
    assert errors(inactive) == [("lines.0.serviceId", "ITEM_INACTIVE")]


async def test_lines_change_a_draft_and_never_an_issued_invoice(gql: GQL, token: Token, till: Till) -> None:
    tok = token(till.vet, till.tenant, "vet")
    empty = await draft(gql, till, tok, [])
    refused = await run(gql, ISSUE, tok, "issueInvoice", invoiceId=empty["id"])
    assert errors(refused) == [("invoiceId", "EMPTY_INVOICE")]
    s = await service(gql, tok, 30000)
    added = await run(gql, ADD_LINE, tok, "addInvoiceLine", invoiceId=empty["id"],
                      line={"serviceId": s, "quantity": "1.5", "description": "Control"})  # fmt: skip
    assert added["userErrors"] == [] and added["invoice"]["total"] == 45000
    assert added["invoice"]["lines"][0]["description"] == "Control"
    second = await run(gql, ADD_LINE, tok, "addInvoiceLine", invoiceId=empty["id"], line={"serviceId": s})
    removed = await run(gql, REMOVE_LINE, tok, "removeInvoiceLine", lineId=second["line"]["id"])
    assert removed["userErrors"] == [] and removed["invoice"]["total"] == 45000
    done = await run(gql, ISSUE, tok, "issueInvoice", invoiceId=empty["id"])
    assert done["invoice"]["status"] == "SENT" and done["invoice"]["issueDate"] is not None
    late = await run(gql, ADD_LINE, tok, "addInvoiceLine", invoiceId=empty["id"], line={"serviceId": s})
    assert errors(late) == [("invoiceId", "INVOICE_NOT_EDITABLE")]
    gone = await run(gql, REMOVE_LINE, tok, "removeInvoiceLine", lineId=added["line"]["id"])
    assert errors(gone) == [("lineId", "INVOICE_NOT_EDITABLE")]
    again = await run(gql, ISSUE, tok, "issueInvoice", invoiceId=empty["id"])
    assert errors(again) == [("invoiceId", "INVOICE_NOT_EDITABLE")]


async def test_issued_invoices_refuse_edits_from_any_route(gql: GQL, token: Token, till: Till, database_url: str,
                                                           settings: Any) -> None:
    inv = await issued(gql, till, token(till.vet, till.tenant, "vet"))
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            await conn.execute(REQUEST_ROLE)
            await conn.execute(set_claims(f'{{"tenant_id": "{till.tenant}", "role": "admin", "sub": "{till.admin}"}}'))
            key = uuid.UUID(_key(inv["id"]))
            with pytest.raises(asyncpg.CheckViolationError, match="never edited"):
                await conn.execute("UPDATE invoices SET total = 1 WHERE id = $1", key)
    finally:
        await conn.close()


def _key(global_id: str) -> str:
    import base64

    return base64.urlsafe_b64decode(global_id.encode()).decode().partition(":")[2]


async def test_two_concurrent_issues_of_one_draft_give_one_number(
    gql: GQL, token: Token, database_url: str, world: World
) -> None:
    t = await _clinic(database_url)
    tok = token(t.vet, t.tenant, "vet")
    s = await service(gql, tok, 10000)
    inv = await draft(gql, t, tok, [{"serviceId": s}])
    results = await asyncio.gather(*(run(gql, ISSUE, tok, "issueInvoice", invoiceId=inv["id"]) for _ in range(2)))
    assert sorted(len(r["userErrors"]) for r in results) == [0, 1]
    assert [errors(r) for r in results if r["userErrors"]] == [[("invoiceId", "INVOICE_NOT_EDITABLE")]]
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval(
            "SELECT last_number FROM invoice_counters WHERE tenant_id = $1", t.tenant) == 1  # fmt: skip
    finally:
        await conn.close()


async def test_concurrent_issues_of_different_drafts_are_numbered_consecutively(
    gql: GQL, token: Token, database_url: str, world: World
) -> None:
    t = await _clinic(database_url)
    tok = token(t.vet, t.tenant, "vet")
    s = await service(gql, tok, 10000)
    drafts = [await draft(gql, t, tok, [{"serviceId": s}]) for _ in range(5)]
    results = await asyncio.gather(*(run(gql, ISSUE, tok, "issueInvoice", invoiceId=d["id"]) for d in drafts))
    assert all(r["userErrors"] == [] for r in results), results
    numbers = sorted(r["invoice"]["invoiceNumber"] for r in results)
    assert numbers == [f"001-001-{n:07d}" for n in range(1, 6)]


# -- reading: node, the list and its filter, an owner's own -------------------------------------------------------


async def test_invoices_by_node_list_pet_and_profile_and_an_owner_sees_only_their_own(
    gql: GQL, token: Token, till: Till
) -> None:
    vet = token(till.vet, till.tenant, "vet")
    mine = await issued(gql, till, vet)
    s = await service(gql, vet, 7000)
    theirs = await draft(gql, till, vet, [{"serviceId": s}], owner=till.other_owner, pet=till.other_pet)
    node = (await gql.data(NODE, {"id": mine["id"]}, vet))["node"]
    assert node["__typename"] == "Invoice" and node["status"] == "SENT" and node["client"]["fullName"] == "Rosa Benítez"
    sent = (await gql.data(LIST, {"first": 100, "filter": {"status": "SENT", "ownerId": gid("Profile", till.owner)}},
                           vet))["invoices"]  # fmt: skip
    assert mine["id"] in [e["node"]["id"] for e in sent["edges"]]
    assert all(e["node"]["status"] == "SENT" for e in sent["edges"])
    drafts = (await gql.data(LIST, {"first": 100, "filter": {"status": "DRAFT"}}, vet))["invoices"]
    assert theirs["id"] in [e["node"]["id"] for e in drafts["edges"]]
    today = mine["issueDate"]
    dated = (await gql.data(LIST, {"first": 100, "filter": {"from": today, "to": today}}, vet))["invoices"]
    assert mine["id"] in [e["node"]["id"] for e in dated["edges"]]
    assert theirs["id"] not in [e["node"]["id"] for e in dated["edges"]]  # a draft has no issue date

    owner = token(till.owner, till.tenant, "owner")
    own = (await gql.data(LIST, {"first": 100}, owner))["invoices"]
    assert own["totalCount"] >= 1 and {e["node"]["client"]["id"] for e in own["edges"]} == {gid("Profile", till.owner)}
    assert (await gql.data(NODE, {"id": mine["id"]}, owner))["node"]["total"] == mine["total"]
    assert (await gql.data(NODE, {"id": theirs["id"]}, owner))["node"] is None
    pet = await gql.data(
        "query($id: ID!) { pet(id: $id) { invoices(first: 50) { totalCount edges { node { id } } } } }",
        {"id": gid("Pet", till.pet)}, owner,
    )  # fmt: skip
    assert mine["id"] in [e["node"]["id"] for e in pet["pet"]["invoices"]["edges"]]
    me = await gql.data("{ viewer { profile { invoices(first: 50) { edges { node { id } } } } } }", {}, owner)
    assert mine["id"] in [e["node"]["id"] for e in me["viewer"]["profile"]["invoices"]["edges"]]


# -- payments ------------------------------------------------------------------------------------------------


async def test_payments_settle_the_invoice_and_refunds_reopen_it(gql: GQL, token: Token, till: Till) -> None:
    tok = token(till.vet, till.tenant, "vet")
    inv = await issued(gql, till, tok, 100000)
    first = await run(gql, PAY, tok, "recordPayment", invoiceId=inv["id"], method="CASH", amount="40000")
    assert first["userErrors"] == [] and first["invoice"] == {"status": "PARTIAL", "amountPaid": 40000,
                                                              "balanceDue": 60000}  # fmt: skip
    over = await run(gql, PAY, tok, "recordPayment", invoiceId=inv["id"], method="CARD", amount="60001")
    assert errors(over) == [("amount", "OVERPAYMENT")]
    cents = await run(gql, PAY, tok, "recordPayment", invoiceId=inv["id"], method="CARD", amount="10.5")
    assert errors(cents) == [("amount", "NOT_WHOLE_GUARANI")]
    rest = await run(gql, PAY, tok, "recordPayment", invoiceId=inv["id"], method="TRANSFER", amount="60000",
                     reference="TRF-0042")  # fmt: skip
    assert rest["invoice"] == {"status": "PAID", "amountPaid": 100000, "balanceDue": 0}
    assert rest["payment"]["reference"] == "TRF-0042"
    paid_again = await run(gql, PAY, tok, "recordPayment", invoiceId=inv["id"], method="CASH", amount="1")
    assert errors(paid_again) == [("invoiceId", "NOT_PAYABLE")]

    back = await run(gql, REFUND, tok, "refundPayment", paymentId=first["payment"]["id"], amount="15000",
                     reason="Cobro doble")  # fmt: skip
    assert back["userErrors"] == [] and back["payment"]["refundedAmount"] == 15000
    assert back["invoice"] == {"status": "PARTIAL", "amountPaid": 85000, "balanceDue": 15000}
    too_much = await run(gql, REFUND, tok, "refundPayment", paymentId=first["payment"]["id"], amount="25001")
    assert errors(too_much) == [("amount", "REFUND_EXCEEDS_PAYMENT")]
    owner = token(till.owner, till.tenant, "owner")
    seen = (await gql.data(NODE, {"id": inv["id"]}, owner))["node"]
    assert [p["amount"] for p in seen["payments"]] == [40000, 60000] and seen["balanceDue"] == 15000


async def test_a_draft_or_void_invoice_takes_no_payment_and_a_paid_one_is_not_voided(
    gql: GQL, token: Token, till: Till
) -> None:
    tok = token(till.vet, till.tenant, "vet")
    s = await service(gql, tok, 9000)
    d = await draft(gql, till, tok, [{"serviceId": s}])
    assert errors(await run(gql, PAY, tok, "recordPayment", invoiceId=d["id"], method="CASH", amount="1")) == [
        ("invoiceId", "NOT_PAYABLE")
    ]
    inv = await issued(gql, till, tok, 9000)
    assert (await run(gql, PAY, tok, "recordPayment", invoiceId=inv["id"], method="CASH", amount="1000"))[
        "userErrors"] == []  # fmt: skip
    assert errors(await run(gql, VOID, tok, "voidInvoice", invoiceId=inv["id"])) == [
        ("invoiceId", "INVOICE_NOT_EDITABLE")
    ]
    other = await issued(gql, till, tok, 9000)
    assert (await run(gql, VOID, tok, "voidInvoice", invoiceId=other["id"]))["userErrors"] == []
    assert errors(await run(gql, PAY, tok, "recordPayment", invoiceId=other["id"], method="CASH", amount="1")) == [
        ("invoiceId", "INVOICE_VOID")
    ]


async def test_two_concurrent_payments_over_the_balance_one_is_refused(
    gql: GQL, token: Token, till: Till, database_url: str
) -> None:
    tok = token(till.vet, till.tenant, "vet")
    inv = await issued(gql, till, tok, 100000)
    results = await asyncio.gather(*(
        run(gql, PAY, tok, "recordPayment", invoiceId=inv["id"], method="CASH", amount="60000") for _ in range(2)
    ))  # fmt: skip
    assert sorted(tuple(errors(r)) for r in results) == [(), (("amount", "OVERPAYMENT"),)]
    conn = await asyncpg.connect(database_url)
    try:
        key = uuid.UUID(_key(inv["id"]))
        assert await conn.fetchval("SELECT amount_paid FROM invoices WHERE id = $1", key) == 60000
        assert await conn.fetchval("SELECT count(*) FROM payments WHERE invoice_id = $1", key) == 1
    finally:
        await conn.close()


async def test_payments_are_never_edited_or_deleted_by_the_app_role(
    gql: GQL, token: Token, till: Till, database_url: str
) -> None:
    tok = token(till.vet, till.tenant, "vet")
    inv = await issued(gql, till, tok, 5000)
    pay = await run(gql, PAY, tok, "recordPayment", invoiceId=inv["id"], method="CASH", amount="5000")
    key = uuid.UUID(_key(pay["payment"]["id"]))
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            await conn.execute(REQUEST_ROLE)
            await conn.execute(set_claims(f'{{"tenant_id": "{till.tenant}", "role": "admin", "sub": "{till.admin}"}}'))
            assert await conn.execute("DELETE FROM payments WHERE id = $1", key) == "DELETE 0"
            with pytest.raises(asyncpg.CheckViolationError, match="never edited"):
                await conn.execute("UPDATE payments SET amount = 1 WHERE id = $1", key)
        assert await conn.fetchval("SELECT amount FROM payments WHERE id = $1", key) == 5000
    finally:
        await conn.close()


async def test_every_till_and_visit_mutation_refuses_an_owner_and_finds_nothing_of_another_clinic(
    gql: GQL, token: Token, till: Till, world: World
) -> None:
    """Each mutation of issue 14: an owner's token is FORBIDDEN; another clinic's ids are NOT_FOUND."""
    vet = token(till.vet, till.tenant, "vet")
    s = await service(gql, vet, 5000)
    inv = await draft(gql, till, vet, [{"serviceId": s}])
    line = inv["lines"] and (await gql.data(
        "query($id: ID!) { node(id: $id) { ... on Invoice { lines { id } } } }", {"id": inv["id"]}, vet
    ))["node"]["lines"][0]["id"]  # fmt: skip
    paid = await issued(gql, till, vet, 5000)
    payment = (await run(gql, PAY, vet, "recordPayment", invoiceId=paid["id"], method="CASH", amount="100"))["payment"]
    note = (await gql.data(
        "mutation($i: CreateMedicalRecordInput!) { createMedicalRecord(input: $i) { record { id } } }",
        {"i": {"petId": gid("Pet", till.pet), "title": "Nota"}}, vet,
    ))["createMedicalRecord"]["record"]["id"]  # fmt: skip
    calls: list[tuple[str, str, dict[str, Any], str]] = [
        ("updateService", "UpdateServiceInput", {"serviceId": s, "price": "1"}, "serviceId"),
        ("addInvoiceLine", "AddInvoiceLineInput", {"invoiceId": inv["id"], "line": {"serviceId": s}}, "invoiceId"),
        ("removeInvoiceLine", "RemoveInvoiceLineInput", {"lineId": line}, "lineId"),
        ("issueInvoice", "IssueInvoiceInput", {"invoiceId": inv["id"]}, "invoiceId"),
        ("recordPayment", "RecordPaymentInput", {"invoiceId": paid["id"], "method": "CASH", "amount": "1"},
         "invoiceId"),
        ("refundPayment", "RefundPaymentInput", {"paymentId": payment["id"], "amount": "1"}, "paymentId"),
        ("updateMedicalRecord", "UpdateMedicalRecordInput", {"recordId": note, "plan": "x"}, "recordId"),
        ("signMedicalRecord", "SignMedicalRecordInput", {"recordId": note}, "recordId"),
        ("addMedicalRecordAddendum", "AddMedicalRecordAddendumInput", {"recordId": note, "body": "x"}, "recordId"),
        ("recordVaccine", "RecordVaccineInput", {"petId": gid("Pet", till.pet), "name": "x",
                                                 "administeredDate": "2025-01-01"}, "petId"),
    ]  # fmt: skip
    owner = token(till.owner, till.tenant, "owner")
    stranger = token(world.b.vet, world.b.tenant, "vet")
    for name, input_type, fields, field in calls:
        query = f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ userErrors {{ field code }} }} }}"
        body = await gql(query, {"input": fields}, owner)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"], name
        refused = (await gql.data(query, {"input": fields}, stranger))[name]
        assert refused["userErrors"] == [{"field": field, "code": "NOT_FOUND"}], name
    still = (await gql.data(NODE, {"id": inv["id"]}, vet))["node"]
    assert still["status"] == "DRAFT" and len(still["lines"]) == 1
