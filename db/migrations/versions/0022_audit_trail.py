"""The audit trail: statement triggers append who, when, what and the changed fields; append-only."""

from db.migrations import sqlfile

revision = "0022_audit_trail"
down_revision = "0021_visit_records_vaccines"


def upgrade() -> None:
    sqlfile.run("0022_audit_trail.sql")
