"""Calling a Mangum handler the way the Lambda runtime does."""

from __future__ import annotations

import asyncio
import threading
from typing import Any


def call_handler(handler: Any, event: dict[str, Any], context: Any) -> dict[str, Any]:
    """``handler(event, context)`` on a thread of its own with a fresh event loop.

    Mangum runs each event on ``asyncio.get_event_loop()``, which a Lambda process's main thread creates on
    first use. A test process's main thread may no longer do so (``asyncio.run`` elsewhere leaves it without
    one), so each call gets the clean state it has in Lambda.
    """
    out: dict[str, Any] = {}

    def run() -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            out["result"] = handler(event, context)
        except BaseException as exc:  # re-raised on the caller's thread
            out["error"] = exc
        finally:
            loop.close()

    thread = threading.Thread(target=run, name="lambda-invoke")
    thread.start()
    thread.join()
    if "error" in out:
        raise out["error"]
    return out["result"]
