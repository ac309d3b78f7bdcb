"""Per-user rate limits (a sliding one-minute window) that hold across workers and instances.

The count lives in the store (``Store.take_rate``), so two uvicorn workers or many Lambda instances share one
limit per user, at the cost of one store round trip per limited request.
"""

from __future__ import annotations

import math

from shared.errors import BarbError
from shared.store import get_store


async def check_rate(user_id: str, bucket: str, per_minute: int) -> None:
    """429 ``RATE_LIMITED`` with ``Retry-After`` when ``user_id`` exceeded ``per_minute`` in ``bucket``."""
    wait = await get_store().take_rate(user_id, bucket, per_minute)
    if wait is not None:
        seconds = max(1, math.ceil(wait))
        raise BarbError(
            429,
            "RATE_LIMITED",
            f"Too many requests; try again in {seconds} s.",
            headers={"Retry-After": str(seconds)},
        )
