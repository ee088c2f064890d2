"""Drops the vitals index no query needs any more (one index entry fewer per reading)."""

from db.migrations import sqlfile

revision = "0028_vitals_one_index_fewer"
down_revision = "0027_definers_on_citus"


def upgrade() -> None:
    sqlfile.run_concurrently("0028_vitals_one_index_fewer.sql")
