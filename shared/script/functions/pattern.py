"""Pattern functions over a sequence of bars: streaks, occurrences, ranks and pivots."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

import polars as pl

from shared.script import kernels
from shared.script.declarations import Arg, Category, EvalContext, FunctionSpec
from shared.script.functions._shared import MAX_WINDOW, as_float, col, column, truthy, window

category = Category("pattern", "Patterns")


def _row_index() -> pl.Expr:
    return pl.int_range(pl.len(), dtype=pl.Int64)


def _bar_count(
    name: str, count: Callable[[pl.Expr], pl.Expr], description: str, example: str
) -> FunctionSpec:
    """``name(cond)``: a number of bars, counted by ``count`` from the condition (null read as false)."""

    def impl(ctx: EvalContext, cond: pl.Expr) -> pl.Expr:
        return count(truthy(cond))

    return category.function(
        name=name, args=(column("cond"),), description=description, example=example, returns="integer"
    )(impl)


def _streak(hit: pl.Expr) -> pl.Expr:
    hits = hit.cast(pl.Int64).cum_sum()
    at_last_miss = pl.when(~hit).then(hits).forward_fill().fill_null(0)
    return hits - at_last_miss


def _bars_since(hit: pl.Expr) -> pl.Expr:
    index = _row_index()
    return index - pl.when(hit).then(index).forward_fill()


streak = _bar_count(
    "streak",
    _streak,
    "Consecutive bars, up to and including this one, where the condition holds (0 when it does not).",
    "streak(close > prev(close))",
)
bars_since = _bar_count(
    "bars_since",
    _bars_since,
    "Bars since the condition was last true (0 on that bar); null before it first holds.",
    "bars_since(volume > 1.5 * sma(volume, 20))",
)


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


def _beyond_previous(name: str, higher: bool) -> FunctionSpec:
    """``rising``/``falling(col, n)``: the value is strictly above (below) each of the previous n values."""
    side = "above" if higher else "below"

    def impl(ctx: EvalContext, x: pl.Expr, n: int) -> pl.Expr:
        earlier = x.shift(1)
        return x > earlier.rolling_max(n) if higher else x < earlier.rolling_min(n)

    return category.function(
        name=name,
        args=(column(), window(default=1)),
        description=f"True when the value is {side} each of the previous n values (Pine ta.{name}).",
        example=f"{name}(close, 3)",
        returns="boolean",
    )(impl)


rising = _beyond_previous("rising", higher=True)
falling = _beyond_previous("falling", higher=False)


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


_PIVOT_ARGS = (window("n_left", 5), window("n_right", 5))


def _pivot(source: Literal["high", "low"], description: str) -> FunctionSpec:
    """``pivot<source>(n_left, n_right)``: a swing high of the highs (low of the lows), known n_right bars later."""
    name = f"pivot{source}"

    def impl(ctx: EvalContext, n_left: int, n_right: int) -> pl.Expr:
        value = col(source)
        candidate = value.shift(n_right)
        left = value.shift(n_right + 1)
        if source == "high":
            is_pivot = (candidate > left.rolling_max(n_left)) & (candidate > value.rolling_max(n_right))
        else:
            is_pivot = (candidate < left.rolling_min(n_left)) & (candidate < value.rolling_min(n_right))
        return as_float(pl.when(is_pivot).then(candidate))

    return category.function(
        name=name, args=_PIVOT_ARGS, description=description, example=f"{name}(5, 5)", scale="level"
    )(impl)


pivothigh = _pivot(
    "high",
    "A high strictly above the n_left highs before it and the n_right highs after it, reported on the bar that "
    "confirms it (n_right bars later, so no look-ahead); null elsewhere.",
)
pivotlow = _pivot(
    "low",
    "A low strictly below the n_left lows before it and the n_right lows after it, reported on the confirming "
    "bar (n_right bars later); null elsewhere.",
)
