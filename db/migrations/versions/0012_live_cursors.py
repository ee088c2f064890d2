"""Live: numbered surgery events of the operating block; a log's streams woken when it is completed."""

from db.migrations import sqlfile

revision = "0012_live_cursors"
down_revision = "0011_workflow_gaps"


def upgrade() -> None:
    sqlfile.run("0012_live_cursors.sql")
