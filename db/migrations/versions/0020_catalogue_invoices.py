"""The till: catalogue with IVA rates, invoices computed by the database, numbering, payments and refunds."""

from db.migrations import sqlfile

revision = "0020_catalogue_invoices"
down_revision = "0017_clinic_staff"


def upgrade() -> None:
    sqlfile.run("0020_catalogue_invoices.sql")
