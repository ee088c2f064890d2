"""Clinics and staff: invitations with single-use expiring codes, at least one active admin."""

from db.migrations import sqlfile

revision = "0017_clinic_staff"
down_revision = "0016_front_desk"


def upgrade() -> None:
    sqlfile.run("0017_clinic_staff.sql")
