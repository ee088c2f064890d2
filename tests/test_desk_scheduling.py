"""Scheduling that fits a real day: split shifts, staff emergencies outside hours, check-in on the
visit's own day in the clinic's time zone (or a configured window before it). Through HTTP, in a
clinic of the module's own."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from db.session import REQUEST_ROLE, set_claims
from graph.types.node import to_global_id
from tests.conftest import GQL
from tests.world import World, erase_clinic

Token = Callable[..., str]
ZONE = ZoneInfo("America/Asuncion")
ERRORS = "userErrors { field code message }"
BOOK = (
    "mutation($input: BookAppointmentInput!) { bookAppointment(input: $input) { appointment { id startTime status"
    f" emergency }} {ERRORS} }} }}"
)
RESCHEDULE = (
    "mutation($input: RescheduleAppointmentInput!) { rescheduleAppointment(input: $input) {"
    f" appointment {{ id startTime emergency }} {ERRORS} }} }}"
)
CHECK_IN = (
    f"mutation($input: AppointmentActionInput!) {{ checkIn(input: $input) {{ appointment {{ id status }} {ERRORS} }} }}"
)
UPDATE_CLINIC = (
    "mutation($input: UpdateClinicInput!) { updateClinic(input: $input) { clinic { businessHours { day open close } }"
    f" {ERRORS} }} }}"
)


@dataclass
class Shop:
    tenant: str
    admin: uuid.UUID
    vet: uuid.UUID
    owner: uuid.UUID
    pet: uuid.UUID


@pytest.fixture(scope="module")
async def shop(database_url: str, world: World) -> AsyncIterator[Shop]:
    s = Shop("desk-schedule", uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4())
    conn = await asyncpg.connect(database_url)
    try:
        await erase_clinic(conn, s.tenant)
        await conn.execute(
            "INSERT INTO tenants (id, name, timezone, appointment_settings) VALUES ($1, 'Turnos', 'America/Asuncion',"
            ' \'{"slot_duration": 30, "require_confirmation": false, "max_advance_days": 60}\')',
            s.tenant,
        )
        await conn.executemany(
            "INSERT INTO profiles (tenant_id, id, role, full_name) VALUES ($1, $2, $3, $4)",
            [
                (s.tenant, s.admin, "admin", "Admin"),
                (s.tenant, s.vet, "vet", "Vet"),
                (s.tenant, s.owner, "owner", "Dueña"),
            ],
        )
        await conn.execute(
            "INSERT INTO pets (tenant_id, id, owner_id, name, species) VALUES ($1, $2, $3, 'Turnito', 'dog')",
            s.tenant, s.pet, s.owner,
        )  # fmt: skip
        yield s
    finally:
        await erase_clinic(conn, s.tenant)
        await conn.close()


def codes(payload: dict[str, Any]) -> list[tuple[str | None, str]]:
    return [(e["field"], e["code"]) for e in payload["userErrors"]]


def next_monday(at: time) -> datetime:
    today = datetime.now(ZONE).date()
    day = today + timedelta(days=2)
    while day.weekday() != 0:
        day += timedelta(days=1)
    return datetime.combine(day, at, tzinfo=ZONE)


async def book(gql: GQL, shop: Shop, bearer: str, start: datetime, **extra: Any) -> dict[str, Any]:
    data = await gql.data(
        BOOK, {"input": {"petId": str(to_global_id("Pet", shop.pet)), "startTime": start.isoformat(), **extra}}, bearer
    )
    payload: dict[str, Any] = data["bookAppointment"]
    return payload


async def reschedule(gql: GQL, bearer: str, appointment: str, start: datetime) -> dict[str, Any]:
    data = await gql.data(RESCHEDULE, {"input": {"appointmentId": appointment, "startTime": start.isoformat()}}, bearer)
    payload: dict[str, Any] = data["rescheduleAppointment"]
    return payload


async def test_split_shift_is_stored_and_bookings_fit_one_of_its_spans(gql: GQL, shop: Shop, token: Token) -> None:
    hours = [
        {"day": "MON", "open": "14:00", "close": "19:00"},
        {"day": "MON", "open": "08:00", "close": "12:00"},
        {"day": "TUE", "open": "08:00", "close": "12:00"},
    ]
    data = await gql.data(UPDATE_CLINIC, {"input": {"businessHours": hours}}, token(shop.admin, shop.tenant, "admin"))
    assert data["updateClinic"]["userErrors"] == []
    assert data["updateClinic"]["clinic"]["businessHours"] == [
        {"day": "MON", "open": "08:00", "close": "12:00"},
        {"day": "MON", "open": "14:00", "close": "19:00"},
        {"day": "TUE", "open": "08:00", "close": "12:00"},
    ]
    owner = token(shop.owner, shop.tenant, "owner")
    staff = token(shop.vet, shop.tenant, "vet")
    siesta = await book(gql, shop, owner, next_monday(time(12, 30)))
    assert codes(siesta) == [("startTime", "OUTSIDE_BUSINESS_HOURS")]
    assert (await book(gql, shop, owner, next_monday(time(9, 0))))["userErrors"] == []
    assert (await book(gql, shop, owner, next_monday(time(15, 0))))["userErrors"] == []
    across = await book(gql, shop, staff, next_monday(time(11, 30)), durationMinutes=60)  # runs into the siesta
    assert codes(across) == [("startTime", "OUTSIDE_BUSINESS_HOURS")]


async def test_staff_book_an_emergency_outside_hours_and_owners_may_not(gql: GQL, shop: Shop, token: Token) -> None:
    staff = token(shop.vet, shop.tenant, "vet")
    night = next_monday(time(22, 10))  # closed, and off the 30-minute grid
    assert codes(await book(gql, shop, staff, night)) == [("startTime", "OFF_SLOT_GRID")]
    emergency = await book(gql, shop, staff, night, emergency=True)
    assert emergency["userErrors"] == [] and emergency["appointment"]["status"] == "CONFIRMED"
    assert emergency["appointment"]["emergency"] is True
    refused = await book(gql, shop, token(shop.owner, shop.tenant, "owner"), night, emergency=True)
    assert codes(refused) == [("emergency", "FORBIDDEN_FIELD")]


async def test_the_booking_rule_marks_emergencies_not_the_client(gql: GQL, shop: Shop, token: Token) -> None:
    staff = token(shop.vet, shop.tenant, "vet")
    asked = await book(gql, shop, staff, next_monday(time(10, 0)), emergency=True)  # open, on the grid
    assert asked["userErrors"] == [] and asked["appointment"]["emergency"] is False
    plain = await book(gql, shop, staff, next_monday(time(10, 30)))
    assert plain["appointment"]["emergency"] is False
    night = await book(gql, shop, staff, next_monday(time(21, 0)), emergency=True)
    assert night["appointment"]["emergency"] is True
    # an emergency moves within the night; moved into the hours it is a visit like any other
    later = await reschedule(gql, staff, night["appointment"]["id"], next_monday(time(23, 5)))
    assert later["userErrors"] == [] and later["appointment"]["emergency"] is True
    daytime = await reschedule(gql, staff, night["appointment"]["id"], next_monday(time(16, 30)))
    assert daytime["userErrors"] == [] and daytime["appointment"]["emergency"] is False
    # and a visit booked in the hours cannot be moved out of them
    out = await reschedule(gql, staff, plain["appointment"]["id"], next_monday(time(22, 0)))
    assert codes(out) == [("startTime", "OUTSIDE_BUSINESS_HOURS")]


async def test_a_writer_with_an_owners_claims_cannot_store_an_emergency(database_url: str, shop: Shop) -> None:
    conn = await asyncpg.connect(database_url)
    insert = (
        "INSERT INTO appointments (tenant_id, pet_id, start_time, end_time, created_by, is_emergency)"
        " VALUES ($1, $2, $3, $4, $5, $6)"
    )
    start = next_monday(time(9, 30))
    claims = f'{{"sub": "{shop.owner}", "tenant_id": "{shop.tenant}", "role": "owner"}}'
    try:
        for emergency, stored in ((False, True), (True, False)):
            tx = conn.transaction()
            await tx.start()
            try:
                await conn.execute(REQUEST_ROLE)
                await conn.execute(set_claims(claims))
                values = (shop.tenant, shop.pet, start, start + timedelta(minutes=30), shop.owner, emergency)
                if stored:
                    await conn.execute(insert, *values)
                else:
                    with pytest.raises(asyncpg.InsufficientPrivilegeError):
                        await conn.execute(insert, *values)
            finally:
                await tx.rollback()  # nothing of this test stays
    finally:
        await conn.close()


async def test_check_in_only_on_the_visits_day_in_the_clinics_time_zone(gql: GQL, shop: Shop, token: Token) -> None:
    staff = token(shop.vet, shop.tenant, "vet")
    later = await book(gql, shop, staff, next_monday(time(16, 0)))
    assert later["userErrors"] == []
    early = await gql.data(CHECK_IN, {"input": {"appointmentId": later["appointment"]["id"]}}, staff)
    assert codes(early["checkIn"]) == [("appointmentId", "NOT_ITS_DAY")]
    now = datetime.now(UTC)
    soon = now + timedelta(minutes=10)
    if soon.astimezone(ZONE).date() == now.astimezone(ZONE).date():  # not when the clinic's midnight is that close
        today = await book(gql, shop, staff, soon, emergency=True)
        checked = await gql.data(CHECK_IN, {"input": {"appointmentId": today["appointment"]["id"]}}, staff)
        assert checked["checkIn"]["userErrors"] == [] and checked["checkIn"]["appointment"]["status"] == "CHECKED_IN"
    # a clinic may allow checking in some time ahead of the visit's day
    tomorrow = now + timedelta(hours=23)
    if tomorrow.astimezone(ZONE).date() != now.astimezone(ZONE).date():
        visit = await book(gql, shop, staff, tomorrow, emergency=True)
        refused = await gql.data(CHECK_IN, {"input": {"appointmentId": visit["appointment"]["id"]}}, staff)
        assert codes(refused["checkIn"]) == [("appointmentId", "NOT_ITS_DAY")]
        window = {"appointmentSettings": {"checkInWindowMinutes": 1440}}
        set_window = await gql.data(UPDATE_CLINIC, {"input": window}, token(shop.admin, shop.tenant, "admin"))
        assert set_window["updateClinic"]["userErrors"] == []
        allowed = await gql.data(CHECK_IN, {"input": {"appointmentId": visit["appointment"]["id"]}}, staff)
        assert allowed["checkIn"]["userErrors"] == []
