"""${message}"""

from db.migrations import sqlfile

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}


def upgrade() -> None:
    sqlfile.run("${up_revision}.sql")
