"""Volatility: true range, ATR, Bollinger, Keltner and Donchian channels (TradingView Pine conventions).

Both channel widths are in percent of the middle line, so ``bbands_width`` and ``kc_width`` compare directly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl

from shared.script import kernels
from shared.script.declarations import Category, EvalContext, FunctionSpec, Scale
from shared.script.functions import _shared as s
from shared.script.functions._shared import col, column, multiplier, window

category = Category("volatility", "Volatility")

_BB_ARGS = (column(), window(default=20), multiplier(default=2.0))
_KC_ARGS = (window(default=20), multiplier(default=1.5))


def _bollinger(
    name: str, combine: Callable[..., np.ndarray], description: str, example: str, **declaration: Any
) -> FunctionSpec:
    """``name(col, n, mult)``: ``combine(col, middle, half_width)`` of the Bollinger bands, each computed once."""

    def impl(ctx: EvalContext, x: pl.Expr, n: int, mult: float) -> pl.Expr:
        return s.kernel([x], lambda values: combine(values, *kernels.bollinger(values, n, mult)))

    return category.function(
        name=name, args=_BB_ARGS, description=description, example=example, **declaration
    )(impl)


def _keltner(
    name: str, combine: Callable[..., np.ndarray], description: str, example: str, **declaration: Any
) -> FunctionSpec:
    """``name(n, mult)``: ``combine(middle, half_width)`` of the Keltner channel, each computed once."""

    def impl(ctx: EvalContext, n: int, mult: float) -> pl.Expr:
        return s.kernel(
            s.hlc(), lambda high, low, close: combine(*kernels.keltner(high, low, close, n, mult))
        )

    return category.function(
        name=name, args=_KC_ARGS, description=description, example=example, **declaration
    )(impl)


def _over_window(
    name: str,
    compute: Callable[[int], pl.Expr],
    description: str,
    example: str,
    default: int = 20,
    scale: Scale | None = "level",
) -> FunctionSpec:
    """``name(n=default)``: ``compute`` over the last n bars; by default a channel line (a price level)."""

    def impl(ctx: EvalContext, n: int) -> pl.Expr:
        return compute(n)

    return category.function(
        name=name, args=(window(default=default),), description=description, example=example, scale=scale
    )(impl)


def _natr(n: int) -> pl.Expr:
    return s.kernel(
        s.hlc(),
        lambda high, low, close: 100 * kernels.divide(kernels.atr(high, low, close, n), close),
    )


@category.function(
    description="True range: max(high − low, |high − previous close|, |low − previous close|); high − low on the "
    "first bar.",
    example="tr()",
    scale="distance",
)
def tr(ctx: EvalContext) -> pl.Expr:
    return s.true_range()


atr = _over_window(
    "atr",
    s.atr,
    "Average true range: Wilder's average (rma) of tr() (Pine ta.atr); first value on bar n − 1.",
    "atr(14)",
    14,
    "distance",
)
natr = _over_window("natr", _natr, "ATR as a percentage of close.", "natr(14) > 3", 14, None)
bbands_upper = _bollinger(
    "bbands_upper",
    lambda values, middle, width: middle + width,
    "Upper Bollinger band: sma(col, n) + mult · population standard deviation (Pine ta.bb).",
    "close > bbands_upper(close, 20, 2)",
    scale="args",
)
bbands_lower = _bollinger(
    "bbands_lower",
    lambda values, middle, width: middle - width,
    "Lower Bollinger band: sma(col, n) − mult · population standard deviation.",
    "close < bbands_lower(close, 20, 2)",
    scale="args",
)


@category.function(
    args=(column(), window(default=20)),
    description="Middle Bollinger band: sma(col, n).",
    example="bbands_middle(close, 20)",
    scale="args",
)
def bbands_middle(ctx: EvalContext, x: pl.Expr, n: int) -> pl.Expr:
    return s.sma(x, n)


bbands_width = _bollinger(
    "bbands_width",
    lambda values, middle, width: 100 * kernels.divide(2 * width, middle),
    "Bollinger band width in percent of the middle band: (upper − lower) / middle · 100 (Pine ta.bbw).",
    "bbands_width(close, 20, 2) < 5",
)
bbands_pctb = _bollinger(
    "bbands_pctb",
    lambda values, middle, width: kernels.divide(values - (middle - width), 2 * width),
    "Bollinger %B: (col − lower) / (upper − lower); 0 at the lower band, 1 at the upper.",
    "bbands_pctb(close, 20, 2) > 1",
)
kc_upper = _keltner(
    "kc_upper",
    lambda middle, width: middle + width,
    "Upper Keltner channel: ema(close, n) + mult · ema(tr(), n) (Pine ta.kc with true range).",
    "close > kc_upper(20, 1.5)",
    scale="level",
)
kc_lower = _keltner(
    "kc_lower",
    lambda middle, width: middle - width,
    "Lower Keltner channel: ema(close, n) − mult · ema(tr(), n).",
    "close < kc_lower(20, 1.5)",
    scale="level",
)

kc_middle = _over_window(
    "kc_middle", lambda n: s.ema(col("close"), n), "Middle Keltner line: ema(close, n).", "kc_middle(20)"
)
kc_width = _keltner(
    "kc_width",
    lambda middle, width: 100 * kernels.divide(2 * width, middle),
    "Keltner channel width in percent of the middle line: (upper − lower) / middle · 100 "
    "(same unit as bbands_width).",
    "bbands_width(close, 20, 2) < kc_width(20, 1.5)",
)
donchian_upper = _over_window(
    "donchian_upper",
    lambda n: s.highest(col("high"), n),
    "Donchian channel top: highest high of the last n bars (current included).",
    "high >= donchian_upper(20)",
)
donchian_lower = _over_window(
    "donchian_lower",
    lambda n: s.lowest(col("low"), n),
    "Donchian channel bottom: lowest low of the last n bars (current included).",
    "low <= donchian_lower(20)",
)
donchian_middle = _over_window(
    "donchian_middle",
    lambda n: (s.highest(col("high"), n) + s.lowest(col("low"), n)) / 2,
    "Donchian channel middle: (highest high + lowest low) / 2 over n bars.",
    "close > donchian_middle(20)",
)
