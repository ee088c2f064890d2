"""What is due next for a pet, kept by the database; emergencies marked on the appointment."""

from db.migrations import sqlfile

revision = "0026_next_visit_due"
down_revision = "0025_ingest"


def upgrade() -> None:
    sqlfile.run("0026_next_visit_due.sql")
