"""Row-level security on every clinic table, and the grants of vetql_app."""

from db.migrations import sqlfile

revision = "0004_row_level_security"
down_revision = "0003_seed_schema_gaps"


def upgrade() -> None:
    sqlfile.run("0004_row_level_security.sql")
