"""Scheduling through the API: rooms, room assignments (capacity under real concurrency), bookings
within the clinic's hours and settings, the visit flow, owners versus staff, foreign clinics' ids.

The tests write into their own clinic (`clinic-sched`, created here as superuser), with its own
hours and settings; each test books on its own day or with its own rooms, so tests do not meet.
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import orjson
import pytest

from db.session import REQUEST_ROLE, set_claims
from graph.types.node import to_global_id
from tests.conftest import GQL
from tests.world import World

Token = Callable[..., str]
ZONE = ZoneInfo("America/Asuncion")
HOURS = {d: [{"open": "07:00", "close": "21:00"}] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
SETTINGS = {"slot_duration": 30, "buffer_time": 0, "max_advance_days": 60, "cancellation_hours": 24,
            "require_confirmation": True}
_days = itertools.count(2)


@dataclass
class Sched:
    tenant: str
    admin: uuid.UUID
    vet: uuid.UUID
    vet2: uuid.UUID
    owner: uuid.UUID
    other_owner: uuid.UUID
    pets: list[uuid.UUID] = field(default_factory=list)
    other_pet: uuid.UUID = field(default_factory=uuid.uuid4)


async def make_clinic(database_url: str, tenant: str) -> Sched:
    """A clinic of our own, open 07:00-21:00 every day in Asunción, 30-minute slots."""
    s = Sched(tenant, uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4())
    s.pets = [uuid.uuid4() for _ in range(3)]
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            await conn.execute(
                "INSERT INTO tenants (id, name, timezone, business_hours, appointment_settings)"
                " VALUES ($1, $2, 'America/Asuncion', $3::jsonb, $4::jsonb)",
                tenant, f"Clínica {tenant}", orjson.dumps(HOURS).decode(), orjson.dumps(SETTINGS).decode(),
            )
            people = [(s.admin, "admin"), (s.vet, "vet"), (s.vet2, "vet"), (s.owner, "owner"), (s.other_owner, "owner")]
            await conn.executemany(
                "INSERT INTO profiles (tenant_id, id, role, full_name) VALUES ($1, $2, $3, $4)",
                [(tenant, p, role, f"{role} {p}") for p, role in people],
            )
            pets = [(p, s.owner) for p in s.pets] + [(s.other_pet, s.other_owner)]
            await conn.executemany(
                "INSERT INTO pets (tenant_id, id, owner_id, name, species) VALUES ($1, $2, $3, $4, 'dog')",
                [(tenant, p, o, f"Perro {i}") for i, (p, o) in enumerate(pets)],
            )
    finally:
        await conn.close()
    return s


@pytest.fixture(scope="module")
async def sched(database_url: str, world: World) -> Sched:
    return await make_clinic(database_url, f"sched-{uuid.uuid4().hex[:8]}")


def gid(type_name: str, pk: object) -> str:
    return to_global_id(type_name, pk)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE)


def fresh_day() -> date:
    """A day of our own, ahead of today in the clinic (within owners' 60-day window)."""
    return datetime.now(ZONE).date() + timedelta(days=next(_days))


def staff(s: Sched, token: Token, who: str = "admin") -> str:
    return token(getattr(s, who), s.tenant, "admin" if who == "admin" else "vet")


def owner(s: Sched, token: Token, other: bool = False) -> str:
    return token(s.other_owner if other else s.owner, s.tenant, "owner")


APPT = (
    "id status startTime endTime checkedInAt startedAt completedAt waitTimeMinutes visitDurationMinutes"
    " recurrenceId checkedInBy { id } vet { id } room { id name }"
)
ERR = "userErrors { field code message }"


def mutation(name: str, input_type: str, body: str = f"appointment {{ {APPT} }}") -> str:
    return f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ {body} {ERR} }} }}"


BOOK = mutation("bookAppointment", "BookAppointmentInput")
RESCHEDULE = mutation("rescheduleAppointment", "RescheduleAppointmentInput")
CANCEL = mutation("cancelAppointment", "AppointmentActionInput")
NO_SHOW = mutation("markNoShow", "AppointmentActionInput")
CHECK_IN = mutation("checkIn", "AppointmentActionInput")
START = mutation("startAppointment", "AppointmentActionInput")
COMPLETE = mutation("completeAppointment", "AppointmentActionInput")
ASSIGN = mutation("assignRoom", "AssignRoomInput")
MOVE = mutation("moveRoom", "AssignRoomInput")
RELEASE = mutation("releaseRoom", "ReleaseRoomInput")
ROOM = "examRoom { id name roomType capacity equipment isActive displayOrder }"
CREATE_ROOM = mutation("createExamRoom", "CreateExamRoomInput", ROOM)
UPDATE_ROOM = mutation("updateExamRoom", "UpdateExamRoomInput", ROOM)


