"""Ingest: cheaper work per recordVitals statement (implied tenant key gone, static active-user and audit triggers)."""

from db.migrations import sqlfile

revision = "0025_ingest"
down_revision = "0024_citus_ready"


def upgrade() -> None:
    sqlfile.run("0025_ingest.sql")
