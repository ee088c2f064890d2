"""The seed's indexes on large tables, built CONCURRENTLY."""

from db.migrations import sqlfile

revision = "0005_concurrent_indexes"
down_revision = "0004_row_level_security"


def upgrade() -> None:
    sqlfile.run_concurrently("0005_concurrent_indexes.sql")
