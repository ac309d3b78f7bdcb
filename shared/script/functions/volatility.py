"""Volatility: true range, ATR, Bollinger, Keltner and Donchian channels (TradingView Pine conventions).

Both channel widths are in percent of the middle line, so ``bbands_width`` and ``kc_width`` compare directly.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl

from shared.script import kernels
from shared.script.declarations import Category, EvalContext
from shared.script.functions import _shared as s
from shared.script.functions._shared import col, column, multiplier, window

category = Category("volatility", "Volatility")

_BB_ARGS = (column(), window(default=20), multiplier(default=2.0))
_KC_ARGS = (window(default=20), multiplier(default=1.5))


def _bollinger(x: pl.Expr, n: int, mult: float, combine: Callable[..., np.ndarray]) -> pl.Expr:
    """``combine(x, middle, half_width)`` of the Bollinger bands, each computed once."""
    return s.kernel([x], lambda values: combine(values, *kernels.bollinger(values, n, mult)))


def _keltner(n: int, mult: float, combine: Callable[..., np.ndarray]) -> pl.Expr:
    """``combine(middle, half_width)`` of the Keltner channel, each computed once."""
    return s.kernel(s.hlc(), lambda high, low, close: combine(*kernels.keltner(high, low, close, n, mult)))


@category.function(
    description="True range: max(high − low, |high − previous close|, |low − previous close|); high − low on the "
    "first bar.",
    example="tr()",
    scale="distance",
)
def tr(ctx: EvalContext) -> pl.Expr:
    return s.true_range()


@category.function(
    args=(window(default=14),),
    description="Average true range: Wilder's average (rma) of tr() (Pine ta.atr); first value on bar n − 1.",
    example="atr(14)",
    scale="distance",
)
def atr(ctx: EvalContext, n: int) -> pl.Expr:
    return s.atr(n)


@category.function(
    args=(window(default=14),),
    description="ATR as a percentage of close.",
    example="natr(14) > 3",
)
def natr(ctx: EvalContext, n: int) -> pl.Expr:
    return s.kernel(
        s.hlc(),
        lambda high, low, close: 100 * kernels.divide(kernels.atr(high, low, close, n), close),
    )


@category.function(
    args=_BB_ARGS,
    description="Upper Bollinger band: sma(col, n) + mult · population standard deviation (Pine ta.bb).",
    example="close > bbands_upper(close, 20, 2)",
    scale="args",
)
def bbands_upper(ctx: EvalContext, x: pl.Expr, n: int, mult: float) -> pl.Expr:
    return _bollinger(x, n, mult, lambda values, middle, width: middle + width)


@category.function(
    args=_BB_ARGS,
    description="Lower Bollinger band: sma(col, n) − mult · population standard deviation.",
    example="close < bbands_lower(close, 20, 2)",
    scale="args",
)
def bbands_lower(ctx: EvalContext, x: pl.Expr, n: int, mult: float) -> pl.Expr:
    return _bollinger(x, n, mult, lambda values, middle, width: middle - width)


@category.function(
    args=(column(), window(default=20)),
    description="Middle Bollinger band: sma(col, n).",
    example="bbands_middle(close, 20)",
    scale="args",
)
def bbands_middle(ctx: EvalContext, x: pl.Expr, n: int) -> pl.Expr:
    return s.sma(x, n)


@category.function(
    args=_BB_ARGS,
    description="Bollinger band width in percent of the middle band: (upper − lower) / middle · 100 (Pine ta.bbw).",
    example="bbands_width(close, 20, 2) < 5",
)
def bbands_width(ctx: EvalContext, x: pl.Expr, n: int, mult: float) -> pl.Expr:
    return _bollinger(x, n, mult, lambda values, middle, width: 100 * kernels.divide(2 * width, middle))


@category.function(
    args=_BB_ARGS,
    description="Bollinger %B: (col − lower) / (upper − lower); 0 at the lower band, 1 at the upper.",
    example="bbands_pctb(close, 20, 2) > 1",
)
def bbands_pctb(ctx: EvalContext, x: pl.Expr, n: int, mult: float) -> pl.Expr:
    return _bollinger(
        x, n, mult, lambda values, middle, width: kernels.divide(values - (middle - width), 2 * width)
    )


@category.function(
    args=_KC_ARGS,
    description="Upper Keltner channel: ema(close, n) + mult · ema(tr(), n) (Pine ta.kc with true range).",
    example="close > kc_upper(20, 1.5)",
    scale="level",
)
def kc_upper(ctx: EvalContext, n: int, mult: float) -> pl.Expr:
    return _keltner(n, mult, lambda middle, width: middle + width)


@category.function(
    args=_KC_ARGS,
    description="Lower Keltner channel: ema(close, n) − mult · ema(tr(), n).",
    example="close < kc_lower(20, 1.5)",
    scale="level",
)
def kc_lower(ctx: EvalContext, n: int, mult: float) -> pl.Expr:
    return _keltner(n, mult, lambda middle, width: middle - width)


@category.function(
    args=(window(default=20),),
    description="Middle Keltner line: ema(close, n).",
    example="kc_middle(20)",
    scale="level",
)
def kc_middle(ctx: EvalContext, n: int) -> pl.Expr:
    return s.ema(col("close"), n)


@category.function(
    args=_KC_ARGS,
    description="Keltner channel width in percent of the middle line: (upper − lower) / middle · 100 "
    "(same unit as bbands_width).",
    example="bbands_width(close, 20, 2) < kc_width(20, 1.5)",
)
def kc_width(ctx: EvalContext, n: int, mult: float) -> pl.Expr:
    return _keltner(n, mult, lambda middle, width: 100 * kernels.divide(2 * width, middle))


@category.function(
    args=(window(default=20),),
    description="Donchian channel top: highest high of the last n bars (current included).",
    example="high >= donchian_upper(20)",
    scale="level",
)
def donchian_upper(ctx: EvalContext, n: int) -> pl.Expr:
    return s.highest(col("high"), n)


@category.function(
    args=(window(default=20),),
    description="Donchian channel bottom: lowest low of the last n bars (current included).",
    example="low <= donchian_lower(20)",
    scale="level",
)
def donchian_lower(ctx: EvalContext, n: int) -> pl.Expr:
    return s.lowest(col("low"), n)


@category.function(
    args=(window(default=20),),
    description="Donchian channel middle: (highest high + lowest low) / 2 over n bars.",
    example="close > donchian_middle(20)",
    scale="level",
)
def donchian_middle(ctx: EvalContext, n: int) -> pl.Expr:
    return (s.highest(col("high"), n) + s.lowest(col("low"), n)) / 2
