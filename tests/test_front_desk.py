"""The front desk through the API: clients and patients registered, edited, archived, found;
a pet's death; each rule, each userError, roles, another clinic's ids, and a race.

The module works in a clinic of its own (`desk`, created here); clinic B of the world is the
foreign clinic whose ids must reach nothing and whose records search must never show.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from db.session import REQUEST_ROLE, set_claims
from graph.types.node import to_global_id
from tests.conftest import GQL
from tests.world import World, erase_clinic

Token = Callable[..., str]
ERRORS = "userErrors { field code message }"
OWNER = (
    "id fullName role documentType documentNumber email phone secondaryPhone addressLine1 city country"
    " emergencyContactName emergencyContactPhone preferredContactMethod"
    " communicationPreferences { marketing reminders } timezone locale archivedAt"
)
PET = "id name species sex microchipId weightKg dateOfBirth isDeceased deceasedOn causeOfDeath archivedAt owner { id }"


def op(name: str, input_type: str, result: str) -> str:
    return f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ {result} {ERRORS} }} }}"


CREATE_OWNER = op("createOwner", "CreateOwnerInput", f"owner {{ {OWNER} }}")
UPDATE_OWNER = op("updateOwner", "UpdateOwnerInput", f"owner {{ {OWNER} }}")
ARCHIVE_OWNER = op("archiveOwner", "OwnerInput", f"owner {{ {OWNER} }}")
RESTORE_OWNER = op("restoreOwner", "OwnerInput", f"owner {{ {OWNER} }}")
CREATE_PET = op("createPet", "CreatePetInput", f"pet {{ {PET} }}")
UPDATE_PET = op("updatePet", "UpdatePetInput", f"pet {{ {PET} }}")
TRANSFER_PET = op("transferPet", "TransferPetInput", f"pet {{ {PET} }}")
MARK_DECEASED = op("markPetDeceased", "MarkPetDeceasedInput", f"pet {{ {PET} }}")
ARCHIVE_PET = op("archivePet", "PetInput", f"pet {{ {PET} }}")
RESTORE_PET = op("restorePet", "PetInput", f"pet {{ {PET} }}")
BOOK = op("bookAppointment", "BookAppointmentInput", "appointment { id status }")
START_ANESTHESIA = op("startAnesthesia", "StartAnesthesiaInput", "anesthesiaLog { id }")
OWNERS = (
    "query($f: OwnerFilter, $first: Int) { owners(first: $first, filter: $f) { totalCount"
    " edges { node { id fullName pets { id name } } } } }"
)
SEARCH = (
    "query($t: String!) { search(text: $t) { score owner { id fullName } pet { id name owner { fullName } } } }"
)
WEIGHTS = "query($id: ID!) { pet(id: $id) { weightKg weightHistory { weightKg recordedAt recordedBy { id } } } }"
PETS = "query($f: PetFilter) { pets(first: 50, filter: $f) { edges { node { id name } } } }"


def gid(type_name: str, pk: uuid.UUID | str) -> str:
    return str(to_global_id(type_name, pk))


def pk(global_id: str) -> uuid.UUID:
    import base64

    return uuid.UUID(base64.urlsafe_b64decode(global_id.encode()).decode().split(":", 1)[1])


def codes(payload: dict[str, Any]) -> list[tuple[str | None, str]]:
    return [(e["field"], e["code"]) for e in payload["userErrors"]]


@dataclass
class Desk:
    tenant: str
    admin: uuid.UUID
    vet: uuid.UUID


@pytest.fixture(scope="module")
async def desk(database_url: str, world: World) -> AsyncIterator[Desk]:
    d = Desk("desk-clinic", uuid.uuid4(), uuid.uuid4())
    conn = await asyncpg.connect(database_url)
    try:
        await erase_clinic(conn, d.tenant)
        await conn.execute("INSERT INTO tenants (id, name) VALUES ($1, 'Clínica Recepción')", d.tenant)
        await conn.executemany(
            "INSERT INTO profiles (tenant_id, id, role, full_name) VALUES ($1, $2, $3, $4)",
            [(d.tenant, d.admin, "admin", "Admin Recepción"), (d.tenant, d.vet, "vet", "Dra. Recepción")],
        )
        yield d
    finally:
        await erase_clinic(conn, d.tenant)
        await conn.close()


async def scalar(database_url: str, sql: str, *args: Any) -> Any:
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()


def staff(desk: Desk, token: Token) -> str:
    return token(desk.vet, desk.tenant, "vet")


def admin(desk: Desk, token: Token) -> str:
    return token(desk.admin, desk.tenant, "admin")


async def new_owner(gql: GQL, desk: Desk, token: Token, **fields: Any) -> dict[str, Any]:
    data = await gql.data(CREATE_OWNER, {"input": {"fullName": "Cliente", **fields}}, staff(desk, token))
    payload = data["createOwner"]
    assert payload["userErrors"] == [], payload
    owner: dict[str, Any] = payload["owner"]
    return owner


async def new_pet(gql: GQL, desk: Desk, token: Token, owner: str, **fields: Any) -> dict[str, Any]:
    data = await gql.data(
        CREATE_PET, {"input": {"ownerId": owner, "name": "Paciente", "species": "DOG", **fields}}, staff(desk, token)
    )
    payload = data["createPet"]
    assert payload["userErrors"] == [], payload
    pet: dict[str, Any] = payload["pet"]
    return pet


# -- clients --------------------------------------------------------------------------------------------


async def test_staff_registers_client_with_document_and_phones_stored_normalized(
    gql: GQL, desk: Desk, token: Token
) -> None:
    owner = await new_owner(
        gql,
        desk,
        token,
        fullName="  Liz Benítez  ",
        documentType="CI",
        documentNumber="4.123.456",
        email="liz@example.com",
        phone="0984 438-812",
        secondaryPhone="+595 21 600 123",
        addressLine1="Mcal. López 1234",
        city="Asunción",
        emergencyContactName="Ana Benítez",
        emergencyContactPhone="0981123456",
        preferredContactMethod="WHATSAPP",
        communicationPreferences={"marketing": False},
        timezone="America/Asuncion",
        locale="es-PY",
    )
    assert owner["fullName"] == "Liz Benítez"
    assert owner["role"] == "OWNER"
    assert (owner["documentType"], owner["documentNumber"]) == ("CI", "4123456")
    assert (owner["phone"], owner["secondaryPhone"], owner["emergencyContactPhone"]) == (
        "+595984438812",
        "+59521600123",
        "+595981123456",
    )
    assert owner["preferredContactMethod"] == "WHATSAPP"
    assert owner["communicationPreferences"] == {"marketing": False, "reminders": True}
    assert (owner["country"], owner["archivedAt"]) == ("PY", None)


async def test_create_owner_refuses_each_bad_field_and_writes_nothing(
    gql: GQL, desk: Desk, token: Token, database_url: str
) -> None:
    before = await scalar(database_url, "SELECT count(*) FROM profiles WHERE tenant_id = $1", desk.tenant)
    cases = [
        ({"fullName": "   "}, [("fullName", "REQUIRED")]),
        ({"phone": "12"}, [("phone", "INVALID_PHONE")]),
        ({"emergencyContactPhone": "no es un teléfono"}, [("emergencyContactPhone", "INVALID_PHONE")]),
        ({"email": "liz-at-example"}, [("email", "INVALID_EMAIL")]),
        ({"documentType": "RUC", "documentNumber": "80012345"}, [("documentNumber", "INVALID_DOCUMENT")]),
        ({"documentNumber": "4123456"}, [("documentType", "REQUIRED")]),
        ({"timezone": "Mars/Olympus"}, [("timezone", "INVALID_TIMEZONE")]),
        ({"locale": "español"}, [("locale", "INVALID_LOCALE")]),
        ({"country": "PRY"}, [("country", "INVALID")]),
    ]
    for fields, expected in cases:
        data = await gql.data(CREATE_OWNER, {"input": {"fullName": "X", **fields}}, staff(desk, token))
        assert codes(data["createOwner"]) == expected, fields
        assert data["createOwner"]["owner"] is None
    after = await scalar(database_url, "SELECT count(*) FROM profiles WHERE tenant_id = $1", desk.tenant)
    assert after == before


async def test_document_is_unique_per_clinic_and_free_in_another(
    gql: GQL, desk: Desk, token: Token, world: World
) -> None:
    doc = {"documentType": "RUC", "documentNumber": "80012345-6"}
    await new_owner(gql, desk, token, fullName="Empresa SA", **doc)
    again = await gql.data(CREATE_OWNER, {"input": {"fullName": "Otra", **doc}}, staff(desk, token))
    assert codes(again["createOwner"]) == [("documentNumber", "DOCUMENT_TAKEN")]
    assert "Empresa" not in again["createOwner"]["userErrors"][0]["message"]
    elsewhere = await gql.data(
        CREATE_OWNER, {"input": {"fullName": "Empresa B", **doc}}, token(world.b.vet, world.b.tenant, "vet")
    )
    assert elsewhere["createOwner"]["userErrors"] == []
    await gql.data(ARCHIVE_OWNER, {"input": {"ownerId": elsewhere["createOwner"]["owner"]["id"]}},
                   token(world.b.vet, world.b.tenant, "vet"))  # fmt: skip


async def test_two_receptionists_registering_the_same_document_at_once_one_wins(
    gql: GQL, desk: Desk, token: Token, database_url: str
) -> None:
    doc = {"documentType": "CI", "documentNumber": "7654321"}
    results = await asyncio.gather(
        *(gql.data(CREATE_OWNER, {"input": {"fullName": f"Rápido {i}", **doc}}, staff(desk, token)) for i in range(4))
    )
    outcomes = sorted(codes(r["createOwner"]) == [] for r in results)
    assert outcomes == [False, False, False, True]
    losers = [codes(r["createOwner"]) for r in results if r["createOwner"]["userErrors"]]
    assert all(c == [("documentNumber", "DOCUMENT_TAKEN")] for c in losers)
    stored = "SELECT count(*) FROM profiles WHERE tenant_id = $1 AND document_number = '7654321'"
    assert await scalar(database_url, stored, desk.tenant) == 1


async def test_update_owner_edits_and_refuses_other_clinics_and_staff_ids(
    gql: GQL, desk: Desk, token: Token, world: World
) -> None:
    owner = await new_owner(gql, desk, token, fullName="Carlos Gómez", phone="0971 111 222")
    data = await gql.data(
        UPDATE_OWNER,
        {"input": {"ownerId": owner["id"], "fullName": "Carlos A. Gómez", "phone": "+595 971 333444", "city": None}},
        staff(desk, token),
    )
    assert data["updateOwner"]["userErrors"] == []
    assert (data["updateOwner"]["owner"]["fullName"], data["updateOwner"]["owner"]["phone"]) == (
        "Carlos A. Gómez",
        "+595971333444",
    )
    for foreign in (gid("Profile", world.b.owners[0]), gid("Profile", desk.vet), gid("Pet", uuid.uuid4())):
        refused = await gql.data(UPDATE_OWNER, {"input": {"ownerId": foreign, "fullName": "X"}}, staff(desk, token))
        assert codes(refused["updateOwner"]) == [("ownerId", "NOT_FOUND")]
    bad = await gql.data(UPDATE_OWNER, {"input": {"ownerId": owner["id"], "phone": "abc"}}, staff(desk, token))
    assert codes(bad["updateOwner"]) == [("phone", "INVALID_PHONE")]


async def test_owner_token_cannot_use_the_front_desk(gql: GQL, desk: Desk, token: Token, world: World) -> None:
    owner = await new_owner(gql, desk, token, fullName="Dueña Curiosa")
    as_owner = token(pk(owner["id"]), desk.tenant, "owner")
    for query, variables in (
        (CREATE_OWNER, {"input": {"fullName": "X"}}),
        (UPDATE_OWNER, {"input": {"ownerId": owner["id"], "fullName": "Y"}}),
        (ARCHIVE_OWNER, {"input": {"ownerId": owner["id"]}}),
        (CREATE_PET, {"input": {"ownerId": owner["id"], "name": "X", "species": "DOG"}}),
        (MARK_DECEASED, {"input": {"petId": gid("Pet", uuid.uuid4()), "deceasedOn": "2024-01-01"}}),
        (OWNERS, {}),
        (SEARCH, {"t": "Curiosa"}),
    ):
        body = await gql(query, variables, as_owner)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", query


async def test_archived_client_is_hidden_kept_and_restored_only_by_an_admin(
    gql: GQL, desk: Desk, token: Token
) -> None:
    owner = await new_owner(gql, desk, token, fullName="Zulma Archivada")
    listed = {"search": "Zulma"}
    assert (await gql.data(OWNERS, {"f": listed}, staff(desk, token)))["owners"]["totalCount"] == 1
    archived = await gql.data(ARCHIVE_OWNER, {"input": {"ownerId": owner["id"]}}, staff(desk, token))
    assert archived["archiveOwner"]["owner"]["archivedAt"] is not None
    assert (await gql.data(OWNERS, {"f": listed}, staff(desk, token)))["owners"]["totalCount"] == 0
    every = await gql.data(OWNERS, {"f": {**listed, "includeArchived": True}}, staff(desk, token))
    assert every["owners"]["totalCount"] == 1
    assert (await gql.data(SEARCH, {"t": "Zulma"}, staff(desk, token)))["search"] == []
    pet = await gql.data(
        CREATE_PET, {"input": {"ownerId": owner["id"], "name": "X", "species": "CAT"}}, staff(desk, token)
    )
    assert codes(pet["createPet"]) == [("ownerId", "ARCHIVED")]
    body = await gql(RESTORE_OWNER, {"input": {"ownerId": owner["id"]}}, staff(desk, token))
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    restored = await gql.data(RESTORE_OWNER, {"input": {"ownerId": owner["id"]}}, admin(desk, token))
    assert restored["restoreOwner"]["owner"]["archivedAt"] is None
    assert (await gql.data(OWNERS, {"f": listed}, staff(desk, token)))["owners"]["totalCount"] == 1


async def test_owners_list_is_the_clinics_clients_only(gql: GQL, desk: Desk, token: Token, world: World) -> None:
    data = await gql.data(OWNERS, {"first": 100}, staff(desk, token))
    names = [e["node"]["fullName"] for e in data["owners"]["edges"]]
    assert names == sorted(names)
    assert "Dra. Recepción" not in names and "Admin Recepción" not in names  # staff are not clients
    foreign = await gql.data(OWNERS, {"first": 100}, token(world.b.vet, world.b.tenant, "vet"))
    ours = {e["node"]["id"] for e in data["owners"]["edges"]}
    assert not {e["node"]["id"] for e in foreign["owners"]["edges"]} & ours


# -- patients -------------------------------------------------------------------------------------------


async def test_staff_registers_pet_and_every_weight_is_kept_for_the_curve(
    gql: GQL, desk: Desk, token: Token
) -> None:
    owner = await new_owner(gql, desk, token, fullName="Marta Peso")
    pet = await new_pet(
        gql, desk, token, owner["id"], name="Gordo", sex="MALE", microchipId="985 1410 0000 1234".replace(" ", ""),
        weightKg=12.5, dateOfBirth="2020-03-01",
    )  # fmt: skip
    assert (pet["name"], pet["sex"], pet["weightKg"], pet["owner"]["id"]) == ("Gordo", "MALE", 12.5, owner["id"])
    for weight in (13.0, 13.0, 12.2):
        changed = await gql.data(UPDATE_PET, {"input": {"petId": pet["id"], "weightKg": weight}}, staff(desk, token))
        assert changed["updatePet"]["userErrors"] == []
    history = (await gql.data(WEIGHTS, {"id": pet["id"]}, staff(desk, token)))["pet"]
    assert history["weightKg"] == 12.2
    assert [w["weightKg"] for w in history["weightHistory"]] == [12.5, 13.0, 12.2]  # an unchanged weight is not kept
    assert history["weightHistory"][0]["recordedBy"]["id"] == gid("Profile", desk.vet)
    listed = await gql.data(OWNERS, {"f": {"search": "Marta Peso"}}, staff(desk, token))
    assert listed["owners"]["edges"][0]["node"]["pets"] == [{"id": pet["id"], "name": "Gordo"}]
    # the owner sees their pet (not the staff-only weight history)
    as_owner = token(pk(owner["id"]), desk.tenant, "owner")
    mine = await gql.data(
        "query { viewer { profile { pets { name } } } }", token=as_owner
    )
    assert mine["viewer"]["profile"]["pets"] == [{"name": "Gordo"}]
    assert (await gql.data(WEIGHTS, {"id": pet["id"]}, as_owner))["pet"]["weightHistory"] == []


async def test_create_and_update_pet_refuse_bad_input(gql: GQL, desk: Desk, token: Token, world: World) -> None:
    owner = await new_owner(gql, desk, token, fullName="Pedro Chip")
    await new_pet(gql, desk, token, owner["id"], name="Chip", microchipId="900000000000001")
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    cases = [
        ({"name": " "}, [("name", "REQUIRED")]),
        ({"microchipId": "900000000000001"}, [("microchipId", "MICROCHIP_TAKEN")]),
        ({"weightKg": 0}, [("weightKg", "OUT_OF_RANGE")]),
        ({"dateOfBirth": tomorrow}, [("dateOfBirth", "DATE_IN_FUTURE")]),
        ({"ownerId": gid("Profile", world.b.owners[0])}, [("ownerId", "NOT_FOUND")]),
        ({"ownerId": gid("Profile", desk.vet)}, [("ownerId", "NOT_FOUND")]),
        ({"primaryVetId": gid("Profile", pk(owner["id"]))}, [("primaryVetId", "NOT_STAFF")]),
    ]
    for fields, expected in cases:
        data = await gql.data(
            CREATE_PET, {"input": {"ownerId": owner["id"], "name": "Otro", "species": "DOG", **fields}},
            staff(desk, token),
        )  # fmt: skip
        assert codes(data["createPet"]) == expected, fields
    other = await new_pet(gql, desk, token, owner["id"], name="Otro")
    taken = await gql.data(UPDATE_PET, {"input": {"petId": other["id"], "microchipId": "900000000000001"}},
                           staff(desk, token))  # fmt: skip
    assert codes(taken["updatePet"]) == [("microchipId", "MICROCHIP_TAKEN")]
    # the same microchip is fine in another clinic
    b_pet = await gql.data(
        UPDATE_PET, {"input": {"petId": gid("Pet", world.b.pets[2]), "microchipId": "900000000000001"}},
        token(world.b.vet, world.b.tenant, "vet"),
    )  # fmt: skip
    assert b_pet["updatePet"]["userErrors"] == []
    await gql.data(UPDATE_PET, {"input": {"petId": gid("Pet", world.b.pets[2]), "microchipId": None}},
                   token(world.b.vet, world.b.tenant, "vet"))  # fmt: skip


async def test_transfer_pet_moves_within_the_clinic_only(gql: GQL, desk: Desk, token: Token, world: World) -> None:
    first = await new_owner(gql, desk, token, fullName="Primera Dueña")
    second = await new_owner(gql, desk, token, fullName="Segundo Dueño")
    pet = await new_pet(gql, desk, token, first["id"], name="Viajero")
    moved = await gql.data(TRANSFER_PET, {"input": {"petId": pet["id"], "ownerId": second["id"]}}, staff(desk, token))
    assert moved["transferPet"]["pet"]["owner"]["id"] == second["id"]
    refused = await gql.data(
        TRANSFER_PET, {"input": {"petId": pet["id"], "ownerId": gid("Profile", world.b.owners[0])}}, staff(desk, token)
    )
    assert codes(refused["transferPet"]) == [("ownerId", "NOT_FOUND")]
    foreign_pet = await gql.data(
        TRANSFER_PET, {"input": {"petId": gid("Pet", world.b.pets[0]), "ownerId": first["id"]}}, staff(desk, token)
    )
    assert codes(foreign_pet["transferPet"]) == [("petId", "NOT_FOUND")]


async def test_deceased_pet_loses_future_visits_and_series_and_cannot_be_booked_or_anaesthetised(
    gql: GQL, desk: Desk, token: Token, database_url: str
) -> None:
    owner = await new_owner(gql, desk, token, fullName="Dueño Triste")
    pet = await new_pet(gql, desk, token, owner["id"], name="Viejito", dateOfBirth="2010-05-01")
    start = (datetime.now(UTC) + timedelta(days=3)).replace(hour=13, minute=0, second=0, microsecond=0)
    booked = await gql.data(BOOK, {"input": {"petId": pet["id"], "startTime": start.isoformat()}}, staff(desk, token))
    assert booked["bookAppointment"]["userErrors"] == []
    series = uuid.uuid4()
    await scalar(
        database_url,
        "INSERT INTO appointment_recurrence (tenant_id, id, pet_id, pattern, day_of_week, time_of_day, starts_on)"
        " VALUES ($1, $2, $3, 'weekly', 1, '10:00', current_date)",
        desk.tenant, series, pk(pet["id"]),
    )  # fmt: skip
    today = date.today()
    for day, expected in (
        (today + timedelta(days=2), [("deceasedOn", "DATE_IN_FUTURE")]),
        (date(2009, 1, 1), [("deceasedOn", "DEATH_BEFORE_BIRTH")]),
    ):
        data = await gql.data(MARK_DECEASED, {"input": {"petId": pet["id"], "deceasedOn": day.isoformat()}},
                              staff(desk, token))  # fmt: skip
        assert codes(data["markPetDeceased"]) == expected
    died = (today - timedelta(days=1)).isoformat()
    data = await gql.data(
        MARK_DECEASED, {"input": {"petId": pet["id"], "deceasedOn": died, "cause": "Insuficiencia renal"}},
        staff(desk, token),
    )  # fmt: skip
    assert data["markPetDeceased"]["userErrors"] == []
    assert (data["markPetDeceased"]["pet"]["isDeceased"], data["markPetDeceased"]["pet"]["deceasedOn"]) == (True, died)
    status = await scalar(database_url, "SELECT status FROM appointments WHERE tenant_id = $1 AND pet_id = $2",
                          desk.tenant, pk(pet["id"]))  # fmt: skip
    assert status == "cancelled"
    ended = await scalar(database_url, "SELECT NOT is_active FROM appointment_recurrence WHERE id = $1", series)
    assert ended is True
    again = await gql.data(MARK_DECEASED, {"input": {"petId": pet["id"], "deceasedOn": died}}, staff(desk, token))
    assert codes(again["markPetDeceased"]) == [("petId", "DECEASED")]
    later = start + timedelta(days=1)
    refused = await gql.data(BOOK, {"input": {"petId": pet["id"], "startTime": later.isoformat()}}, staff(desk, token))
    assert codes(refused["bookAppointment"]) == [("petId", "PET_NOT_BOOKABLE")]
    surgery = await gql.data(START_ANESTHESIA, {"input": {"petId": pet["id"], "procedureName": "Limpieza"}},
                             staff(desk, token))  # fmt: skip
    assert codes(surgery["startAnesthesia"]) == [("petId", "PET_DECEASED")]
    # the database holds it on any route: a death cannot be undone
    with pytest.raises(asyncpg.CheckViolationError):
        await scalar(database_url, "UPDATE pets SET is_deceased = false WHERE id = $1", pk(pet["id"]))


async def test_mark_deceased_of_another_clinics_pet_is_not_found(
    gql: GQL, desk: Desk, token: Token, world: World, database_url: str
) -> None:
    data = await gql.data(
        MARK_DECEASED, {"input": {"petId": gid("Pet", world.b.pets[0]), "deceasedOn": "2024-01-01"}}, staff(desk, token)
    )
    assert codes(data["markPetDeceased"]) == [("petId", "NOT_FOUND")]
    assert await scalar(database_url, "SELECT is_deceased FROM pets WHERE id = $1", world.b.pets[0]) is False


async def test_archived_pet_is_hidden_not_bookable_and_restored_by_an_admin(
    gql: GQL, desk: Desk, token: Token, world: World
) -> None:
    owner = await new_owner(gql, desk, token, fullName="Dueño Archivo")
    pet = await new_pet(gql, desk, token, owner["id"], name="Fantasma")
    archived = await gql.data(ARCHIVE_PET, {"input": {"petId": pet["id"]}}, staff(desk, token))
    assert archived["archivePet"]["pet"]["archivedAt"] is not None
    names = [e["node"]["name"] for e in (await gql.data(PETS, {}, staff(desk, token)))["pets"]["edges"]]
    assert "Fantasma" not in names
    every = await gql.data(PETS, {"f": {"includeArchived": True}}, staff(desk, token))
    assert "Fantasma" in [e["node"]["name"] for e in every["pets"]["edges"]]
    assert (await gql.data("query($id: ID!) { pet(id: $id) { name } }", {"id": pet["id"]}, staff(desk, token)))[
        "pet"
    ] == {"name": "Fantasma"}  # kept, reachable by id
    start = (datetime.now(UTC) + timedelta(days=4)).replace(hour=13, minute=0, second=0, microsecond=0)
    refused = await gql.data(BOOK, {"input": {"petId": pet["id"], "startTime": start.isoformat()}}, staff(desk, token))
    assert codes(refused["bookAppointment"]) == [("petId", "PET_NOT_BOOKABLE")]
    body = await gql(RESTORE_PET, {"input": {"petId": pet["id"]}}, staff(desk, token))
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    foreign = await gql.data(RESTORE_PET, {"input": {"petId": gid("Pet", world.b.pets[0])}}, admin(desk, token))
    assert codes(foreign["restorePet"]) == [("petId", "NOT_FOUND")]
    restored = await gql.data(RESTORE_PET, {"input": {"petId": pet["id"]}}, admin(desk, token))
    assert restored["restorePet"]["pet"]["archivedAt"] is None


# -- search ---------------------------------------------------------------------------------------------


async def test_search_finds_clients_and_patients_ignoring_accents_case_and_phone_format(
    gql: GQL, desk: Desk, token: Token, world: World
) -> None:
    liz = await new_owner(gql, desk, token, fullName="Lizandra Ñandutí Ortiz", phone="+595 984 438813",
                          documentType="CI", documentNumber="3.456.789", email="lizandra@correo.com.py")  # fmt: skip
    tatu = await new_pet(gql, desk, token, liz["id"], name="Tatú", microchipId="985141000099999")
    await new_owner(gql, desk, token, fullName="Elizabeth Otra")

    async def found(text: str) -> list[str]:
        hits = (await gql.data(SEARCH, {"t": text}, staff(desk, token)))["search"]
        return [(h["owner"] or h["pet"])["id"] for h in hits]

    assert (await found("Lizandra"))[0] == liz["id"]
    assert liz["id"] in await found("liz")
    assert liz["id"] in await found("nanduti")  # accents and case ignored
    assert (await found("tatu"))[0] == tatu["id"]
    assert (await found("TATÚ"))[0] == tatu["id"]
    for phone in ("0984 438813", "0984-438-813", "+595984438813", "984438813", "595 984 438 813"):
        assert (await found(phone))[0] == liz["id"], phone
    assert (await found("3.456.789"))[0] == liz["id"]
    assert (await found("3456789"))[0] == liz["id"]
    assert (await found("LIZANDRA@correo.com.py"))[0] == liz["id"]
    assert (await found("985141000099999"))[0] == tatu["id"]
    hits = (await gql.data(SEARCH, {"t": "Lizandra"}, staff(desk, token)))["search"]
    assert hits[0]["score"] >= hits[-1]["score"]
    # another clinic finds none of it, and this clinic none of theirs
    assert await gql.data(SEARCH, {"t": "Lizandra"}, token(world.b.vet, world.b.tenant, "vet")) == {"search": []}
    b_pet = "Bobby"
    assert await found(b_pet) == []


async def test_search_candidates_functions_answer_only_the_callers_own_clinic_and_only_staff(
    gql: GQL, desk: Desk, token: Token, world: World, database_url: str
) -> None:
    owner = await new_owner(gql, desk, token, fullName="Dueño Definer")
    pet = await new_pet(gql, desk, token, owner["id"], name="Candidato")
    conn = await asyncpg.connect(database_url)
    try:
        for sub, tenant, role, expected in (
            (desk.vet, desk.tenant, "vet", [pk(pet["id"])]),
            (pk(owner["id"]), desk.tenant, "owner", []),
            (world.b.vet, world.b.tenant, "vet", []),
        ):
            async with conn.transaction():
                await conn.execute(REQUEST_ROLE)
                await conn.execute(set_claims(f'{{"sub": "{sub}", "role": "{role}", "tenant_id": "{tenant}"}}'))
                ids = await conn.fetch("SELECT vetql.pet_candidates('candidato', '%candidato%', 'x') AS id")
                assert [r["id"] for r in ids] == expected, role
    finally:
        await conn.close()


async def test_new_types_stay_in_their_clinic_by_every_route(
    gql: GQL, desk: Desk, token: Token, world: World, database_url: str
) -> None:
    owner = await new_owner(gql, desk, token, fullName="Dueña Aislada", documentType="CI", documentNumber="5550001")
    pet = await new_pet(gql, desk, token, owner["id"], name="Aislado", weightKg=4.2)
    weight = await scalar(database_url, "SELECT id FROM pet_weights WHERE pet_id = $1", pk(pet["id"]))
    other_staff = token(world.b.vet, world.b.tenant, "vet")
    other_owner = token(world.b.owners[0], world.b.tenant, "owner")
    ids = [owner["id"], pet["id"], gid("PetWeight", weight)]
    for bearer in (other_staff, other_owner):
        data = await gql.data("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids}, bearer)
        assert data["nodes"] == [None, None, None]
    # nested: the clinic's own owner sees their pet but not its weight history, nor anyone else's profile
    mine = token(pk(owner["id"]), desk.tenant, "owner")
    data = await gql.data(
        "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Pet { weightHistory { id } owner { id } } } }",
        {"ids": [pet["id"], gid("PetWeight", weight)]},
        mine,
    )
    assert data["nodes"] == [{"id": pet["id"], "weightHistory": [], "owner": {"id": owner["id"]}}, None]
    listed = await gql.data(OWNERS, {"f": {"search": "5550001"}}, other_staff)
    assert listed["owners"]["totalCount"] == 0
    filtered = await gql.data(PETS, {"f": {"ownerId": owner["id"]}}, other_staff)
    assert filtered["pets"]["edges"] == []
