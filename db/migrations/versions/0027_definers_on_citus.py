"""The push-token functions in a form Citus can plan (PL/pgSQL), the same on one node."""

from db.migrations import sqlfile

revision = "0027_definers_on_citus"
down_revision = "0026_next_visit_due"


def upgrade() -> None:
    sqlfile.run("0027_definers_on_citus.sql")
