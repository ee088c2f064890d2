"""Visit notes (SOAP, signed, addenda) and administered vaccines feeding the next visit."""

from db.migrations import sqlfile

revision = "0021_visit_records_vaccines"
down_revision = "0020_catalogue_invoices"


def upgrade() -> None:
    sqlfile.run("0021_visit_records_vaccines.sql")
