"""Running (cumulative) functions from the first bar."""

from __future__ import annotations

import polars as pl

from shared.script.declarations import Category, EvalContext
from shared.script.functions._shared import column

category = Category("cumulative", "Cumulative")


@category.function(
    args=(column(),),
    description="Highest value so far (nulls skipped).",
    example="cummax(high)",
    scale="args",
)
def cummax(ctx: EvalContext, x: pl.Expr) -> pl.Expr:
    return x.cum_max().forward_fill()


@category.function(
    args=(column(),),
    description="Lowest value so far (nulls skipped).",
    example="cummin(low)",
    scale="args",
)
def cummin(ctx: EvalContext, x: pl.Expr) -> pl.Expr:
    return x.cum_min().forward_fill()


@category.function(
    args=(column(),),
    description="Running sum (nulls skipped).",
    example="cumsum(change(close))",
)
def cumsum(ctx: EvalContext, x: pl.Expr) -> pl.Expr:
    return x.cum_sum().forward_fill()