async def run(gql: GQL, query: str, input: dict[str, Any], tok: str, name: str) -> dict[str, Any]:
    data = await gql.data(query, {"input": input}, tok)
    payload: dict[str, Any] = data[name]
    return payload


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


async def count(database_url: str, sql: str, *args: Any) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        return int(await conn.fetchval(sql, *args))
    finally:
        await conn.close()


async def new_room(gql: GQL, s: Sched, token: Token, capacity: int = 1) -> str:
    name = f"Sala {uuid.uuid4().hex[:6]}"
    got = await run(gql, CREATE_ROOM, {"name": name, "capacity": capacity}, staff(s, token), "createExamRoom")
    assert got["userErrors"] == []
    return str(got["examRoom"]["id"])


async def insert_appointment(database_url: str, s: Sched, start: datetime, minutes: int = 30, *,
                             pet: uuid.UUID | None = None, vet: uuid.UUID | None = None,
                             status: str = "confirmed") -> uuid.UUID:
    """An appointment at any time (even now, outside hours), written as superuser."""
    appt = uuid.uuid4()
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(
            "INSERT INTO appointments (tenant_id, id, pet_id, vet_id, start_time, end_time, status)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7)",
            s.tenant, appt, pet or s.pets[0], vet, start, start + timedelta(minutes=minutes), status,
        )
    finally:
        await conn.close()
    return appt


async def book(gql: GQL, s: Sched, tok: str, start: datetime, **extra: Any) -> dict[str, Any]:
    input = {"petId": gid("Pet", extra.pop("pet", s.pets[0])), "startTime": start.isoformat(), **extra}
    return await run(gql, BOOK, input, tok, "bookAppointment")


# Rooms -----------------------------------------------------------------------------

async def test_exam_room_names_are_unique_per_clinic_ignoring_case(
    gql: GQL, sched: Sched, token: Token, world: World
) -> None:
    s, t = sched, staff(sched, token)
    name = f"Quirófano {uuid.uuid4().hex[:6]}"
    created = await run(gql, CREATE_ROOM, {"name": name, "roomType": "SURGERY", "capacity": 2,
                                           "equipment": ["monitor"], "displayOrder": 3}, t, "createExamRoom")
    assert created["userErrors"] == []
    assert created["examRoom"] | {"id": None} == {"id": None, "name": name, "roomType": "SURGERY", "capacity": 2,
                                                  "equipment": ["monitor"], "isActive": True, "displayOrder": 3}
    again = await run(gql, CREATE_ROOM, {"name": name.upper()}, t, "createExamRoom")
    assert codes(again) == ["NAME_TAKEN"] and again["examRoom"] is None
    other = await new_room(gql, s, token)
    renamed = await run(gql, UPDATE_ROOM, {"examRoomId": other, "name": name.lower()}, t, "updateExamRoom")
    assert codes(renamed) == ["NAME_TAKEN"]
    bad = await run(gql, CREATE_ROOM, {"name": " ", "capacity": 0, "equipment": ["x"] * 51}, t, "createExamRoom")
    assert sorted(codes(bad)) == ["INVALID", "INVALID", "TOO_MANY"]
    changed = await run(gql, UPDATE_ROOM, {"examRoomId": other, "capacity": 3, "equipment": ["camilla"],
                                           "displayOrder": 9}, t, "updateExamRoom")
    assert changed["examRoom"]["capacity"] == 3 and changed["examRoom"]["equipment"] == ["camilla"]
    off = await run(gql, UPDATE_ROOM, {"examRoomId": other, "isActive": False}, t, "updateExamRoom")
    assert off["examRoom"]["isActive"] is False


async def test_owner_cannot_manage_rooms_and_foreign_rooms_are_not_found(
    gql: GQL, sched: Sched, token: Token, world: World, database_url: str
) -> None:
    body = await gql(CREATE_ROOM, {"input": {"name": "Sala del dueño"}}, owner(sched, token))
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    foreign = gid("ExamRoom", world.b.rooms[0])
    got = await run(gql, UPDATE_ROOM, {"examRoomId": foreign, "name": "Robada"}, staff(sched, token), "updateExamRoom")
    assert codes(got) == ["NOT_FOUND"]
    assert await count(database_url, "SELECT count(*) FROM exam_rooms WHERE name = 'Robada'") == 0


