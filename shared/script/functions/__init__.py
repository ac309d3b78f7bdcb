"""The Barb Script function library; importing this package fills ``shared.script.registry.REGISTRY``.

One module per category; each declares its functions with ``@function`` at import.
"""

from shared.script.functions import (
    aggregate,
    calendar,
    core,
    cumulative,
    lag,
    oscillators,
    pattern,
    price,
    session,
    time,
    trend,
    volatility,
    volume,
    window,
)

__all__ = [
    "aggregate",
    "calendar",
    "core",
    "cumulative",
    "lag",
    "oscillators",
    "pattern",
    "price",
    "session",
    "time",
    "trend",
    "volatility",
    "volume",
    "window",
]
