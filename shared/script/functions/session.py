"""Session-anchored values: each resets at the session's first bar (``ctx.session_keys``: trade date × session).

``session_high``/``session_low``/``session_close`` are the session's final values, known only once it has ended:
they are look-ahead. ``session_open`` is known from the first bar on; the ``_sofar`` variants are running values.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from shared.script.declarations import Category, EvalContext, FunctionSpec
from shared.script.functions._shared import col, per_session

category = Category("session", "Session (reset at each session open)")


def _session_level(
    name: str, value: pl.Expr, description: str, example: str, **declaration: Any
) -> FunctionSpec:
    """A price level of the session: ``value`` computed over each session's bars."""

    def impl(ctx: EvalContext) -> pl.Expr:
        return per_session(ctx, value)

    return category.function(
        name=name, description=description, example=example, scale="level", **declaration
    )(impl)


session_open = _session_level(
    "session_open", col("open").first(), "Open of the session's first bar.", "close - session_open()"
)
session_high = _session_level(
    "session_high",
    col("high").max(),
    "High of the whole session (its final value: looks into the future within the session).",
    "high == session_high()",
    lookahead="Use `session_high_sofar()`: the session's high up to this bar.",
)
session_low = _session_level(
    "session_low",
    col("low").min(),
    "Low of the whole session (its final value: looks into the future within the session).",
    "low == session_low()",
    lookahead="Use `session_low_sofar()`: the session's low up to this bar.",
)
session_close = _session_level(
    "session_close",
    col("close").last(),
    "Close of the session's last bar (looks into the future within the session).",
    "session_close() - close",
    lookahead="Use `close` (this bar's close); compare with `session_open()` for the session so far.",
)
session_high_sofar = _session_level(
    "session_high_sofar",
    col("high").cum_max(),
    "Highest high of the session up to and including this bar (no look-ahead).",
    "high == session_high_sofar()",
)
session_low_sofar = _session_level(
    "session_low_sofar",
    col("low").cum_min(),
    "Lowest low of the session up to and including this bar (no look-ahead).",
    "low == session_low_sofar()",
)
