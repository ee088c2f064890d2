"""Workflow gaps: active users per month counted by the database."""

from db.migrations import sqlfile

revision = "0011_workflow_gaps"
down_revision = "0010_billing_promotions"


def upgrade() -> None:
    sqlfile.run("0011_workflow_gaps.sql")
