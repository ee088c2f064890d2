"""Reminders: the outbox, push tokens for the dispatcher, sent messages counted in usage."""

from db.migrations import sqlfile

revision = "0023_reminders"
down_revision = "0022_audit_trail"


def upgrade() -> None:
    sqlfile.run("0023_reminders.sql")
