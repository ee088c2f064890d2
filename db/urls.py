"""Conversions between the libpq URL users give and what each driver expects."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + database))


def plain(url: str) -> str:
    """`postgresql://...`, as asyncpg and libpq take it."""
    for prefix in ("postgresql+asyncpg://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    return url


def sqlalchemy(url: str) -> str:
    """`postgresql+asyncpg://...`, as SQLAlchemy's async engine takes it."""
    return "postgresql+asyncpg://" + plain(url)[len("postgresql://") :]