# Bookings --------------------------------------------------------------------------

async def test_booking_respects_slot_grid_business_hours_and_time(gql: GQL, sched: Sched, token: Token) -> None:
    s, t, day = sched, staff(sched, token), fresh_day()
    ok = await book(gql, s, t, local(day, 10), durationMinutes=45, reason="control")
    assert ok["userErrors"] == [] and ok["appointment"]["status"] == "CONFIRMED"
    start = datetime.fromisoformat(ok["appointment"]["startTime"])
    assert start == local(day, 10) and datetime.fromisoformat(ok["appointment"]["endTime"]) - start == timedelta(
        minutes=45
    )
    assert codes(await book(gql, s, t, local(day, 10, 10))) == ["OFF_SLOT_GRID"]
    assert codes(await book(gql, s, t, local(day, 21))) == ["OUTSIDE_BUSINESS_HOURS"]
    assert codes(await book(gql, s, t, local(day, 20, 30), durationMinutes=60)) == ["OUTSIDE_BUSINESS_HOURS"]
    assert codes(await book(gql, s, t, local(day - timedelta(days=10), 10))) == ["IN_THE_PAST"]
    assert codes(await book(gql, s, t, local(day, 10), durationMinutes=0)) == ["INVALID"]


async def test_owner_books_own_pet_only_within_advance_window(
    gql: GQL, sched: Sched, token: Token, database_url: str, world: World
) -> None:
    s, day = sched, fresh_day()
    mine = await book(gql, s, owner(s, token), local(day, 11))
    assert mine["userErrors"] == [] and mine["appointment"]["status"] == "SCHEDULED"  # the clinic confirms
    before = await count(database_url, "SELECT count(*) FROM appointments WHERE tenant_id = $1", s.tenant)
    other = await book(gql, s, owner(s, token), local(day, 12), pet=s.other_pet)
    assert codes(other) == ["NOT_FOUND"]
    far = await book(gql, s, owner(s, token), local(datetime.now(ZONE).date() + timedelta(days=90), 11))
    assert codes(far) == ["TOO_FAR_AHEAD"]
    vet = await book(gql, s, owner(s, token), local(day, 12), vetId=gid("Profile", s.vet))
    assert codes(vet) == ["FORBIDDEN_FIELD"]
    foreign = await book(gql, s, staff(s, token), local(day, 12), pet=world.b.pets[0])
    assert codes(foreign) == ["NOT_FOUND"]
    assert await count(database_url, "SELECT count(*) FROM appointments WHERE tenant_id = $1", s.tenant) == before


async def test_no_token_or_platform_cannot_book(gql: GQL, sched: Sched, token: Token, world: World) -> None:
    input = {"input": {"petId": gid("Pet", sched.pets[0]), "startTime": local(fresh_day(), 10).isoformat()}}
    for tok in (None, token(world.platform_user, None, "platform")):
        body = await gql(BOOK, input, tok)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_vet_is_never_double_booked(gql: GQL, sched: Sched, token: Token) -> None:
    s, t, day = sched, staff(sched, token), fresh_day()
    vet = gid("Profile", s.vet)
    first = await book(gql, s, t, local(day, 9), vetId=vet, durationMinutes=60)
    assert first["userErrors"] == [] and first["appointment"]["vet"]["id"] == vet
    clash = await book(gql, s, t, local(day, 9, 30), vetId=vet, pet=s.pets[1])
    assert codes(clash) == ["VET_UNAVAILABLE"]
    assert codes(await book(gql, s, t, local(day, 9), vetId=gid("Profile", s.owner))) == ["NOT_A_VET"]
    # five receptionists book the other vet at the same moment: exactly one wins
    vet2 = gid("Profile", s.vet2)
    results = await asyncio.gather(
        *(book(gql, s, t, local(day, 15), vetId=vet2, pet=s.pets[i % 3]) for i in range(5))
    )
    assert sorted(c for r in results for c in codes(r)) == ["VET_UNAVAILABLE"] * 4
    assert sum(r["appointment"] is not None for r in results) == 1


