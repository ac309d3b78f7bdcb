"""Rolling windows and moving averages (TradingView Pine conventions: SMA-seeded ema/rma, null warm-up)."""

from __future__ import annotations

import math

import polars as pl

from shared.script.declarations import Category, EvalContext
from shared.script.functions import _shared as s
from shared.script.functions._shared import MAX_WEIGHTED_WINDOW, column, window

category = Category("window", "Moving averages and windows")

_X_N = (column(), window())


@category.function(
    args=_X_N,
    description="Sum of the last n values.",
    example="rolling_sum(volume, 5)",
)
def rolling_sum(ctx: EvalContext, x: pl.Expr, n: int) -> pl.Expr:
    return x.rolling_sum(n)


@category.function(
    args=_X_N,
    description="Highest of the last n values.",
    example="rolling_max(high, 20)",
    scale="args",
    synonyms=("highest",),
)
def rolling_max(ctx: EvalContext, x: pl.Expr, n: int) -> pl.Expr:
    return s.highest(x, n)


@category.function(
    args=_X_N,
    description="Lowest of the last n values.",
    example="rolling_min(low, 20)",
    scale="args",
    synonyms=("lowest",),
)
def rolling_min(ctx: EvalContext, x: pl.Expr, n: int) -> pl.Expr:
    return s.lowest(x, n)


@category.function(
    args=(column(), window(minimum=2)),
    description="Sample standard deviation (n − 1) of the last n values.",
    example="rolling_std(change_pct(close), 20)",
    scale="distance",
)
def rolling_std(ctx: EvalContext, x: pl.Expr, n: int) -> pl.Expr:
    return s.as_float(x).rolling_std(n, ddof=1)


@category.function(
    args=(column("cond"), window()),
    description="How many of the last n bars meet the condition (null counts as false).",
    example="rolling_count(close > open, 10)",
    returns="integer",
)
def rolling_count(ctx: EvalContext, cond: pl.Expr, n: int) -> pl.Expr:
    return s.truthy(cond).cast(pl.Int64).rolling_sum(n)


@category.function(
    args=_X_N,
    description="Simple moving average: the mean of the last n values (current bar included); null until n values.",
    example="sma(close, 50)",
    scale="args",
    aliases=("rolling_mean",),
    synonyms=("moving_average", "ma"),
)
def sma(ctx: EvalContext, x: pl.Expr, n: int) -> pl.Expr:
    return s.sma(x, n)


@category.function(
    args=_X_N,
    description="Exponential moving average, α = 2/(n+1), seeded with the SMA of the first n values (Pine ta.ema).",
    example="ema(close, 21)",
    scale="args",
    synonyms=("ewm", "ewma"),
)
def ema(ctx: EvalContext, x: pl.Expr, n: int) -> pl.Expr:
    return s.ema(x, n)


@category.function(
    args=(column(), window(maximum=MAX_WEIGHTED_WINDOW)),
    description="Linearly weighted moving average (weights 1…n, newest bar heaviest).",
    example="wma(close, 10)",
    scale="args",
)
def wma(ctx: EvalContext, x: pl.Expr, n: int) -> pl.Expr:
    return s.wma(x, n)


@category.function(
    args=(column(), window(minimum=2, maximum=MAX_WEIGHTED_WINDOW)),
    description="Hull moving average: wma(2·wma(col, n/2) − wma(col, n), √n).",
    example="hma(close, 20)",
    scale="args",
)
def hma(ctx: EvalContext, x: pl.Expr, n: int) -> pl.Expr:
    half = max(n // 2, 1)
    root = max(math.isqrt(n), 1)
    return s.wma(2 * s.wma(x, half) - s.wma(x, n), root)


@category.function(
    args=(window(default=20),),
    description="Volume-weighted moving average of close over n bars: Σ(close·volume) / Σ(volume).",
    example="vwma(20)",
    scale="level",
)
def vwma(ctx: EvalContext, n: int) -> pl.Expr:
    volume = s.as_float(s.col("volume"))
    return s.safe_div((s.col("close") * volume).rolling_sum(n), volume.rolling_sum(n))


@category.function(
    args=_X_N,
    description="Wilder's moving average, α = 1/n, seeded with the SMA of the first n values (Pine ta.rma).",
    example="rma(range(), 14)",
    scale="args",
)
def rma(ctx: EvalContext, x: pl.Expr, n: int) -> pl.Expr:
    return s.rma(x, n)
