"""Ends every live stream as soon as the server is told to stop, before uvicorn starts waiting for them.

uvicorn closes WebSockets with 1012 on SIGTERM/SIGINT, but HTTP streams (SSE,
multipart) only end when the application ends them: without this they ran
until the graceful-shutdown timeout and were cancelled mid-body. The signal
handler uvicorn installed keeps running; this one first tells the hub.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

from server.live.feeds import LiveHub

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def end_streams_on_exit_signals(hub: LiveHub) -> Callable[[], None]:
    """Chain a handler in front of the current SIGINT/SIGTERM handlers; returns what undoes it."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    loop = asyncio.get_running_loop()
    previous: dict[int, Any] = {}

    def handler(signum: int, frame: FrameType | None) -> None:
        loop.call_soon_threadsafe(hub.shut_down)
        before = previous.get(signum)
        if callable(before):
            before(signum, frame)
        elif before == signal.SIG_DFL and signum == signal.SIGINT:
            raise KeyboardInterrupt

    for sig in _SIGNALS:
        previous[sig] = signal.getsignal(sig)
        signal.signal(sig, handler)

    def restore() -> None:
        for sig, before in previous.items():
            if signal.getsignal(sig) is handler:
                signal.signal(sig, before)

    return restore
