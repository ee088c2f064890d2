"""Membership: profiles.is_active; only an admin changes it."""

from db.migrations import sqlfile

revision = "0012_membership"
down_revision = "0011_workflow_gaps"


def upgrade() -> None:
    sqlfile.run("0012_membership.sql")