async def test_reschedule_moves_time_and_checks_vet(gql: GQL, sched: Sched, token: Token) -> None:
    s, t, day = sched, staff(sched, token), fresh_day()
    vet = gid("Profile", s.vet)
    a = (await book(gql, s, t, local(day, 9), vetId=vet))["appointment"]
    b = (await book(gql, s, t, local(day, 11), vetId=vet, pet=s.pets[1]))["appointment"]
    moved = await run(gql, RESCHEDULE, {"appointmentId": a["id"], "startTime": local(day, 13).isoformat()}, t,
                      "rescheduleAppointment")
    assert moved["userErrors"] == [] and datetime.fromisoformat(moved["appointment"]["startTime"]) == local(day, 13)
    clash = await run(gql, RESCHEDULE, {"appointmentId": b["id"], "startTime": local(day, 13).isoformat()}, t,
                      "rescheduleAppointment")
    assert codes(clash) == ["VET_UNAVAILABLE"]
    body = await gql(RESCHEDULE, {"input": {"appointmentId": a["id"], "startTime": local(day, 15).isoformat()}},
                     owner(s, token))
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


# The visit flow --------------------------------------------------------------------

async def test_visit_flow_sets_times_durations_and_last_visit_date(
    gql: GQL, sched: Sched, token: Token, database_url: str
) -> None:
    s, t = sched, staff(sched, token, "vet")
    pet = s.pets[2]
    appt = gid("Appointment", await insert_appointment(database_url, s, datetime.now(UTC), pet=pet))
    assert codes(await run(gql, COMPLETE, {"appointmentId": appt}, t, "completeAppointment")) == ["INVALID_TRANSITION"]
    checked = (await run(gql, CHECK_IN, {"appointmentId": appt}, t, "checkIn"))["appointment"]
    assert checked["status"] == "CHECKED_IN" and checked["checkedInAt"]
    assert checked["checkedInBy"]["id"] == gid("Profile", s.vet)
    started = (await run(gql, START, {"appointmentId": appt}, t, "startAppointment"))["appointment"]
    assert started["status"] == "IN_PROGRESS" and started["waitTimeMinutes"] == 0 and started["startedAt"]
    done = (await run(gql, COMPLETE, {"appointmentId": appt}, t, "completeAppointment"))["appointment"]
    assert done["status"] == "COMPLETED" and done["completedAt"] and done["visitDurationMinutes"] == 0
    again = await run(gql, CHECK_IN, {"appointmentId": appt}, t, "checkIn")
    assert codes(again) == ["INVALID_TRANSITION"]
    last = await count(database_url, "SELECT (last_visit_date = $2)::int FROM pets WHERE id = $1", pet,
                       datetime.now(ZONE).date())
    assert last == 1
    body = await gql(CHECK_IN, {"input": {"appointmentId": appt}}, owner(s, token))
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_no_show_only_once_due_and_never_after_check_in(
    gql: GQL, sched: Sched, token: Token, database_url: str
) -> None:
    s, t = sched, staff(sched, token)
    later = gid("Appointment", await insert_appointment(database_url, s, datetime.now(UTC) + timedelta(hours=3)))
    assert codes(await run(gql, NO_SHOW, {"appointmentId": later}, t, "markNoShow")) == ["INVALID_TRANSITION"]
    due = gid("Appointment", await insert_appointment(database_url, s, datetime.now(UTC) - timedelta(minutes=40)))
    assert (await run(gql, NO_SHOW, {"appointmentId": due}, t, "markNoShow"))["appointment"]["status"] == "NO_SHOW"
    assert codes(await run(gql, CANCEL, {"appointmentId": due}, t, "cancelAppointment")) == ["INVALID_TRANSITION"]


async def test_owner_cancels_own_visit_only_before_the_cancellation_window(
    gql: GQL, sched: Sched, token: Token, database_url: str
) -> None:
    s = sched
    mine = (await book(gql, s, owner(s, token), local(fresh_day(), 10)))["appointment"]
    ok = await run(gql, CANCEL, {"appointmentId": mine["id"]}, owner(s, token), "cancelAppointment")
    assert ok["userErrors"] == [] and ok["appointment"]["status"] == "CANCELLED"
    soon = gid("Appointment", await insert_appointment(database_url, s, datetime.now(UTC) + timedelta(hours=2)))
    late = await run(gql, CANCEL, {"appointmentId": soon}, owner(s, token), "cancelAppointment")
    assert codes(late) == ["CANCELLATION_WINDOW"]
    not_mine = await run(gql, CANCEL, {"appointmentId": soon}, owner(s, token, other=True), "cancelAppointment")
    assert codes(not_mine) == ["NOT_FOUND"]
    by_staff = await run(gql, CANCEL, {"appointmentId": soon}, staff(s, token), "cancelAppointment")
    assert by_staff["appointment"]["status"] == "CANCELLED"


