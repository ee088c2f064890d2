"""A rule's refusal is known by its message when the error comes without its constraint (Citus)."""

from __future__ import annotations

import re
from pathlib import Path

import asyncpg

from db import raised
from db.session import DbError

SQL = Path(__file__).parent.parent / "db" / "migrations" / "sql"


def test_every_rule_raised_with_a_constraint_is_known_by_its_message() -> None:
    written = set()
    for path in SQL.glob("*.sql"):
        written |= set(re.findall(r"CONSTRAINT\s*=\s*'(\w+)'", path.read_text()))
    exact, templates = raised._rules()
    known = set(exact.values()) | {c for _, c in templates}
    assert written and written == known


def test_messages_with_placeholders_match_only_their_own_rule() -> None:
    assert raised.constraint_of("exam room is fully booked at that time") == "room_assignments_capacity"
    assert raised.constraint_of("an appointment cannot go from scheduled to completed") == (
        "appointments_status_transition"
    )
    assert raised.constraint_of("a void invoice takes no payments") == "payments_invoice_payable"
    assert raised.constraint_of("a signed visit note is never edited; add an addendum") == (
        "medical_records_signed_immutable"
    )
    assert raised.constraint_of("a dog barked") is None
    assert raised.constraint_of(None) is None


def test_an_error_passed_on_by_citus_is_named_by_its_message_without_the_shard_id() -> None:
    # What Citus re-raises from a worker: SQLSTATE and message, no constraint field.
    check = asyncpg.exceptions.PostgresError.new({
        "C": "23514",
        "M": 'new row for relation "patient_alerts_102079" violates check constraint'
             ' "patient_alerts_severity_check_102079"',
    })
    assert DbError(check).constraint == "patient_alerts_severity_check"
    rule = asyncpg.exceptions.PostgresError.new({"C": "23P01", "M": "exam room is fully booked at that time"})
    assert DbError(rule).constraint == "room_assignments_capacity"
