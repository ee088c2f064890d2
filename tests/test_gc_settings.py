"""The server keeps the garbage collector from pausing live delivery (see server/app.py `_quiet_gc`)."""

from __future__ import annotations

import gc

from server.app import GC_THRESHOLDS, create_app
from server.settings import Settings


async def test_server_start_freezes_the_startup_heap_and_raises_the_threshold(
    settings: Settings, database_url: str
) -> None:
    before = gc.get_threshold()
    app = create_app(settings.model_copy(update={"usage_rollup_seconds": 0}), database_url)
    try:
        async with app.router.lifespan_context(app):
            assert gc.get_threshold() == GC_THRESHOLDS and GC_THRESHOLDS[0] > before[0]
            assert gc.get_freeze_count() > 10_000  # modules, schema: out of every later collection
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
