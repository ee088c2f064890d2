"""Which PostgreSQL to use: DATABASE_URL, or the embedded server under VETQL_DATA_DIR."""

from __future__ import annotations

import os

from db import embedded
from server.settings import Settings


def database_url(settings: Settings) -> str:
    """The server to use; starts the embedded one (kept until this process exits) when none is configured.

    Exports DATABASE_URL so worker processes started from here use the same server.
    """
    if settings.database_url:
        return settings.database_url
    print(f"==> starting embedded PostgreSQL in {settings.data_dir}/pgdata", flush=True)
    url = embedded.start(settings.data_dir)
    os.environ["DATABASE_URL"] = url
    return url
