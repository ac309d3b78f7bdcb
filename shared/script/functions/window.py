"""Rolling windows and moving averages (TradingView Pine conventions: SMA-seeded ema/rma, null warm-up)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import polars as pl

from shared.script.declarations import Arg, Category, EvalContext, FunctionSpec
from shared.script.functions import _shared as s
from shared.script.functions._shared import MAX_WEIGHTED_WINDOW, column, window

category = Category("window", "Moving averages and windows")

_X_N = (column(), window())


def _rolling(
    name: str,
    compute: Callable[[pl.Expr, int], pl.Expr],
    description: str,
    example: str,
    args: tuple[Arg, ...] = _X_N,
    **declaration: Any,
) -> FunctionSpec:
    """``name(col, n)``: ``compute`` over the last n values of the column."""

    def impl(ctx: EvalContext, x: pl.Expr, n: int) -> pl.Expr:
        return compute(x, n)

    return category.function(name=name, args=args, description=description, example=example, **declaration)(
        impl
    )


def _rolling_extreme(
    name: str, word: str, source: str, compute: Callable[[pl.Expr, int], pl.Expr]
) -> FunctionSpec:
    """``rolling_max``/``rolling_min``: ``word`` (``Highest``) names the value and, in lower case, its synonym."""
    description = f"{word} of the last n values."
    example = f"{name}({source}, 20)"
    return _rolling(name, compute, description, example, scale="args", synonyms=(word.lower(),))


def _hull(x: pl.Expr, n: int) -> pl.Expr:
    half = max(n // 2, 1)
    root = max(math.isqrt(n), 1)
    return s.wma(2 * s.wma(x, half) - s.wma(x, n), root)


def _count(cond: pl.Expr, n: int) -> pl.Expr:
    return s.truthy(cond).cast(pl.Int64).rolling_sum(n)


rolling_sum = _rolling(
    "rolling_sum", lambda x, n: x.rolling_sum(n), "Sum of the last n values.", "rolling_sum(volume, 5)"
)
rolling_max = _rolling_extreme("rolling_max", "Highest", "high", s.highest)
rolling_min = _rolling_extreme("rolling_min", "Lowest", "low", s.lowest)
rolling_std = _rolling(
    "rolling_std",
    lambda x, n: s.as_float(x).rolling_std(n, ddof=1),
    "Sample standard deviation (n − 1) of the last n values.",
    "rolling_std(change_pct(close), 20)",
    (column(), window(minimum=2)),
    scale="distance",
)
rolling_count = _rolling(
    "rolling_count",
    _count,
    "How many of the last n bars meet the condition (null counts as false).",
    "rolling_count(close > open, 10)",
    (column("cond"), window()),
    returns="integer",
)
sma = _rolling(
    "sma",
    s.sma,
    "Simple moving average: the mean of the last n values (current bar included); null until n values.",
    "sma(close, 50)",
    scale="args",
    aliases=("rolling_mean",),
    synonyms=("moving_average", "ma"),
)
ema = _rolling(
    "ema",
    s.ema,
    "Exponential moving average, α = 2/(n+1), seeded with the SMA of the first n values (Pine ta.ema).",
    "ema(close, 21)",
    scale="args",
    synonyms=("ewm", "ewma"),
)
wma = _rolling(
    "wma",
    s.wma,
    "Linearly weighted moving average (weights 1…n, newest bar heaviest).",
    "wma(close, 10)",
    (column(), window(maximum=MAX_WEIGHTED_WINDOW)),
    scale="args",
)
hma = _rolling(
    "hma",
    _hull,
    "Hull moving average: wma(2·wma(col, n/2) − wma(col, n), √n).",
    "hma(close, 20)",
    (column(), window(minimum=2, maximum=MAX_WEIGHTED_WINDOW)),
    scale="args",
)


@category.function(
    args=(window(default=20),),
    description="Volume-weighted moving average of close over n bars: Σ(close·volume) / Σ(volume).",
    example="vwma(20)",
    scale="level",
)
def vwma(ctx: EvalContext, n: int) -> pl.Expr:
    volume = s.as_float(s.col("volume"))
    return s.safe_div((s.col("close") * volume).rolling_sum(n), volume.rolling_sum(n))


rma = _rolling(
    "rma",
    s.rma,
    "Wilder's moving average, α = 1/n, seeded with the SMA of the first n values (Pine ta.rma).",
    "rma(range(), 14)",
    scale="args",
)
