"""SaaS billing and promotions: usage counters, plan limits, subscription transitions."""

from db.migrations import sqlfile

revision = "0010_billing_promotions"
down_revision = "0009_scheduling"


def upgrade() -> None:
    sqlfile.run("0010_billing_promotions.sql")
