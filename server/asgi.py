"""ASGI entry point for uvicorn workers: `vetql.asgi:create` (a factory)."""

from __future__ import annotations

from starlette.applications import Starlette

from server.app import create_app
from server.logging import configure_logging
from server.settings import Settings


def create() -> Starlette:
    settings = Settings()
    if not settings.database_url:
        raise RuntimeError("DATABASE_URL must be set for workers; run `vetql serve`")
    configure_logging()
    return create_app(settings, settings.database_url)
