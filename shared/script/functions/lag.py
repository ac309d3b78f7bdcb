"""Lag functions: values from earlier or later bars."""

from __future__ import annotations

import polars as pl

from shared.script.declarations import Category, EvalContext
from shared.script.functions._shared import column, window

category = Category("lag", "Lag")


@category.function(
    args=(column(), window(default=1)),
    description="Value n bars earlier; null on the first n bars.",
    example="prev(close)",
    scale="args",
    synonyms=("shift", "lag", "ref"),
)
def prev(ctx: EvalContext, x: pl.Expr, n: int) -> pl.Expr:
    return x.shift(n)


@category.function(
    args=(column(), window(default=1)),
    description="Value n bars later; null on the last n bars. Looks into the future.",
    example="next(close) - close",
    lookahead="Look back instead, e.g. `prev(close)`.",
    scale="args",
    synonyms=("lead",),
)
def next_(ctx: EvalContext, x: pl.Expr, n: int) -> pl.Expr:
    return x.shift(-n)
