"""Tables, columns and constraints of the seed's schema-gaps document."""

from db.migrations import sqlfile

revision = "0003_seed_schema_gaps"
down_revision = "0002_base_tables"


def upgrade() -> None:
    sqlfile.run("0003_seed_schema_gaps.sql")
