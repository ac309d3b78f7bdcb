"""Pattern functions over a sequence of bars: streaks, occurrences, ranks and pivots."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from shared.script import kernels
from shared.script.declarations import Arg, Category, EvalContext
from shared.script.functions._shared import MAX_WINDOW, as_float, col, column, truthy, window

category = Category("pattern", "Patterns")


def _row_index() -> pl.Expr:
    return pl.int_range(pl.len(), dtype=pl.Int64)


@category.function(
    args=(column("cond"),),
    description="Consecutive bars, up to and including this one, where the condition holds (0 when it does not).",
    example="streak(close > prev(close))",
    returns="integer",
)
def streak(ctx: EvalContext, cond: pl.Expr) -> pl.Expr:
    hit = truthy(cond)
    hits = hit.cast(pl.Int64).cum_sum()
    at_last_miss = pl.when(~hit).then(hits).forward_fill().fill_null(0)
    return hits - at_last_miss


@category.function(
    args=(column("cond"),),
    description="Bars since the condition was last true (0 on that bar); null before it first holds.",
    example="bars_since(volume > 1.5 * sma(volume, 20))",
    returns="integer",
)
def bars_since(ctx: EvalContext, cond: pl.Expr) -> pl.Expr:
    index = _row_index()
    return index - pl.when(truthy(cond)).then(index).forward_fill()


@category.function(
    args=(column(),),
    description="Percentile rank of the value within the whole column, in (0, 1] (ties averaged). Looks into the future.",
    example="rank(volume)",
    lookahead="Compare with a rolling window instead, e.g. `volume > rolling_max(prev(volume), 20)`.",
)
def rank(ctx: EvalContext, x: pl.Expr) -> pl.Expr:
    return pl.map_batches([x], _percentile_rank, return_dtype=pl.Float64)


def _percentile_rank(columns: Sequence[pl.Series]) -> pl.Series:
    """NumPy's sort for numbers (a null is missing; a float column holding NaN keeps Polars' NaN order)."""
    (x,) = columns
    if x.dtype.is_float() and not x.is_nan().any():
        return kernels.to_series(kernels.percentile_rank(kernels.to_array(x)))
    if x.dtype.is_integer() and x.dtype != pl.UInt64 and not x.null_count():
        return kernels.to_series(kernels.percentile_rank(x.cast(pl.Int64).to_numpy()))
    return x.rank("average") / x.count()


@category.function(
    args=(column(), window(default=1)),
    description="True when the value is above each of the previous n values (Pine ta.rising).",
    example="rising(close, 3)",
    returns="boolean",
)
def rising(ctx: EvalContext, x: pl.Expr, n: int) -> pl.Expr:
    return x > x.shift(1).rolling_max(n)


@category.function(
    args=(column(), window(default=1)),
    description="True when the value is below each of the previous n values (Pine ta.falling).",
    example="falling(close, 3)",
    returns="boolean",
)
def falling(ctx: EvalContext, x: pl.Expr, n: int) -> pl.Expr:
    return x < x.shift(1).rolling_min(n)


@category.function(
    args=(column("cond"), column(), Arg("n", "int", 0, min=0, max=MAX_WINDOW)),
    description="Value of col on the (n+1)-th most recent bar where the condition held (n=0: the latest, "
    "this bar included); null until then.",
    example="valuewhen(close > open, close, 0)",
    scale="args",
)
def valuewhen(ctx: EvalContext, cond: pl.Expr, x: pl.Expr, n: int) -> pl.Expr:
    hit = truthy(cond)
    occurrence = hit.cast(pl.Int64).cum_sum() - 1 - n
    values_on_hits = x.filter(hit)
    return values_on_hits.gather(pl.when(occurrence >= 0).then(occurrence))


def _pivot(source: str, n_left: int, n_right: int, higher: bool) -> pl.Expr:
    value = col(source)
    candidate = value.shift(n_right)
    left = value.shift(n_right + 1)
    if higher:
        is_pivot = (candidate > left.rolling_max(n_left)) & (candidate > value.rolling_max(n_right))
    else:
        is_pivot = (candidate < left.rolling_min(n_left)) & (candidate < value.rolling_min(n_right))
    return as_float(pl.when(is_pivot).then(candidate))


_PIVOT_ARGS = (window("n_left", 5), window("n_right", 5))


@category.function(
    args=_PIVOT_ARGS,
    description="A high strictly above the n_left highs before it and the n_right highs after it, reported on "
    "the bar that confirms it (n_right bars later, so no look-ahead); null elsewhere.",
    example="pivothigh(5, 5)",
    scale="level",
)
def pivothigh(ctx: EvalContext, n_left: int, n_right: int) -> pl.Expr:
    return _pivot("high", n_left, n_right, higher=True)


@category.function(
    args=_PIVOT_ARGS,
    description="A low strictly below the n_left lows before it and the n_right lows after it, reported on the "
    "confirming bar (n_right bars later); null elsewhere.",
    example="pivotlow(5, 5)",
    scale="level",
)
def pivotlow(ctx: EvalContext, n_left: int, n_right: int) -> pl.Expr:
    return _pivot("low", n_left, n_right, higher=False)
