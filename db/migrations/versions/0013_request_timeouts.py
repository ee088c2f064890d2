"""Statement, lock and idle-in-transaction timeouts for the request role."""

from db.migrations import sqlfile

revision = "0013_request_timeouts"
down_revision = "0012_membership"


def upgrade() -> None:
    sqlfile.run("0013_request_timeouts.sql")
