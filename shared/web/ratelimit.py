"""Per-user rate limits (sliding one-minute window).

State is per process: with N workers a user can reach at most N times the limit. That bounds cost
abuse well enough for a few workers; a shared limit would need the store on every request.
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict, deque

from shared.lazy import singleton
from shared.web.errors import ApiError

_WINDOW_S = 60.0


class RateLimiter:
    """Counts events per key in the last minute."""

    def __init__(self) -> None:
        self._events: defaultdict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def hit(self, key: str, per_minute: int, now: float | None = None) -> float | None:
        """Record one event; returns None if allowed, else the seconds until the next one is."""
        now = time.monotonic() if now is None else now
        with self._lock:
            events = self._events[key]
            while events and now - events[0] >= _WINDOW_S:
                events.popleft()
            if len(events) >= per_minute:
                return _WINDOW_S - (now - events[0])
            events.append(now)
            return None


@singleton
def rate_limiter() -> RateLimiter:
    """This process's rate limiter."""
    return RateLimiter()


def check_rate(user_id: str, bucket: str, per_minute: int) -> None:
    """429 ``RATE_LIMITED`` with ``Retry-After`` when ``user_id`` exceeded ``per_minute`` in ``bucket``."""
    wait = rate_limiter().hit(f"{bucket}:{user_id}", per_minute)
    if wait is not None:
        seconds = max(1, math.ceil(wait))
        raise ApiError(
            429,
            "RATE_LIMITED",
            f"Too many requests; try again in {seconds} s.",
            headers={"Retry-After": str(seconds)},
        )
