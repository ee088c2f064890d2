"""Patient records: owner profile edits, primary-vet check, device registration, code search index."""

from db.migrations import sqlfile

revision = "0008_patient_records"
down_revision = "0007_live_vitals"


def upgrade() -> None:
    sqlfile.run("0008_patient_records.sql")