async def test_owner_can_only_cancel_even_in_raw_sql(sched: Sched, database_url: str) -> None:
    """RLS and the flow trigger hold for every route into the data, not only the API."""
    s = sched
    appt = await insert_appointment(database_url, s, datetime.now(UTC) + timedelta(days=5))
    claims = orjson.dumps({"sub": str(s.owner), "tenant_id": s.tenant, "role": "owner"}).decode()
    conn = await asyncpg.connect(database_url)
    try:
        for sql in (
            "UPDATE appointments SET start_time = start_time + interval '1 day', end_time = end_time + interval '1 day'"
            " WHERE id = $1",
            "UPDATE appointments SET status = 'checked_in' WHERE id = $1",
        ):
            tx = conn.transaction()
            await tx.start()
            try:
                await conn.execute(REQUEST_ROLE)
                await conn.execute(set_claims(claims))
                with pytest.raises(asyncpg.PostgresError):
                    await conn.execute(sql, appt)
            finally:
                await tx.rollback()
    finally:
        await conn.close()


# Rooms and capacity ----------------------------------------------------------------

async def test_assign_move_and_release_keep_appointment_room_in_sync(
    gql: GQL, sched: Sched, token: Token, database_url: str, world: World
) -> None:
    s, t, day = sched, staff(sched, token), fresh_day()
    room1, room2 = await new_room(gql, s, token), await new_room(gql, s, token)
    a = (await book(gql, s, t, local(day, 10), roomId=room1))["appointment"]
    assert a["room"]["id"] == room1
    b = (await book(gql, s, t, local(day, 10), pet=s.pets[1]))["appointment"]
    assert codes(await run(gql, ASSIGN, {"appointmentId": b["id"], "roomId": room1}, t, "assignRoom")) == ["ROOM_FULL"]
    assert codes(await run(gql, ASSIGN, {"appointmentId": a["id"], "roomId": room2}, t, "assignRoom")) == [
        "ALREADY_ASSIGNED"
    ]
    moved = await run(gql, MOVE, {"appointmentId": a["id"], "roomId": room2}, t, "moveRoom")
    assert moved["appointment"]["room"]["id"] == room2
    assigned = await run(gql, ASSIGN, {"appointmentId": b["id"], "roomId": room1}, t, "assignRoom")
    assert assigned["userErrors"] == [] and assigned["appointment"]["room"]["id"] == room1
    released = await run(gql, RELEASE, {"appointmentId": b["id"]}, t, "releaseRoom")
    assert released["appointment"]["room"] is None
    assert codes(await run(gql, RELEASE, {"appointmentId": b["id"]}, t, "releaseRoom")) == ["NO_ROOM_ASSIGNED"]
    # foreign ids: nothing written
    before = await count(database_url, "SELECT count(*) FROM room_assignments WHERE tenant_id = $1", s.tenant)
    foreign_room = await run(gql, ASSIGN, {"appointmentId": b["id"], "roomId": gid("ExamRoom", world.b.rooms[1])}, t,
                             "assignRoom")
    assert codes(foreign_room) == ["NOT_FOUND"]
    foreign_appt = await run(gql, ASSIGN, {"appointmentId": gid("Appointment", world.b.appointments[1]),
                                           "roomId": room1}, t, "assignRoom")
    assert codes(foreign_appt) == ["NOT_FOUND"]
    assert await count(database_url, "SELECT count(*) FROM room_assignments WHERE tenant_id = $1", s.tenant) == before
    body = await gql(ASSIGN, {"input": {"appointmentId": b["id"], "roomId": room1}}, owner(s, token))
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_cancelling_releases_the_room_and_rescheduling_keeps_capacity(
    gql: GQL, sched: Sched, token: Token
) -> None:
    s, t, day = sched, staff(sched, token), fresh_day()
    room = await new_room(gql, s, token)
    a = (await book(gql, s, t, local(day, 9), roomId=room))["appointment"]
    b = (await book(gql, s, t, local(day, 11), roomId=room, pet=s.pets[1]))["appointment"]
    clash = await run(gql, RESCHEDULE, {"appointmentId": b["id"], "startTime": local(day, 9).isoformat()}, t,
                      "rescheduleAppointment")
    assert codes(clash) == ["ROOM_FULL"]
    cancelled = await run(gql, CANCEL, {"appointmentId": a["id"]}, t, "cancelAppointment")
    assert cancelled["appointment"]["room"] is None
    moved = await run(gql, RESCHEDULE, {"appointmentId": b["id"], "startTime": local(day, 9).isoformat()}, t,
                      "rescheduleAppointment")
    assert moved["userErrors"] == [] and moved["appointment"]["room"]["id"] == room


