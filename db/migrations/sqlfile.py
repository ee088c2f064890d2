"""Runs one reviewed .sql file of db/migrations/sql inside an Alembic migration."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from sqlalchemy.util import await_only

SQL_DIR = Path(__file__).parent / "sql"


def run(name: str) -> None:
    """Execute the whole file in the migration's transaction (DO blocks included)."""
    bind = op.get_bind()
    bind.execute(sa.text("SELECT 1"))  # make sure the driver's transaction is open
    driver = bind.connection.driver_connection
    assert driver is not None
    # asyncpg's simple-query path takes many statements at once; prepared
    # statements (SQLAlchemy's path) take one.
    await_only(driver.execute((SQL_DIR / name).read_text()))


def statements(name: str) -> list[str]:
    """The file's statements, for files of plain statements only (no DO blocks)."""
    text = re.sub(r"--[^\n]*", "", (SQL_DIR / name).read_text())
    return [s.strip() for s in text.split(";") if s.strip()]


def run_concurrently(name: str) -> None:
    """Run CREATE INDEX CONCURRENTLY statements one by one, outside a transaction."""
    with op.get_context().autocommit_block():
        bind = op.get_bind()
        for statement in statements(name):
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
