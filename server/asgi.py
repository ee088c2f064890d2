"""ASGI entry point for uvicorn workers: `vetql.asgi:create` (a factory)."""

from __future__ import annotations

from starlette.applications import Starlette

from server import tracing
from server.app import create_app
from server.logging import configure_logging
from server.settings import Settings


def create() -> Starlette:
    settings = Settings()
    if not settings.database_url:
        raise RuntimeError("DATABASE_URL must be set for workers; run `vetql serve`")
    configure_logging()
    tracing.configure()  # per worker process: span exporters do not survive a fork
    return create_app(settings, settings.database_url)
