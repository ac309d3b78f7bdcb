"""Work that outlives its request (a chat answer whose client went away), tracked so that a graceful
shutdown waits for it instead of cutting an answer off before it is stored."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from shared.lazy import singleton

log = logging.getLogger("barb.background")


class BackgroundWork:
    """The tasks of this process that must finish even if nobody waits for them."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run ``work`` in its own task, keeping a reference until it ends (asyncio keeps only weak ones)."""
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def drain(self, timeout_s: float) -> int:
        """Wait up to ``timeout_s`` for running work, then cancel what is left; returns how many were cancelled."""
        running = [t for t in self._tasks if not t.done()]
        if not running:
            return 0
        log.info("waiting up to %.0f s for %d background task(s) to finish", timeout_s, len(running))
        _, pending = await asyncio.wait(running, timeout=timeout_s)
        for task in pending:
            task.cancel()
        if pending:
            log.warning("cancelled %d background task(s) still running at shutdown", len(pending))
        return len(pending)


@singleton
def background_work() -> BackgroundWork:
    """This process's background work."""
    return BackgroundWork()
