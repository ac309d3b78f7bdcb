"""Trend indicators: MACD, directional movement (DMI/ADX), SuperTrend and Parabolic SAR (TradingView Pine)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl

from shared.script import kernels
from shared.script.functions import _shared as s
from shared.script.functions._shared import col, column, multiplier, window
from shared.script.registry import Arg, EvalContext, function

_MACD_ARGS = (column(), window("fast", 12), window("slow", 26))
_SIGNAL_ARGS = (*_MACD_ARGS, window("sig", 9))


def _macd(x: pl.Expr, fast: int, slow: int) -> pl.Expr:
    return s.ema(x, fast) - s.ema(x, slow)


@function(
    "macd",
    category="trend",
    args=_MACD_ARGS,
    description="MACD line: ema(x, fast) − ema(x, slow); first value on bar slow − 1.",
    example="macd(close, 12, 26) > 0",
)
def macd(ctx: EvalContext, x: pl.Expr, fast: int, slow: int) -> pl.Expr:
    return _macd(x, fast, slow)


@function(
    "macd_signal",
    category="trend",
    args=_SIGNAL_ARGS,
    description="MACD signal line: ema(macd, sig).",
    example="crossover(macd(close, 12, 26), macd_signal(close, 12, 26, 9))",
)
def macd_signal(ctx: EvalContext, x: pl.Expr, fast: int, slow: int, sig: int) -> pl.Expr:
    return s.ema(_macd(x, fast, slow), sig)


@function(
    "macd_hist",
    category="trend",
    args=_SIGNAL_ARGS,
    description="MACD histogram: macd − signal.",
    example="macd_hist(close, 12, 26, 9) > 0",
)
def macd_hist(ctx: EvalContext, x: pl.Expr, fast: int, slow: int, sig: int) -> pl.Expr:
    line = _macd(x, fast, slow)
    return line - s.ema(line, sig)


def _directional(n: int) -> tuple[pl.Expr, pl.Expr]:
    """+DI and −DI (Pine ``ta.dmi``): Wilder averages of directional movement over those of the true range.

    The first bar has no previous bar, so its movement and true range are null; DI starts on bar n.
    """
    up = col("high").diff()
    down = -col("low").diff()
    plus_dm = pl.when(up.is_not_null()).then(pl.when((up > down) & (up > 0)).then(up).otherwise(0.0))
    minus_dm = pl.when(down.is_not_null()).then(pl.when((down > up) & (down > 0)).then(down).otherwise(0.0))
    true_range = s.rma(s.true_range(first_bar_range=False), n)
    return (
        100 * s.safe_div(s.rma(plus_dm, n), true_range),
        100 * s.safe_div(s.rma(minus_dm, n), true_range),
    )


@function(
    "plus_di",
    category="trend",
    args=(window(default=14),),
    description="Plus directional indicator (+DI): upward directional movement as a percentage of the true range, Wilder-averaged over n bars.",
    example="plus_di(14) > minus_di(14)",
)
def plus_di(ctx: EvalContext, n: int) -> pl.Expr:
    return _directional(n)[0]


@function(
    "minus_di",
    category="trend",
    args=(window(default=14),),
    description="Minus directional indicator (−DI): downward directional movement as a percentage of the true range, Wilder-averaged.",
    example="minus_di(14)",
)
def minus_di(ctx: EvalContext, n: int) -> pl.Expr:
    return _directional(n)[1]


@function(
    "adx",
    category="trend",
    args=(window(default=14),),
    description="Average Directional Index: rma of 100·|+DI − −DI| / (+DI + −DI) over n bars (Pine ta.dmi(n, n)).",
    example="adx(14) > 25",
)
def adx(ctx: EvalContext, n: int) -> pl.Expr:
    plus, minus = _directional(n)
    total = plus + minus
    return 100 * s.rma((plus - minus).abs() / pl.when(total == 0).then(1.0).otherwise(total), n)


def _series_kernel(inputs: list[pl.Expr], kernel: Callable[..., np.ndarray]) -> pl.Expr:
    """Run a NumPy kernel over whole columns (NaN marks a missing value both ways)."""

    def run(series: list[pl.Series]) -> pl.Series:
        arrays = [item.cast(pl.Float64).fill_null(np.nan).to_numpy() for item in series]
        return pl.Series(kernel(*arrays), dtype=pl.Float64)

    return pl.map_batches(inputs, run, return_dtype=pl.Float64).fill_nan(None)


_SUPERTREND_ARGS = (window(default=10), multiplier(default=3.0))


def _supertrend(n: int, mult: float, part: int) -> pl.Expr:
    hl2 = (col("high") + col("low")) / 2
    return _series_kernel(
        [hl2, s.atr(n), col("close")],
        lambda mid, atr, close: kernels.supertrend(mid, atr, close, mult)[part],
    )


@function(
    "supertrend",
    category="trend",
    args=_SUPERTREND_ARGS,
    description="SuperTrend line: a trailing band at hl2 ∓ mult·atr(n) below price in an uptrend, above it in a "
    "downtrend (Pine ta.supertrend(mult, n)).",
    example="close > supertrend(10, 3)",
)
def supertrend(ctx: EvalContext, n: int, mult: float) -> pl.Expr:
    return _supertrend(n, mult, 0)


@function(
    "supertrend_dir",
    category="trend",
    args=_SUPERTREND_ARGS,
    description="SuperTrend direction: 1 = uptrend, −1 = downtrend.",
    example="supertrend_dir(10, 3) == 1",
    returns="integer",
)
def supertrend_dir(ctx: EvalContext, n: int, mult: float) -> pl.Expr:
    return _supertrend(n, mult, 1).cast(pl.Int64)


@function(
    "sar",
    category="trend",
    args=(
        Arg("accel", "number", 0.02, min=0.001, max=1.0),
        Arg("max_accel", "number", 0.2, min=0.001, max=1.0),
    ),
    description="Parabolic SAR with acceleration start and step `accel`, capped at `max_accel` (Pine "
    "ta.sar(accel, accel, max_accel)); null on the first bar.",
    example="close > sar(0.02, 0.2)",
)
def sar(ctx: EvalContext, accel: float, max_accel: float) -> pl.Expr:
    return _series_kernel(
        [col("high"), col("low"), col("close")],
        lambda high, low, close: kernels.parabolic_sar(high, low, close, accel, accel, max_accel),
    )
