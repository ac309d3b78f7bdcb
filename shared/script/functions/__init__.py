"""The Barb Script function library: one module per :class:`~shared.script.registry.Category`.

Each module declares its functions on its ``category``; :data:`CATEGORIES` lists them in the order the
references (the model's tool text, ``docs/functions.md``) present them. ``shared.script.registry.library()``
reads this tuple; nothing else does.
"""

from shared.script.declarations import Category
from shared.script.functions import (
    aggregate,
    calendar,
    core,
    cumulative,
    events,
    lag,
    oscillators,
    pattern,
    price,
    series,
    session,
    time,
    trend,
    volatility,
    volume,
    window,
)

CATEGORIES: tuple[Category, ...] = tuple(
    module.category
    for module in (
        core,
        lag,
        window,
        cumulative,
        pattern,
        aggregate,
        time,
        calendar,
        events,
        price,
        oscillators,
        volatility,
        trend,
        volume,
        session,
        series,
    )
)

__all__ = ["CATEGORIES"]
