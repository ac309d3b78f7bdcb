"""Aggregates: one value per group (``select``), or per table and broadcast to every row (``map``/``where``).

All are look-ahead: broadcast over a table, the value depends on every bar, later ones included; each declares
what a trading rule uses instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from shared.script.declarations import Category, EvalContext, FunctionSpec
from shared.script.functions._shared import as_float, column, probability, truthy

category = Category("aggregate", "Aggregates (select, or broadcast in map/where over the period)")


def _aggregate(
    name: str,
    description: str,
    example: str,
    compute: Callable[[pl.Expr], pl.Expr],
    *,
    lookahead: str,
    **declaration: Any,
) -> FunctionSpec:
    """``name(col)``: ``compute`` over the column; ``lookahead`` is what a trading rule uses in its place."""

    def impl(ctx: EvalContext, x: pl.Expr) -> pl.Expr:
        return compute(x)

    return category.function(
        name=name,
        args=(column(),),
        description=description,
        example=example,
        kind="aggregate",
        lookahead=lookahead,
        **declaration,
    )(impl)


def _central(
    name: str,
    description: str,
    example: str,
    center: Callable[[pl.Expr], pl.Expr],
    instead: str,
    **declaration: Any,
) -> FunctionSpec:
    """``mean``/``median``: the center of the column read as floats, on the column's own scale."""
    return _aggregate(
        name,
        description,
        example,
        lambda x: center(as_float(x)),
        lookahead=instead,
        scale="args",
        **declaration,
    )


def _extreme(name: str, value: str, source: str, compute: Callable[[pl.Expr], pl.Expr]) -> FunctionSpec:
    """``max``/``min``: its rolling and running counterparts are ``rolling_<name>`` and ``cum<name>``."""
    instead = f"Use `rolling_{name}(x, n)` or `cum{name}(x)`."
    return _aggregate(name, f"{value} value.", f"{name}({source})", compute, lookahead=instead, scale="args")


def _row_value(name: str, source: str, compute: Callable[[pl.Expr], pl.Expr], instead: str) -> FunctionSpec:
    """``first``/``last``: the value on that row of the group or table."""
    description = f"Value on the {name} row."
    return _aggregate(name, description, f"{name}({source})", compute, lookahead=instead, scale="args")


mean = _central(
    "mean",
    "Average (nulls skipped).",
    "mean(range())",
    pl.Expr.mean,
    "Use a rolling window: `rolling_mean(x, 20)` or `sma(x, 20)`.",
    synonyms=("avg", "average"),
)
sum_ = _aggregate(
    "sum",
    "Total (nulls skipped; 0 for no rows).",
    "sum(volume)",
    lambda x: x.sum(),
    lookahead="Use `rolling_sum(x, n)` or `cumsum(x)`.",
)
max_ = _extreme("max", "Largest", "high", pl.Expr.max)
min_ = _extreme("min", "Smallest", "low", pl.Expr.min)
median = _central(
    "median",
    "Median (nulls skipped).",
    "median(volume)",
    pl.Expr.median,
    "Use a rolling window such as `rolling_mean(x, 20)`.",
)
std = _aggregate(
    "std",
    "Sample standard deviation (n − 1).",
    "std(change_pct(close))",
    lambda x: as_float(x).std(ddof=1),
    lookahead="Use `rolling_std(x, n)`.",
    scale="distance",
    synonyms=("stdev", "stddev"),
)
first = _row_value("first", "open", pl.Expr.first, "Use `prev(x, n)` or `session_open()`.")
last = _row_value("last", "close", pl.Expr.last, "Use the column itself: it is this bar's value.")


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


@category.function(
    args=(column("a"), column("b")),
    description="Beta of a on b: cov(a, b) / var(b) (sample moments) over rows where both are present, e.g. "
    "NQ's daily returns on ES's.",
    example="beta(change_pct(close), change_pct(on('NQ', close)))",
    kind="aggregate",
    lookahead="Use rolling_beta(a, b, n), which looks back only.",
)
def beta(ctx: EvalContext, a: pl.Expr, b: pl.Expr) -> pl.Expr:
    both = a.is_not_null() & b.is_not_null()
    x, y = as_float(a).filter(both), as_float(b).filter(both)
    variance = y.var(ddof=1)
    return pl.when(variance != 0).then(pl.cov(x, y, ddof=1) / variance).otherwise(None)
