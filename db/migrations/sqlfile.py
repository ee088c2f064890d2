"""Runs one reviewed .sql file of db/migrations/sql inside an Alembic migration."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa
import sqlparse
from alembic import op
from sqlalchemy.util import await_only

SQL_DIR = Path(__file__).parent / "sql"


def run(name: str) -> None:
    """Execute the file's statements one by one in the migration's transaction (DO blocks included)."""
    bind = op.get_bind()
    bind.execute(sa.text("SELECT 1"))  # make sure the driver's transaction is open
    driver = bind.connection.driver_connection
    assert driver is not None
    # One statement per message (asyncpg's simple-query path, no parameters): Citus sends some DDL
    # on distributed tables to the workers as the whole query string it came in (CREATE TRIGGER,
    # ALTER TABLE ... DROP COLUMN IF EXISTS), which a worker refuses when it holds several commands.
    for statement in statements(name):
        await_only(driver.execute(statement))


def statements(name: str) -> list[str]:
    """The file's statements in order without their comments, split by sqlparse (quotes and
    dollar-quoted bodies respected: what is inside them stays as written)."""
    found = (sqlparse.format(s, strip_comments=True).strip() for s in sqlparse.split((SQL_DIR / name).read_text()))
    return [s for s in found if s]


def run_concurrently(name: str) -> None:
    """Run CREATE INDEX CONCURRENTLY IF NOT EXISTS and DROP INDEX CONCURRENTLY IF EXISTS statements one
    by one, outside a transaction (both are idempotent as written)."""
    with op.get_context().autocommit_block():
        bind = op.get_bind()
        for statement in statements(name):
            if re.match(r"DROP INDEX CONCURRENTLY IF EXISTS\s", statement, re.I):
                bind.execute(sa.text(statement))
                continue
            index = re.search(r"IF NOT EXISTS\s+(\w+)", statement)
            assert index is not None, statement
            invalid = bind.execute(
                sa.text(
                    "SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                    "WHERE c.relname = :name AND c.relnamespace = 'public'::regnamespace "
                    "AND NOT i.indisvalid"
                ),
                {"name": index.group(1)},
            ).scalar()
            if invalid:  # left by an interrupted build: IF NOT EXISTS would keep it
                bind.execute(sa.text(f'DROP INDEX CONCURRENTLY IF EXISTS "{index.group(1)}"'))
            bind.execute(sa.text(statement))
