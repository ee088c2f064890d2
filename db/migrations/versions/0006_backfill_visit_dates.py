"""Backfill pets.last_visit_date from completed visits."""

from db.migrations import sqlfile

revision = "0006_backfill_visit_dates"
down_revision = "0005_concurrent_indexes"


def upgrade() -> None:
    sqlfile.run("0006_backfill_visit_dates.sql")
