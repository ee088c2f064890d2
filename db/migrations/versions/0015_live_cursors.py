"""Live: numbered surgery events of the operating block; a log's streams woken when it is completed."""

from db.migrations import sqlfile

revision = "0015_live_cursors"
down_revision = "0014_idempotency_keys"


def upgrade() -> None:
    sqlfile.run("0015_live_cursors.sql")