async def test_room_cannot_shrink_or_close_below_what_is_booked(gql: GQL, sched: Sched, token: Token) -> None:
    s, t, day = sched, staff(sched, token), fresh_day()
    room = await new_room(gql, s, token, capacity=2)
    for pet in s.pets[:2]:
        assert (await book(gql, s, t, local(day, 10), roomId=room, pet=pet))["userErrors"] == []
    shrink = await run(gql, UPDATE_ROOM, {"examRoomId": room, "capacity": 1}, t, "updateExamRoom")
    assert codes(shrink) == ["ROOM_IN_USE"]
    close = await run(gql, UPDATE_ROOM, {"examRoomId": room, "isActive": False}, t, "updateExamRoom")
    assert codes(close) == ["ROOM_IN_USE"]


async def _overlapping(database_url: str, s: Sched, n: int) -> list[uuid.UUID]:
    """n appointments that overlap one another (staggered starts, long visits)."""
    start = local(fresh_day(), 8)
    return [await insert_appointment(database_url, s, start + timedelta(minutes=5 * i), 120, pet=s.pets[i % 3])
            for i in range(n)]


async def _room_id(gql: GQL, s: Sched, token: Token, capacity: int) -> uuid.UUID:
    from graph.types.node import uuid_of

    return uuid_of(await new_room(gql, s, token, capacity), "ExamRoom")


@pytest.mark.parametrize("capacity", [1, 2])
async def test_room_capacity_holds_for_parallel_sql_transactions(
    gql: GQL, sched: Sched, token: Token, database_url: str, capacity: int
) -> None:
    """Eight connections assign one room to overlapping appointments at once, as vetql_app:
    exactly `capacity` commit, the others are refused by the database."""
    s = sched
    room = await _room_id(gql, s, token, capacity)
    appointments = await _overlapping(database_url, s, 8)
    claims = orjson.dumps({"sub": str(s.admin), "tenant_id": s.tenant, "role": "admin"}).decode()
    conns = [await asyncpg.connect(database_url) for _ in appointments]
    ready = asyncio.Barrier(len(conns))

    async def attempt(conn: asyncpg.Connection, appt: uuid.UUID) -> bool:
        tx = conn.transaction()
        await tx.start()
        await conn.execute(REQUEST_ROLE)
        await conn.execute(set_claims(claims))
        await ready.wait()
        try:
            await conn.execute(
                "INSERT INTO room_assignments (tenant_id, appointment_id, room_id) VALUES ($1, $2, $3)",
                s.tenant, appt, room,
            )
        except asyncpg.ExclusionViolationError:
            await tx.rollback()
            return False
        await tx.commit()
        return True

    try:
        results = await asyncio.gather(*(attempt(c, a) for c, a in zip(conns, appointments, strict=True)))
    finally:
        for c in conns:
            await c.close()
    assert sum(results) == capacity
    active = await count(database_url, "SELECT count(*) FROM room_assignments WHERE room_id = $1"
                         " AND released_at IS NULL", room)
    assert active == capacity
    in_sync = await count(database_url, "SELECT count(*) FROM appointments WHERE room_id = $1", room)
    assert in_sync == capacity


@pytest.mark.parametrize("capacity", [1, 2])
async def test_room_capacity_holds_for_parallel_assign_room_calls(
    gql: GQL, sched: Sched, token: Token, database_url: str, capacity: int
) -> None:
    """Six receptionists click assignRoom at once for overlapping visits: exactly `capacity` succeed,
    the others get ROOM_FULL (after a retry on a fresh snapshot where needed)."""
    s, t = sched, staff(sched, token)
    room_uuid = await _room_id(gql, s, token, capacity)
    room = gid("ExamRoom", room_uuid)
    appointments = await _overlapping(database_url, s, 6)
    results = await asyncio.gather(
        *(run(gql, ASSIGN, {"appointmentId": gid("Appointment", a), "roomId": room}, t, "assignRoom")
          for a in appointments)
    )
    assert sum(r["appointment"] is not None for r in results) == capacity
    assert sorted(c for r in results for c in codes(r)) == ["ROOM_FULL"] * (6 - capacity)
    active = await count(database_url, "SELECT count(*) FROM room_assignments WHERE room_id = $1"
                         " AND released_at IS NULL", room_uuid)
    assert active == capacity
