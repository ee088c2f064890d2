"""Alembic environment: async engine over asyncpg, one transaction per migration."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

config = context.config


def _run(connection: Connection) -> None:
    # Each migration commits with its own version bump, so a failure half-way
    # keeps the finished ones and rolls back only the one that failed.
    context.configure(connection=connection, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()
    # On a Citus database, every clinic table distributed (a no-op when they are, and
    # without Citus); after the chain, so a table a later migration adds is included.
    if connection.execute(text("SELECT to_regprocedure('vetql.distribute()') IS NOT NULL")).scalar():
        connection.execute(text("CALL vetql.distribute()"))
        connection.commit()


async def _main() -> None:
    engine = create_async_engine(config.attributes["url"], poolclass=pool.NullPool)
    async with engine.connect() as conn:
        await conn.run_sync(_run)
        await conn.commit()
    await engine.dispose()


asyncio.run(_main())
