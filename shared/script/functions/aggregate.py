"""Aggregates: one value per group (``select``), or per table and broadcast to every row (``map``/``where``).

All are look-ahead: broadcast over a table, the value depends on every bar, later ones included; each declares
what a trading rule uses instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from shared.script.declarations import Category, EvalContext, FunctionSpec, Implementation
from shared.script.functions._shared import as_float, column, probability, truthy

category = Category("aggregate", "Aggregates (select, or broadcast in map/where over the period)")


def _aggregate(
    description: str, example: str, instead: str, **declaration: Any
) -> Callable[[Implementation], FunctionSpec]:
    """The declaration of an aggregate of one column; ``instead`` is what a trading rule uses in its place."""
    return category.function(
        args=(column(),),
        description=description,
        example=example,
        kind="aggregate",
        lookahead=instead,
        **declaration,
    )


@_aggregate(
    "Average (nulls skipped).",
    "mean(range())",
    "Use a rolling window: `rolling_mean(x, 20)` or `sma(x, 20)`.",
    scale="args",
    synonyms=("avg", "average"),
)
def mean(ctx: EvalContext, x: pl.Expr) -> pl.Expr:
    return as_float(x).mean()


@_aggregate(
    "Total (nulls skipped; 0 for no rows).",
    "sum(volume)",
    "Use `rolling_sum(x, n)` or `cumsum(x)`.",
)
def sum_(ctx: EvalContext, x: pl.Expr) -> pl.Expr:
    return x.sum()


@_aggregate("Largest value.", "max(high)", "Use `rolling_max(x, n)` or `cummax(x)`.", scale="args")
def max_(ctx: EvalContext, x: pl.Expr) -> pl.Expr:
    return x.max()


@_aggregate("Smallest value.", "min(low)", "Use `rolling_min(x, n)` or `cummin(x)`.", scale="args")
def min_(ctx: EvalContext, x: pl.Expr) -> pl.Expr:
    return x.min()


@_aggregate(
    "Median (nulls skipped).",
    "median(volume)",
    "Use a rolling window such as `rolling_mean(x, 20)`.",
    scale="args",
)
def median(ctx: EvalContext, x: pl.Expr) -> pl.Expr:
    return as_float(x).median()


@_aggregate(
    "Sample standard deviation (n − 1).",
    "std(change_pct(close))",
    "Use `rolling_std(x, n)`.",
    scale="distance",
    synonyms=("stdev", "stddev"),
)
def std(ctx: EvalContext, x: pl.Expr) -> pl.Expr:
    return as_float(x).std(ddof=1)


@_aggregate("Value on the first row.", "first(open)", "Use `prev(x, n)` or `session_open()`.", scale="args")
def first(ctx: EvalContext, x: pl.Expr) -> pl.Expr:
    return x.first()


@_aggregate(
    "Value on the last row.", "last(close)", "Use the column itself: it is this bar's value.", scale="args"
)
def last(ctx: EvalContext, x: pl.Expr) -> pl.Expr:
    return x.last()


@category.function(
    description="Number of rows.",
    example="count()",
    kind="aggregate",
    returns="integer",
    lookahead="Use `rolling_count(cond, n)`.",
)
def count(ctx: EvalContext) -> pl.Expr:
    return pl.len().cast(pl.Int64)


@category.function(
    args=(column("cond"),),
    description="Percentage (0–100) of rows where the condition is true; null counts as false.",
    example="pct(close > open)",
    kind="aggregate",
    lookahead="Use `rolling_mean(cond, n) * 100` over a window of past bars.",
)
def pct(ctx: EvalContext, cond: pl.Expr) -> pl.Expr:
    return truthy(cond).cast(pl.Float64).mean() * 100


@category.function(
    args=(column(), probability()),
    description="The p-quantile (p in 0…1, linear interpolation): percentile(col, 0.9) is the 90th percentile.",
    example="percentile(range(), 0.9)",
    kind="aggregate",
    lookahead="Compare with a rolling window of past bars instead, e.g. `rolling_max(x, 20)`.",
    scale="args",
    synonyms=("quantile",),
)
def percentile(ctx: EvalContext, x: pl.Expr, p: float) -> pl.Expr:
    return as_float(x).quantile(p, interpolation="linear")


@category.function(
    args=(column("a"), column("b")),
    description="Pearson correlation of a and b over rows where both are present.",
    example="correlation(change_pct(close), change_pct(volume))",
    kind="aggregate",
    lookahead="Compute it over past bars in a query and use the number it gives in the rule.",
    synonyms=("corr",),
)
def correlation(ctx: EvalContext, a: pl.Expr, b: pl.Expr) -> pl.Expr:
    both = a.is_not_null() & b.is_not_null()
    return pl.corr(as_float(a).filter(both), as_float(b).filter(both))
