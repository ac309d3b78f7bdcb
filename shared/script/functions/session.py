"""Session-anchored values: each resets at the session's first bar (``ctx.session_keys``: trade date × session).

``session_high``/``session_low``/``session_close`` are the session's final values, known only once it has ended:
they are look-ahead. ``session_open`` is known from the first bar on; the ``_sofar`` variants are running values.
"""

from __future__ import annotations

import polars as pl

from shared.script.declarations import Category, EvalContext
from shared.script.functions._shared import col, per_session

category = Category("session", "Session (reset at each session open)")


@category.function(
    description="Open of the session's first bar.",
    example="close - session_open()",
    scale="level",
)
def session_open(ctx: EvalContext) -> pl.Expr:
    return per_session(ctx, col("open").first())


@category.function(
    description="High of the whole session (its final value: looks into the future within the session).",
    example="high == session_high()",
    lookahead="Use `session_high_sofar()`: the session's high up to this bar.",
    scale="level",
)
def session_high(ctx: EvalContext) -> pl.Expr:
    return per_session(ctx, col("high").max())


@category.function(
    description="Low of the whole session (its final value: looks into the future within the session).",
    example="low == session_low()",
    lookahead="Use `session_low_sofar()`: the session's low up to this bar.",
    scale="level",
)
def session_low(ctx: EvalContext) -> pl.Expr:
    return per_session(ctx, col("low").min())


@category.function(
    description="Close of the session's last bar (looks into the future within the session).",
    example="session_close() - close",
    lookahead="Use `close` (this bar's close); compare with `session_open()` for the session so far.",
    scale="level",
)
def session_close(ctx: EvalContext) -> pl.Expr:
    return per_session(ctx, col("close").last())


@category.function(
    description="Highest high of the session up to and including this bar (no look-ahead).",
    example="high == session_high_sofar()",
    scale="level",
)
def session_high_sofar(ctx: EvalContext) -> pl.Expr:
    return per_session(ctx, col("high").cum_max())


@category.function(
    description="Lowest low of the session up to and including this bar (no look-ahead).",
    example="low == session_low_sofar()",
    scale="level",
)
def session_low_sofar(ctx: EvalContext) -> pl.Expr:
    return per_session(ctx, col("low").cum_min())
