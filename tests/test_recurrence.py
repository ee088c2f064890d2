"""Recurring appointments: the expansion's RFC 5545 edge cases (31st, leap day, end date versus
count), and the series through the API (booking, per-occurrence conflicts, cancel one or this and
all following, edit one, owner versus staff, foreign ids)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest

from domain.scheduling.recurrence import Pattern, expand, local_instant
from graph.types.node import uuid_of
from tests.conftest import GQL
from tests.test_scheduling import (
    APPT,
    ZONE,
    Sched,
    book,
    codes,
    count,
    gid,
    local,
    make_clinic,
    mutation,
    run,
    staff,
)
from tests.world import World

Token = Callable[..., str]
FAR = date(2100, 1, 1)


# Expansion -------------------------------------------------------------------------

def test_monthly_on_the_31st_skips_short_months_and_does_not_count_them() -> None:
    dates, ended = expand(Pattern("monthly", date(2025, 1, 1), day_of_month=31, max_occurrences=4), FAR)
    assert dates == [date(2025, 1, 31), date(2025, 3, 31), date(2025, 5, 31), date(2025, 7, 31)]
    assert ended


def test_monthly_on_the_30th_skips_february_only() -> None:
    dates, _ = expand(Pattern("monthly", date(2025, 1, 30), day_of_month=30, max_occurrences=3), FAR)
    assert dates == [date(2025, 1, 30), date(2025, 3, 30), date(2025, 4, 30)]


def test_yearly_on_leap_day_falls_only_in_leap_years() -> None:
    dates, _ = expand(Pattern("yearly", date(2024, 2, 29), max_occurrences=3), FAR)
    assert dates == [date(2024, 2, 29), date(2028, 2, 29), date(2032, 2, 29)]


def test_end_date_wins_when_it_comes_before_the_count() -> None:
    dates, ended = expand(Pattern("weekly", date(2025, 6, 2), day_of_week=1, ends_on=date(2025, 6, 16),
                                  max_occurrences=10), FAR)
    assert dates == [date(2025, 6, 2), date(2025, 6, 9), date(2025, 6, 16)] and ended


def test_count_wins_when_it_comes_before_the_end_date() -> None:
    dates, ended = expand(Pattern("daily", date(2025, 6, 1), ends_on=date(2025, 12, 31), max_occurrences=3), FAR)
    assert dates == [date(2025, 6, 1), date(2025, 6, 2), date(2025, 6, 3)] and ended


def test_weekly_and_biweekly_start_on_the_first_matching_day() -> None:
    # 2025-06-04 is a Wednesday; day 5 is Friday (0 = Sunday)
    weekly, _ = expand(Pattern("weekly", date(2025, 6, 4), day_of_week=5, max_occurrences=2), FAR)
    biweekly, _ = expand(Pattern("biweekly", date(2025, 6, 4), day_of_week=5, max_occurrences=2), FAR)
    assert weekly == [date(2025, 6, 6), date(2025, 6, 13)]
    assert biweekly == [date(2025, 6, 6), date(2025, 6, 20)]


def test_open_ended_series_stops_at_the_horizon_and_is_not_over() -> None:
    dates, ended = expand(Pattern("daily", date(2025, 6, 1)), date(2025, 6, 10))
    assert len(dates) == 10 and not ended


def test_time_of_day_is_the_clinics_wall_clock() -> None:
    at = local_instant(date(2025, 6, 2), time(9, 30), ZONE)
    assert at.astimezone(ZONE).time() == time(9, 30) and at.utcoffset() == timedelta(0)


# Through the API -------------------------------------------------------------------

CREATE = mutation(
    "createRecurringAppointments",
    "CreateRecurringAppointmentsInput",
    "recurrence { id pattern dayOfWeek dayOfMonth timeOfDay occurrencesCreated materializedUntil isActive endsOn }"
    f" appointments {{ {APPT} }} conflicts {{ startTime code message }}",
)
CANCEL_ONE = mutation("cancelOccurrence", "AppointmentActionInput")
CANCEL_FOLLOWING = mutation(
    "cancelRecurrence", "CancelRecurrenceInput", f"recurrence {{ id isActive endsOn }} cancelled {{ {APPT} }}"
)
EDIT = mutation("editOccurrence", "EditOccurrenceInput")


@pytest.fixture(scope="module")
async def clinic(database_url: str, world: World) -> Sched:
    return await make_clinic(database_url, f"recur-{uuid.uuid4().hex[:8]}")


def weekly(s: Sched, starts_on: date, **extra: Any) -> dict[str, Any]:
    return {"petId": gid("Pet", s.pets[0]), "pattern": "WEEKLY", "startsOn": starts_on.isoformat(),
            "timeOfDay": "10:00", **extra}


async def test_weekly_series_books_each_occurrence_and_reports_conflicts(
    gql: GQL, clinic: Sched, token: Token
) -> None:
    s, t = clinic, staff(clinic, token)
    starts_on = datetime.now(ZONE).date() + timedelta(days=1)
    vet = gid("Profile", s.vet)
    # the vet is already busy on the second occurrence
    second = starts_on + timedelta(days=7)
    busy = await book(gql, s, t, local(second, 10), vetId=vet, pet=s.pets[1])
    assert busy["userErrors"] == []
    got = await run(gql, CREATE, weekly(s, starts_on, maxOccurrences=4, vetId=vet), t, "createRecurringAppointments")
    assert got["userErrors"] == []
    series = got["recurrence"]
    assert series["occurrencesCreated"] == 3 and series["isActive"] is False
    assert series["dayOfWeek"] == (starts_on.weekday() + 1) % 7 and series["timeOfDay"] == "10:00:00"
    starts = [datetime.fromisoformat(a["startTime"]) for a in got["appointments"]]
    assert starts == [local(starts_on + timedelta(days=7 * i), 10) for i in (0, 2, 3)]
    assert all(a["recurrenceId"] == series["id"] and a["vet"]["id"] == vet for a in got["appointments"])
    assert [(datetime.fromisoformat(c["startTime"]), c["code"]) for c in got["conflicts"]] == [
        (local(second, 10), "VET_UNAVAILABLE")
    ]


async def test_monthly_series_on_the_31st_skips_short_months(gql: GQL, clinic: Sched, token: Token) -> None:
    s, t = clinic, staff(clinic, token)
    starts_on = datetime.now(ZONE).date() + timedelta(days=1)
    input = {"petId": gid("Pet", s.pets[1]), "pattern": "MONTHLY", "dayOfMonth": 31,
             "startsOn": starts_on.isoformat(), "timeOfDay": "11:00", "horizonDays": 366}
    got = await run(gql, CREATE, input, t, "createRecurringAppointments")
    days = [datetime.fromisoformat(a["startTime"]).astimezone(ZONE).date() for a in got["appointments"]]
    assert days and all(d.day == 31 for d in days)
    assert len(days) == len({(d.year, d.month) for d in days}) and 6 <= len(days) <= 8


async def test_cancel_one_then_this_and_all_following(
    gql: GQL, clinic: Sched, token: Token, database_url: str
) -> None:
    s, t = clinic, staff(clinic, token)
    starts_on = datetime.now(ZONE).date() + timedelta(days=2)
    input = {"petId": gid("Pet", s.pets[2]), "pattern": "DAILY", "startsOn": starts_on.isoformat(),
             "timeOfDay": "16:00", "maxOccurrences": 5}
    got = await run(gql, CREATE, input, t, "createRecurringAppointments")
    ids = [a["id"] for a in got["appointments"]]
    assert len(ids) == 5
    one = await run(gql, CANCEL_ONE, {"appointmentId": ids[1]}, t, "cancelOccurrence")
    assert one["appointment"]["status"] == "CANCELLED"
    edited = await run(gql, EDIT, {"appointmentId": ids[2], "startTime": local(starts_on + timedelta(days=2), 17)
                                   .isoformat(), "reason": "control movido"}, t, "editOccurrence")
    assert edited["userErrors"] == [] and edited["appointment"]["recurrenceId"] == got["recurrence"]["id"]
    following = await run(gql, CANCEL_FOLLOWING, {"fromAppointmentId": ids[3]}, t, "cancelRecurrence")
    assert [a["id"] for a in following["cancelled"]] == ids[3:]
    assert following["recurrence"]["endsOn"] == (starts_on + timedelta(days=2)).isoformat()
    live = await count(database_url, "SELECT count(*) FROM appointments WHERE recurrence_id = (SELECT recurrence_id"
                       " FROM appointments WHERE id = $1) AND status <> 'cancelled'",
                       uuid_of(ids[0], "Appointment"))
    assert live == 2
    plain = await book(gql, s, t, local(starts_on, 8))
    assert codes(await run(gql, CANCEL_ONE, {"appointmentId": plain["appointment"]["id"]}, t,
                           "cancelOccurrence")) == ["NOT_RECURRING"]


async def test_series_rejects_bad_patterns_foreign_pets_and_owners(
    gql: GQL, clinic: Sched, token: Token, database_url: str, world: World
) -> None:
    s, t = clinic, staff(clinic, token)
    starts_on = datetime.now(ZONE).date() + timedelta(days=1)
    bad = await run(gql, CREATE, weekly(s, starts_on, dayOfWeek=7, endsOn=(starts_on - timedelta(days=1)).isoformat(),
                                        horizonDays=400), t, "createRecurringAppointments")
    assert sorted(codes(bad)) == ["INVALID", "INVALID", "INVALID"] and bad["recurrence"] is None
    before = await count(database_url, "SELECT count(*) FROM appointment_recurrence")
    foreign = await run(gql, CREATE, weekly(s, starts_on) | {"petId": gid("Pet", world.b.pets[0])}, t,
                        "createRecurringAppointments")
    assert codes(foreign) == ["NOT_FOUND"]
    assert await count(database_url, "SELECT count(*) FROM appointment_recurrence") == before
    body = await gql(CREATE, {"input": weekly(s, starts_on)}, token(s.owner, s.tenant, "owner"))
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    too_many = await run(gql, CREATE, weekly(s, starts_on) | {"pattern": "DAILY", "horizonDays": 300}, t,
                         "createRecurringAppointments")
    assert codes(too_many) == ["TOO_MANY"]


async def test_series_occurrences_outside_hours_are_reported_not_dropped(
    gql: GQL, clinic: Sched, token: Token
) -> None:
    s, t = clinic, staff(clinic, token)
    starts_on = datetime.now(ZONE).date() + timedelta(days=40)
    got = await run(gql, CREATE, weekly(s, starts_on, timeOfDay="20:30", durationMinutes=60, maxOccurrences=2),
                    t, "createRecurringAppointments")
    assert got["appointments"] == [] and [c["code"] for c in got["conflicts"]] == ["OUTSIDE_BUSINESS_HOURS"] * 2
