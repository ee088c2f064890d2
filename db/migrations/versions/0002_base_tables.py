"""Base clinic tables the seed builds on."""

from db.migrations import sqlfile

revision = "0002_base_tables"
down_revision = "0001_roles_and_helpers"


def upgrade() -> None:
    sqlfile.run("0002_base_tables.sql")
