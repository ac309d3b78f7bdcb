"""Explicit lazy singletons: the only process-wide state Barb keeps (clients, settings, the store).

``@singleton`` builds the value on first use and keeps it; ``reset_singletons()`` drops them all, which tests
use after changing the environment.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
_ALL: list[functools._lru_cache_wrapper[Any]] = []


def singleton(factory: Callable[[], T]) -> Callable[[], T]:
    """Cache the result of a zero-argument factory for the life of the process (until reset)."""
    cached = functools.lru_cache(maxsize=1)(factory)
    _ALL.append(cached)
    return cached


def reset_singletons() -> None:
    """Forget every singleton so the next use rebuilds it from the current settings."""
    for cached in _ALL:
        cached.cache_clear()
