"""Pet.nextVisitDue is computed by the database when read, from what is due next: booked visits not yet
attended (one-off, recheck, recurring) on their day in the clinic's time zone, and each vaccine's next
dose as its latest administration set it; nothing for a deceased pet. Through HTTP, in a clinic of the
module's own, after every kind of write, and with writers of one pet at once (also at REPEATABLE READ,
where a column kept by triggers made concurrent bookings of one pet fail to serialize)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from db.session import REQUEST_ROLE, set_claims
from graph.types.node import from_global_id, to_global_id
from tests import locks
from tests.conftest import GQL
from tests.world import World, erase_clinic

Token = Callable[..., str]
ZONE = ZoneInfo("America/Asuncion")
ERRORS = "userErrors { field code message }"
APPOINTMENT = f"appointment {{ id startTime status emergency pet {{ nextVisitDue }} }} {ERRORS}"
BOOK = f"mutation($input: BookAppointmentInput!) {{ bookAppointment(input: $input) {{ {APPOINTMENT} }} }}"
RESCHEDULE = (
    f"mutation($input: RescheduleAppointmentInput!) {{ rescheduleAppointment(input: $input) {{ {APPOINTMENT} }} }}"
)
ACTION = "mutation($input: AppointmentActionInput!) {{ {name}(input: $input) {{ {APPOINTMENT} }} }}"
VACCINE = f"""mutation($input: RecordVaccineInput!) {{ recordVaccine(input: $input) {{
  vaccine {{ pet {{ nextVisitDue }} }} {ERRORS} }} }}"""
SERIES = f"""mutation($input: CreateRecurringAppointmentsInput!) {{ createRecurringAppointments(input: $input) {{
  appointments {{ id startTime }} conflicts {{ startTime code }} {ERRORS} }} }}"""
END_SERIES = f"""mutation($input: CancelRecurrenceInput!) {{ cancelRecurrence(input: $input) {{
  cancelled {{ id }} {ERRORS} }} }}"""
DECEASED = f"""mutation($input: MarkPetDeceasedInput!) {{ markPetDeceased(input: $input) {{
  pet {{ nextVisitDue isDeceased }} {ERRORS} }} }}"""
PET = "query($id: ID!) { pet(id: $id) { nextVisitDue } }"


@dataclass
class Desk:
    tenant: str
    admin: uuid.UUID
    vet: uuid.UUID
    owner: uuid.UUID
    pets: list[uuid.UUID]


@pytest.fixture(scope="module")
async def desk(database_url: str, world: World) -> AsyncIterator[Desk]:
    d = Desk("desk-next-visit", uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), [uuid.uuid4() for _ in range(6)])
    hours = "{" + ", ".join(f'"{day}": [{{"open": "07:00", "close": "20:00"}}]'
                            for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")) + "}"  # fmt: skip
    conn = await asyncpg.connect(database_url)
    try:
        await erase_clinic(conn, d.tenant)
        await conn.execute(
            "INSERT INTO tenants (id, name, timezone, business_hours, appointment_settings)"
            " VALUES ($1, 'Próxima visita', 'America/Asuncion', $2::jsonb,"
            ' \'{"slot_duration": 30, "require_confirmation": false, "max_advance_days": 120}\')',
            d.tenant, hours,
        )  # fmt: skip
        await conn.executemany(
            "INSERT INTO profiles (tenant_id, id, role, full_name) VALUES ($1, $2, $3, $4)",
            [(d.tenant, d.admin, "admin", "Admin"), (d.tenant, d.vet, "vet", "Vet"),
             (d.tenant, d.owner, "owner", "Dueño")],
        )  # fmt: skip
        await conn.executemany(
            "INSERT INTO pets (tenant_id, id, owner_id, name, species) VALUES ($1, $2, $3, $4, 'dog')",
            [(d.tenant, pet, d.owner, f"Pichu {n}") for n, pet in enumerate(d.pets)],
        )
        yield d
    finally:
        await erase_clinic(conn, d.tenant)
        await conn.close()


def today() -> date:
    return datetime.now(ZONE).date()


def at(days: int, clock: time = time(10, 0)) -> datetime:
    return datetime.combine(today() + timedelta(days=days), clock, tzinfo=ZONE)


def day(days: int) -> str:
    return (today() + timedelta(days=days)).isoformat()


def from_global(global_id: str) -> str:
    return str(from_global_id(global_id)[1])


def pet_id(pet: uuid.UUID) -> str:
    return str(to_global_id("Pet", pet))


async def due(gql: GQL, bearer: str, pet: uuid.UUID) -> str | None:
    data = await gql.data(PET, {"id": pet_id(pet)}, bearer)
    value: str | None = data["pet"]["nextVisitDue"]
    return value


async def ok(gql: GQL, query: str, bearer: str, root: str, /, **input: Any) -> dict[str, Any]:
    data = await gql.data(query, {"input": input}, bearer)
    payload: dict[str, Any] = data[root]
    assert payload["userErrors"] == [], payload
    return payload


async def book(gql: GQL, bearer: str, pet: uuid.UUID, start: datetime, **extra: Any) -> dict[str, Any]:
    return await ok(gql, BOOK, bearer, "bookAppointment", petId=pet_id(pet), startTime=start.isoformat(), **extra)


async def act(gql: GQL, bearer: str, name: str, appointment: str) -> dict[str, Any]:
    return await ok(gql, ACTION.format(name=name, APPOINTMENT=APPOINTMENT), bearer, name, appointmentId=appointment)


async def test_a_new_pet_has_nothing_due(gql: GQL, desk: Desk, token: Token) -> None:
    assert await due(gql, token(desk.vet, desk.tenant, "vet"), desk.pets[0]) is None


async def test_next_visit_due_follows_bookings_vaccines_series_completion_and_death(
    gql: GQL, desk: Desk, token: Token, database_url: str
) -> None:
    vet, owner, pet = token(desk.vet, desk.tenant, "vet"), token(desk.owner, desk.tenant, "owner"), desk.pets[1]
    later = await book(gql, vet, pet, at(20))
    assert later["appointment"]["pet"]["nextVisitDue"] == day(20)
    soon = await book(gql, owner, pet, at(12))  # an owner books too, and reads it under their policies
    assert soon["appointment"]["pet"]["nextVisitDue"] == day(12)
    moved = await ok(gql, RESCHEDULE, vet, "rescheduleAppointment",
                     appointmentId=soon["appointment"]["id"], startTime=at(9).isoformat())  # fmt: skip
    assert moved["appointment"]["pet"]["nextVisitDue"] == day(9)
    cancelled = await act(gql, owner, "cancelAppointment", soon["appointment"]["id"])
    assert cancelled["appointment"]["pet"]["nextVisitDue"] == day(20)

    # vaccines: the next dose of each, as its latest administration set it
    given = await ok(gql, VACCINE, vet, "recordVaccine", petId=pet_id(pet), name="Antirrábica",
                     administeredDate=day(-358), nextDoseDate=day(7))  # fmt: skip
    assert given["vaccine"]["pet"]["nextVisitDue"] == day(7)
    # the dose due in 7 days, given early (the same vaccine, however it is written)
    booster = await ok(gql, VACCINE, vet, "recordVaccine", petId=pet_id(pet), name="antirrabica",
                       administeredDate=day(0), nextDoseDate=day(365))  # fmt: skip
    assert booster["vaccine"]["pet"]["nextVisitDue"] == day(20)
    overdue = await ok(gql, VACCINE, vet, "recordVaccine", petId=pet_id(pet), name="Séxtuple",
                       administeredDate=day(-400), nextDoseDate=day(-35))  # fmt: skip
    assert overdue["vaccine"]["pet"]["nextVisitDue"] == day(-35)  # overdue stays due until it is given
    given_now = await ok(gql, VACCINE, vet, "recordVaccine", petId=pet_id(pet), name="Séxtuple",
                         administeredDate=day(0), nextDoseDate=day(365))  # fmt: skip
    assert given_now["vaccine"]["pet"]["nextVisitDue"] == day(20)

    # a recurring series: its first occurrence is due; ending the series gives it back
    series = await ok(gql, SERIES, vet, "createRecurringAppointments", petId=pet_id(pet), pattern="WEEKLY",
                      startsOn=day(2), timeOfDay="09:00:00", horizonDays=30)  # fmt: skip
    assert series["conflicts"] == [] and len(series["appointments"]) >= 4
    assert await due(gql, vet, pet) == day(2)
    first = min(series["appointments"], key=lambda a: a["startTime"])
    ended = await ok(gql, END_SERIES, vet, "cancelRecurrence", fromAppointmentId=first["id"])
    assert len(ended["cancelled"]) == len(series["appointments"])
    assert await due(gql, vet, pet) == day(20)

    # a visit attended: from check-in on it is no longer due (checked in early: the clinic's window)
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(
            "UPDATE tenants SET appointment_settings = appointment_settings || '{\"check_in_window_minutes\": 7200}'"
            " WHERE id = $1", desk.tenant,
        )  # fmt: skip
    finally:
        await conn.close()
    recheck = await book(gql, vet, pet, at(3), reason="Control de otitis")
    assert recheck["appointment"]["pet"]["nextVisitDue"] == day(3)
    checked = await act(gql, vet, "checkIn", recheck["appointment"]["id"])
    assert checked["appointment"]["pet"]["nextVisitDue"] == day(20)
    await act(gql, vet, "startAppointment", recheck["appointment"]["id"])
    done = await act(gql, vet, "completeAppointment", recheck["appointment"]["id"])
    assert done["appointment"]["status"] == "COMPLETED" and done["appointment"]["pet"]["nextVisitDue"] == day(20)

    # death: nothing is due, and nothing can be booked to make it due again
    dead = await ok(gql, DECEASED, vet, "markPetDeceased", petId=pet_id(pet), deceasedOn=day(0))
    assert dead["pet"] == {"nextVisitDue": None, "isDeceased": True}
    refused = await gql.data(BOOK, {"input": {"petId": pet_id(pet), "startTime": at(30).isoformat()}}, vet)
    assert [e["code"] for e in refused["bookAppointment"]["userErrors"]] == ["PET_NOT_BOOKABLE"]
    assert await due(gql, vet, pet) is None


async def test_other_readers_of_the_database_get_the_same_value(
    gql: GQL, desk: Desk, token: Token, database_url: str
) -> None:
    """public.pets_next_visit_due(pets): a computed column for PostGraphile and PostgREST, and for SQL. On
    Citus, where a function that reads tables cannot run inside a statement on a shard, vetql.pet_due
    called on its own (migration 0026)."""
    vet, pet = token(desk.vet, desk.tenant, "vet"), desk.pets[2]
    await book(gql, vet, pet, at(15))
    conn = await asyncpg.connect(database_url)
    try:
        if await conn.fetchval("SELECT vetql.on_citus()"):
            stored = await conn.fetchval("SELECT vetql.pet_due($1, $2)", desk.tenant, pet)
        else:
            stored = await conn.fetchval(
                "SELECT p.pets_next_visit_due FROM pets p WHERE tenant_id = $1 AND id = $2", desk.tenant, pet
            )
        column = await conn.fetchval(
            "SELECT count(*) FROM information_schema.columns"
            " WHERE table_name = 'pets' AND column_name = 'next_visit_due'"
        )
    finally:
        await conn.close()
    assert stored.isoformat() == day(15) == await due(gql, vet, pet)
    assert column == 0  # nothing kept that could drift


async def _hold(database_url: str, table: str, tenant: str, ids: list[uuid.UUID]) -> asyncpg.Connection:
    """A transaction holding rows' locks, as a slow writer would: whoever needs them waits, so the writers
    started meanwhile are all in flight when it lets go."""
    conn = await asyncpg.connect(database_url)
    await conn.execute("BEGIN")
    await conn.execute(f"SELECT 1 FROM {table} WHERE tenant_id = $1 AND id = ANY($2) FOR UPDATE", tenant, ids)
    return conn


async def _until_waiting(conn: asyncpg.Connection, writers: int) -> int:
    """Wait (briefly: requests give up on a lock after 2 s) until `writers` backends wait on a lock."""
    waiting = 0
    for _ in range(60):
        waiting = await locks.waiting_backends(conn)
        if waiting >= writers:
            break
        await asyncio.sleep(0.02)
    return int(waiting)


async def _release(holder: asyncpg.Connection) -> None:
    await holder.execute("ROLLBACK")
    await holder.close()


async def test_two_bookings_of_one_pet_at_once_both_succeed_and_the_earlier_is_due(
    gql: GQL, desk: Desk, token: Token, database_url: str
) -> None:
    vet, owner, pet = token(desk.vet, desk.tenant, "vet"), token(desk.owner, desk.tenant, "owner"), desk.pets[3]
    holder = await _hold(database_url, "pets", desk.tenant, [pet])  # the bookings' foreign key checks wait for it
    try:
        both = [
            asyncio.create_task(gql.data(BOOK, {"input": {"petId": pet_id(pet), "startTime": start}}, who))
            for start, who in ((at(40).isoformat(), vet), (at(30).isoformat(), owner))
        ]  # fmt: skip
        assert await _until_waiting(holder, 2) >= 1
    finally:
        await _release(holder)
    results = [r["bookAppointment"] for r in await asyncio.gather(*both)]
    assert [r["userErrors"] for r in results] == [[], []]
    assert await due(gql, vet, pet) == day(30)


async def test_two_cancels_of_the_visits_due_on_one_day_at_once_leave_the_next_day_due(
    gql: GQL, desk: Desk, token: Token, database_url: str
) -> None:
    """Each cancel alone leaves the day due (the other visit is on it): a value kept by comparing before
    writing would stay on that day; computed when read, it moves on."""
    vet = token(desk.vet, desk.tenant, "vet")
    pet = desk.pets[5]
    visits = [await book(gql, vet, pet, at(25, clock)) for clock in (time(9, 0), time(12, 0))]
    await book(gql, vet, pet, at(33))
    assert await due(gql, vet, pet) == day(25)
    ids = [uuid.UUID(from_global(v["appointment"]["id"])) for v in visits]
    holder = await _hold(database_url, "appointments", desk.tenant, ids)
    try:
        cancels = [
            asyncio.create_task(gql.data(ACTION.format(name="cancelAppointment", APPOINTMENT=APPOINTMENT),
                                         {"input": {"appointmentId": v["appointment"]["id"]}}, vet))
            for v in visits
        ]  # fmt: skip
        assert await _until_waiting(holder, 2) >= 1
    finally:
        await _release(holder)
    assert [r["cancelAppointment"]["userErrors"] for r in await asyncio.gather(*cancels)] == [[], []]
    assert await due(gql, vet, pet) == day(33)


async def test_writers_of_one_pet_at_repeatable_read_all_commit(
    gql: GQL, desk: Desk, token: Token, database_url: str
) -> None:
    """Overlapping REPEATABLE READ transactions (stricter than the API's READ COMMITTED writes) book,
    cancel and vaccinate one pet: none fails to serialize, as none writes the pet's row."""
    vet = token(desk.vet, desk.tenant, "vet")
    pet = desk.pets[4]
    cancelled = await book(gql, vet, pet, at(8))
    claims = f'{{"sub": "{desk.vet}", "tenant_id": "{desk.tenant}", "role": "vet"}}'
    conns = [await asyncpg.connect(database_url) for _ in range(6)]
    ready = asyncio.Barrier(len(conns))

    async def write(i: int, conn: asyncpg.Connection) -> None:
        async with conn.transaction(isolation="repeatable_read"):
            await conn.execute(REQUEST_ROLE)
            await conn.execute(set_claims(claims))
            await conn.fetchval("SELECT count(*) FROM pets")  # the snapshot, before anyone commits
            await ready.wait()
            if i == 0:
                await conn.execute("UPDATE appointments SET status = 'cancelled' WHERE id = $1",
                                   uuid.UUID(from_global(cancelled["appointment"]["id"])))  # fmt: skip
            elif i == 1:
                await conn.execute(
                    "INSERT INTO vaccines (pet_id, name, administered_date, next_dose_date) VALUES ($1, 'Tos', $2, $3)",
                    pet, today() - timedelta(days=300), today() + timedelta(days=11),
                )  # fmt: skip
            else:
                begins = at(10 + i)
                await conn.execute(
                    "INSERT INTO appointments (pet_id, start_time, end_time, status, created_by)"
                    " VALUES ($1, $2, $3, 'confirmed', $4)",
                    pet, begins, begins + timedelta(minutes=30), desk.vet,
                )  # fmt: skip

    try:
        await asyncio.gather(*(write(i, c) for i, c in enumerate(conns)))
    finally:
        for c in conns:
            await c.close()
    assert await due(gql, vet, pet) == day(11)  # the vaccine, before the first of the visits (12 days)
