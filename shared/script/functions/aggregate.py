"""Aggregates: one value per group (``select``), or per table and broadcast to every row (``map``/``where``).

All are marked look-ahead: broadcast over a table, the value depends on every bar, later ones included.
"""

from __future__ import annotations

import polars as pl

from shared.script.functions._shared import as_float, column, probability, truthy
from shared.script.registry import EvalContext, function


def _aggregate(name: str, description: str, example: str, **declaration):
    """The declaration of an aggregate of one column (``declaration``: further :func:`function` arguments)."""
    return function(
        name,
        category="aggregate",
        args=(column(),),
        description=description,
        example=example,
        kind="aggregate",
        lookahead=True,
        **declaration,
    )


@_aggregate("mean", "Average (nulls skipped).", "mean(range())", scale="args", synonyms=("avg", "average"))
def mean(ctx: EvalContext, x: pl.Expr) -> pl.Expr:
    return as_float(x).mean()


@_aggregate("sum", "Total (nulls skipped; 0 for no rows).", "sum(volume)")
def sum_(ctx: EvalContext, x: pl.Expr) -> pl.Expr:
    return x.sum()


@_aggregate("max", "Largest value.", "max(high)", scale="args")
def max_(ctx: EvalContext, x: pl.Expr) -> pl.Expr:
    return x.max()


@_aggregate("min", "Smallest value.", "min(low)", scale="args")
def min_(ctx: EvalContext, x: pl.Expr) -> pl.Expr:
    return x.min()


@_aggregate("median", "Median (nulls skipped).", "median(volume)", scale="args")
def median(ctx: EvalContext, x: pl.Expr) -> pl.Expr:
    return as_float(x).median()


@_aggregate(
    "std",
    "Sample standard deviation (n − 1).",
    "std(change_pct(close))",
    scale="distance",
    synonyms=("stdev", "stddev"),
)
def std(ctx: EvalContext, x: pl.Expr) -> pl.Expr:
    return as_float(x).std(ddof=1)


@_aggregate("first", "Value on the first row.", "first(open)", scale="args")
def first(ctx: EvalContext, x: pl.Expr) -> pl.Expr:
    return x.first()


@_aggregate("last", "Value on the last row.", "last(close)", scale="args")
def last(ctx: EvalContext, x: pl.Expr) -> pl.Expr:
    return x.last()


@function(
    "count",
    category="aggregate",
    description="Number of rows.",
    example="count()",
    kind="aggregate",
    returns="integer",
    lookahead=True,
)
def count(ctx: EvalContext) -> pl.Expr:
    return pl.len().cast(pl.Int64)


@function(
    "pct",
    category="aggregate",
    args=(column("cond"),),
    description="Percentage (0–100) of rows where the condition is true; null counts as false.",
    example="pct(close > open)",
    kind="aggregate",
    lookahead=True,
)
def pct(ctx: EvalContext, cond: pl.Expr) -> pl.Expr:
    return truthy(cond).cast(pl.Float64).mean() * 100


@function(
    "percentile",
    category="aggregate",
    args=(column(), probability()),
    description="The p-quantile (p in 0…1, linear interpolation): percentile(col, 0.9) is the 90th percentile.",
    example="percentile(range(), 0.9)",
    kind="aggregate",
    lookahead=True,
    scale="args",
    synonyms=("quantile",),
)
def percentile(ctx: EvalContext, x: pl.Expr, p: float) -> pl.Expr:
    return as_float(x).quantile(p, interpolation="linear")


@function(
    "correlation",
    category="aggregate",
    args=(column("a"), column("b")),
    description="Pearson correlation of a and b over rows where both are present.",
    example="correlation(change_pct(close), change_pct(volume))",
    kind="aggregate",
    lookahead=True,
    synonyms=("corr",),
)
def correlation(ctx: EvalContext, a: pl.Expr, b: pl.Expr) -> pl.Expr:
    both = a.is_not_null() & b.is_not_null()
    return pl.corr(as_float(a).filter(both), as_float(b).filter(both))
