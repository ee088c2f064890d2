"""The front desk: owner documents, pet death/archive/weight history, search folding."""

from db.migrations import sqlfile

revision = "0016_front_desk"
down_revision = "0015_live_cursors"


def upgrade() -> None:
    sqlfile.run("0016_front_desk.sql")
