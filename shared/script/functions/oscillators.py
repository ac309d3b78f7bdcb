"""Oscillators (TradingView Pine conventions; warm-up bars are null)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl

from shared.script import kernels
from shared.script.declarations import Arg, Category, EvalContext, FunctionSpec
from shared.script.functions import _shared as s
from shared.script.functions._shared import MAX_WEIGHTED_WINDOW, col, column, window

category = Category("oscillator", "Oscillators")


@category.function(
    args=(column(), window(default=14)),
    description="Relative Strength Index on Wilder's averages of gains and losses (Pine ta.rsi); first value "
    "on bar n; null when the price did not move over the whole average.",
    example="rsi(close, 14) < 30",
)
def rsi(ctx: EvalContext, x: pl.Expr, n: int) -> pl.Expr:
    return s.kernel([x], lambda values: kernels.rsi(values, n))


@category.function(
    args=(window(default=14), window("smooth", 1)),
    description="Stochastic %K: where close sits in the n-bar high–low range, 0–100, averaged over `smooth` "
    "bars (1 = raw %K, as TradingView's default).",
    example="stoch_k(14, 1) > 80",
)
def stoch_k(ctx: EvalContext, n: int, smooth: int) -> pl.Expr:
    return s.kernel(s.hlc(), lambda high, low, close: kernels.stochastic(high, low, close, n, smooth))


@category.function(
    args=(window(default=14), window("smooth_k", 1), window("d", 3)),
    description="Stochastic %D: the d-bar SMA of stoch_k(n, smooth_k).",
    example="stoch_d(14, 1, 3)",
)
def stoch_d(ctx: EvalContext, n: int, smooth_k: int, d: int) -> pl.Expr:
    return s.kernel(
        s.hlc(),
        lambda high, low, close: kernels.rolling_mean(kernels.stochastic(high, low, close, n, smooth_k), d),
    )


def _range_oscillator(
    name: str,
    compute: Callable[[np.ndarray, np.ndarray, np.ndarray, int], np.ndarray],
    description: str,
    example: str,
    length: Arg,
) -> FunctionSpec:
    """``name(n)``: a kernel of the high, low and close over n bars; ``length`` declares n."""

    def impl(ctx: EvalContext, n: int) -> pl.Expr:
        return s.kernel(s.hlc(), lambda high, low, close: compute(high, low, close, n))

    return category.function(name=name, args=(length,), description=description, example=example)(impl)


cci = _range_oscillator(
    "cci",
    kernels.cci,
    "Commodity Channel Index of the typical price: (tp − sma(tp, n)) / (0.015 · mean deviation).",
    "cci(20) > 100",
    window(default=20, maximum=MAX_WEIGHTED_WINDOW),
)
williams_r = _range_oscillator(
    "williams_r",
    kernels.williams_r,
    "Williams %R: −100 · (highest high − close) / (highest high − lowest low), from −100 to 0.",
    "williams_r(14) < -80",
    window(default=14),
)


@category.function(
    args=(window(default=14),),
    description="Money Flow Index: 100 · (money flow on up bars) / (all money flow) over n bars, money flow = "
    "typical price · volume (Pine ta.mfi); first value on bar n.",
    example="mfi(14) > 80",
)
def mfi(ctx: EvalContext, n: int) -> pl.Expr:
    return s.kernel(
        [*s.hlc(), col("volume")],
        lambda high, low, close, volume: kernels.money_flow_index(high, low, close, volume, n),
    )


roc = s.change_function(
    category,
    "roc",
    s.change_pct,
    1,
    "Rate of change: percentage change from n bars earlier.",
    "roc(close, 10)",
)
momentum = s.change_function(
    category,
    "momentum",
    s.change,
    10,
    "Momentum: value minus the value n bars earlier.",
    "momentum(close, 10) > 0",
    scale="distance",
)
