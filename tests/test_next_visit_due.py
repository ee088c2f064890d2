"""pets.next_visit_due is kept by the database from what is due next: booked visits not yet attended
(one-off, recheck, recurring) on their day in the clinic's time zone, and each vaccine's next dose as
its latest administration set it; nothing for a deceased pet. Through HTTP, in a clinic of the
module's own, after every kind of write, and with two writers of one pet at once."""

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

from graph.types.node import to_global_id
from tests.conftest import GQL
from tests.world import World

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
        await conn.execute("DELETE FROM tenants WHERE id = $1", d.tenant)
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
            "INSERT INTO pets (tenant_id, id, owner_id, name, species, next_visit_due)"
            " VALUES ($1, $2, $3, $4, 'dog', DATE '2001-01-01')",  # whatever a writer sends: a new pet has nothing due
            [(d.tenant, pet, d.owner, f"Pichu {n}") for n, pet in enumerate(d.pets)],
        )
        yield d
    finally:
        await conn.execute("DELETE FROM tenants WHERE id = $1", d.tenant)
        await conn.close()


def today() -> date:
    return datetime.now(ZONE).date()


def at(days: int, clock: time = time(10, 0)) -> datetime:
    return datetime.combine(today() + timedelta(days=days), clock, tzinfo=ZONE)


def day(days: int) -> str:
    return (today() + timedelta(days=days)).isoformat()


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


async def test_a_new_pet_has_nothing_due_whatever_its_writer_sent(gql: GQL, desk: Desk, token: Token) -> None:
    assert await due(gql, token(desk.vet, desk.tenant, "vet"), desk.pets[0]) is None


async def test_next_visit_due_follows_bookings_vaccines_series_completion_and_death(
    gql: GQL, desk: Desk, token: Token, database_url: str
) -> None:
    vet, owner, pet = token(desk.vet, desk.tenant, "vet"), token(desk.owner, desk.tenant, "owner"), desk.pets[1]
    later = await book(gql, vet, pet, at(20))
    assert later["appointment"]["pet"]["nextVisitDue"] == day(20)
    soon = await book(gql, owner, pet, at(12))  # an owner's booking keeps it too (owners cannot update pets)
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


async def test_a_direct_write_of_the_column_is_replaced_by_what_is_due(
    gql: GQL, desk: Desk, token: Token, database_url: str
) -> None:
    vet, pet = token(desk.vet, desk.tenant, "vet"), desk.pets[2]
    await book(gql, vet, pet, at(15))
    conn = await asyncpg.connect(database_url)
    try:
        stored = await conn.fetchval(
            "UPDATE pets SET next_visit_due = DATE '2001-01-01' WHERE tenant_id = $1 AND id = $2"
            " RETURNING next_visit_due", desk.tenant, pet,
        )  # fmt: skip
    finally:
        await conn.close()
    assert stored.isoformat() == day(15)


async def _hold_pet(database_url: str, pet: uuid.UUID) -> asyncpg.Connection:
    """A transaction holding the pet's row lock, as a slow writer of the pet would."""
    conn = await asyncpg.connect(database_url)
    await conn.execute("BEGIN")
    await conn.execute("SELECT 1 FROM pets WHERE id = $1 FOR NO KEY UPDATE", pet)
    return conn


async def _until_waiting(conn: asyncpg.Connection, writers: int) -> int:
    """Wait (briefly: requests give up on a lock after 2 s) until `writers` backends wait on a lock."""
    waiting = 0
    for _ in range(60):
        waiting = await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        if waiting >= writers:
            break
        await asyncio.sleep(0.02)
    return int(waiting)


async def test_two_bookings_of_one_pet_at_once_both_succeed_and_the_earlier_is_due(
    gql: GQL, desk: Desk, token: Token, database_url: str
) -> None:
    vet, owner, pet = token(desk.vet, desk.tenant, "vet"), token(desk.owner, desk.tenant, "owner"), desk.pets[3]
    holder = await _hold_pet(database_url, pet)
    try:
        both = [
            asyncio.create_task(gql.data(BOOK, {"input": {"petId": pet_id(pet), "startTime": start}}, who))
            for start, who in ((at(40).isoformat(), vet), (at(30).isoformat(), owner))
        ]  # fmt: skip
        assert await _until_waiting(holder, 2) >= 1  # the bookings meet on the pet's lock
    finally:
        await holder.execute("ROLLBACK")
        await holder.close()
    results = [r["bookAppointment"] for r in await asyncio.gather(*both)]
    assert [r["userErrors"] for r in results] == [[], []]
    assert await due(gql, vet, pet) == day(30)


async def test_a_booking_racing_the_cancel_of_what_was_due_leaves_the_booking_due(
    gql: GQL, desk: Desk, token: Token, database_url: str
) -> None:
    """The lost update a compute-then-compare trigger would make: the booking leaves the value as it was,
    so it writes nothing, and the cancel recomputes without the booking it cannot see yet."""
    vet = token(desk.vet, desk.tenant, "vet")
    pet = desk.pets[4]
    earlier = await book(gql, vet, pet, at(25))
    assert earlier["appointment"]["pet"]["nextVisitDue"] == day(25)
    holder = await _hold_pet(database_url, pet)
    try:
        cancel = asyncio.create_task(gql.data(ACTION.format(name="cancelAppointment", APPOINTMENT=APPOINTMENT),
                                              {"input": {"appointmentId": earlier["appointment"]["id"]}}, vet))
        booking = asyncio.create_task(gql.data(BOOK, {"input": {"petId": pet_id(pet),
                                                                "startTime": at(35).isoformat()}}, vet))  # fmt: skip
        assert await _until_waiting(holder, 2) >= 1
    finally:
        await holder.execute("ROLLBACK")
        await holder.close()
    assert (await cancel)["cancelAppointment"]["userErrors"] == []
    assert (await booking)["bookAppointment"]["userErrors"] == []
    assert await due(gql, vet, pet) == day(35)


async def test_two_cancels_of_the_visits_due_on_one_day_at_once_leave_the_next_day_due(
    gql: GQL, desk: Desk, token: Token, database_url: str
) -> None:
    """Each cancel alone leaves the day due (the other visit is on it), so a trigger that compared before
    it locked would write nothing twice; taking the pet's lock first, the second sees the first's cancel."""
    vet = token(desk.vet, desk.tenant, "vet")
    pet = desk.pets[5]
    morning = await book(gql, vet, pet, at(25, time(9, 0)))
    noon = await book(gql, vet, pet, at(25, time(12, 0)))
    await book(gql, vet, pet, at(33))
    assert await due(gql, vet, pet) == day(25)
    holder = await _hold_pet(database_url, pet)
    try:
        cancels = [
            asyncio.create_task(gql.data(ACTION.format(name="cancelAppointment", APPOINTMENT=APPOINTMENT),
                                         {"input": {"appointmentId": visit["appointment"]["id"]}}, vet))
            for visit in (morning, noon)
        ]  # fmt: skip
        assert await _until_waiting(holder, 2) >= 1
    finally:
        await holder.execute("ROLLBACK")
        await holder.close()
    assert [r["cancelAppointment"]["userErrors"] for r in await asyncio.gather(*cancels)] == [[], []]
    assert await due(gql, vet, pet) == day(33)
