"""Scheduling: visit flow, room capacity, vet exclusion, owner bookings, recurring series."""

from db.migrations import sqlfile

revision = "0009_scheduling"
down_revision = "0008_patient_records"


def upgrade() -> None:
    sqlfile.run("0009_scheduling.sql")
