"""Live monitoring: per-log vital numbering, alarms, thresholds, NOTIFY."""

from db.migrations import sqlfile

revision = "0007_live_vitals"
down_revision = "0006_backfill_visit_dates"


def upgrade() -> None:
    sqlfile.run("0007_live_vitals.sql")
