"""Idempotency keys: stored responses of requests sent with an Idempotency-Key header."""

from db.migrations import sqlfile

revision = "0014_idempotency_keys"
down_revision = "0013_request_timeouts"


def upgrade() -> None:
    sqlfile.run("0014_idempotency_keys.sql")
