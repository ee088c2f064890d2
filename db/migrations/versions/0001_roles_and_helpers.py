"""Roles, extensions and the claim helpers policies use."""

from db.migrations import sqlfile

revision = "0001_roles_and_helpers"
down_revision = None


def upgrade() -> None:
    sqlfile.run("0001_roles_and_helpers.sql")
