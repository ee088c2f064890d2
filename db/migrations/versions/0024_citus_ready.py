"""Ready for Citus: policies without sub-selects; vetql.distribute() for a Citus database."""

from db.migrations import sqlfile

revision = "0024_citus_ready"
down_revision = "0023_reminders"


def upgrade() -> None:
    sqlfile.run("0024_citus_ready.sql")
