"""Ingest: cheaper per-statement work on anesthesia_vitals (implied tenant key dropped, static active-user trigger)."""

from db.migrations import sqlfile

revision = "0025_ingest"
down_revision = "0023_reminders"


def upgrade() -> None:
    sqlfile.run("0025_ingest.sql")
