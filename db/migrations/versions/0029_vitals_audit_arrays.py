"""The audit trail of new readings with the actor read once and the rows handed on as arrays."""

from db.migrations import sqlfile

revision = "0029_vitals_audit_arrays"
down_revision = "0028_vitals_one_index_fewer"


def upgrade() -> None:
    sqlfile.run("0029_vitals_audit_arrays.sql")
