"""What ``GET /health`` checks in every function: the store, the bar bucket and the model's configuration.

The web layer knows only the shape of a check (``shared.web.health.Check``); each function hands these to
``build_app``, so the web layer imports neither the store nor the bars.
"""

from __future__ import annotations

from anyio import to_thread

from shared.bars import get_bar_store
from shared.settings import get_settings
from shared.store import get_store

CheckOutcome = tuple[str, str | None]
"""``(status, reason)``: ``ok``, ``degraded`` (the service stays up) or ``down``."""


async def store() -> CheckOutcome:
    """The conversation store answers."""
    await get_store().ping()
    return "ok", None


async def bucket() -> CheckOutcome:
    """The bar store can read its manifest, and no cached file is damaged."""
    return await to_thread.run_sync(get_bar_store().health)


async def llm() -> CheckOutcome:
    """The model is configured (without it queries still work, the chat does not)."""
    if get_settings().llm_configured:
        return "ok", None
    return "degraded", "ANTHROPIC_API_KEY is not set: the chat cannot answer (queries still work)"


SERVICE_CHECKS = {"store": store, "bucket": bucket, "llm": llm}
"""The checks every function's ``/health`` runs, in the order it reports them."""
