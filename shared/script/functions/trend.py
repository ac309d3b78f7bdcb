"""Trend indicators: MACD, directional movement (DMI/ADX), SuperTrend and Parabolic SAR (TradingView Pine)."""

from __future__ import annotations

import polars as pl

from shared.script import kernels
from shared.script.declarations import Arg, Category, EvalContext, FunctionSpec
from shared.script.functions import _shared as s
from shared.script.functions._shared import MIN_MULTIPLIER, column, multiplier, window

category = Category("trend", "Trend")

_MACD_ARGS = (column(), window("fast", 12), window("slow", 26))
_SIGNAL_ARGS = (*_MACD_ARGS, window("sig", 9))


@category.function(
    args=_MACD_ARGS,
    description="MACD line: ema(col, fast) − ema(col, slow); first value on bar slow − 1.",
    example="macd(close, 12, 26) > 0",
    scale="distance",
)
def macd(ctx: EvalContext, x: pl.Expr, fast: int, slow: int) -> pl.Expr:
    return s.kernel([x], lambda values: kernels.macd_line(values, fast, slow))


def _macd_part(name: str, part: int, description: str, example: str) -> FunctionSpec:
    """``name(col, fast, slow, sig)``: part 1 (signal) or 2 (histogram) of the MACD."""

    def impl(ctx: EvalContext, x: pl.Expr, fast: int, slow: int, sig: int) -> pl.Expr:
        return s.kernel([x], lambda values: kernels.macd(values, fast, slow, sig)[part])

    return category.function(
        name=name, args=_SIGNAL_ARGS, description=description, example=example, scale="distance"
    )(impl)


macd_signal = _macd_part(
    "macd_signal",
    1,
    "MACD signal line: ema(macd, sig).",
    "crossover(macd(close, 12, 26), macd_signal(close, 12, 26, 9))",
)
macd_hist = _macd_part("macd_hist", 2, "MACD histogram: macd − signal.", "macd_hist(close, 12, 26, 9) > 0")


def _directional(name: str, part: int, description: str, example: str) -> FunctionSpec:
    """``name(n=14)``: part 0 (+DI), 1 (−DI) or 2 (ADX) of the directional movement system."""

    def impl(ctx: EvalContext, n: int) -> pl.Expr:
        return s.kernel(s.hlc(), lambda high, low, close: kernels.directional(high, low, close, n)[part])

    return category.function(name=name, args=(window(default=14),), description=description, example=example)(
        impl
    )


plus_di = _directional(
    "plus_di",
    0,
    "Plus directional indicator (+DI): upward directional movement as a percentage of the true range, "
    "Wilder-averaged over n bars.",
    "plus_di(14) > minus_di(14)",
)
minus_di = _directional(
    "minus_di",
    1,
    "Minus directional indicator (−DI): downward directional movement as a percentage of the true range, "
    "Wilder-averaged.",
    "minus_di(14)",
)
adx = _directional(
    "adx",
    2,
    "Average Directional Index: rma of 100·|+DI − −DI| / (+DI + −DI) over n bars (Pine ta.dmi(n, n)).",
    "adx(14) > 25",
)


_SUPERTREND_ARGS = (window(default=10), multiplier(default=3.0))


def _supertrend(n: int, mult: float, part: int) -> pl.Expr:
    return s.kernel(s.hlc(), lambda high, low, close: kernels.supertrend(high, low, close, n, mult)[part])


@category.function(
    args=_SUPERTREND_ARGS,
    description="SuperTrend line: a trailing band at hl2 ∓ mult·atr(n) below price in an uptrend, above it in a "
    "downtrend (Pine ta.supertrend(mult, n)).",
    example="close > supertrend(10, 3)",
    scale="level",
)
def supertrend(ctx: EvalContext, n: int, mult: float) -> pl.Expr:
    return _supertrend(n, mult, 0)


@category.function(
    args=_SUPERTREND_ARGS,
    description="SuperTrend direction: 1 = uptrend, −1 = downtrend.",
    example="supertrend_dir(10, 3) == 1",
    returns="integer",
)
def supertrend_dir(ctx: EvalContext, n: int, mult: float) -> pl.Expr:
    return _supertrend(n, mult, 1).cast(pl.Int64)


@category.function(
    args=(
        Arg("accel", "number", 0.02, min=MIN_MULTIPLIER, max=1.0),
        Arg("max_accel", "number", 0.2, min=MIN_MULTIPLIER, max=1.0),
    ),
    description="Parabolic SAR with acceleration start and step `accel`, capped at `max_accel` (Pine "
    "ta.sar(accel, accel, max_accel)); null on the first bar.",
    example="close > sar(0.02, 0.2)",
    scale="level",
)
def sar(ctx: EvalContext, accel: float, max_accel: float) -> pl.Expr:
    return s.kernel(
        s.hlc(), lambda high, low, close: kernels.parabolic_sar(high, low, close, accel, accel, max_accel)
    )
