"""Oscillators (TradingView Pine conventions; warm-up bars are null)."""

from __future__ import annotations

import polars as pl

from shared.script import kernels
from shared.script.functions import _shared as s
from shared.script.functions._shared import col, column, window
from shared.script.registry import EvalContext, function


def _balance(up: pl.Expr, down: pl.Expr) -> pl.Expr:
    """``100 − 100 / (1 + up/down)``: 100 when nothing went down, null when nothing moved at all."""
    return pl.when(down != 0).then(100 - 100 / (1 + up / down)).when(up != 0).then(100.0)


def _stoch_k(n: int, smooth: int) -> pl.Expr:
    low = s.lowest(col("low"), n)
    raw = 100 * s.safe_div(col("close") - low, s.highest(col("high"), n) - low)
    return raw if smooth == 1 else s.sma(raw, smooth)


@function(
    "rsi",
    category="oscillator",
    args=(column(), window(default=14)),
    description="Relative Strength Index on Wilder's averages of gains and losses (Pine ta.rsi); first value "
    "on bar n; null when the price did not move over the whole average.",
    example="rsi(close, 14) < 30",
)
def rsi(ctx: EvalContext, x: pl.Expr, n: int) -> pl.Expr:
    delta = s.as_float(x).diff()
    return _balance(s.rma(delta.clip(lower_bound=0.0), n), s.rma((-delta).clip(lower_bound=0.0), n))


@function(
    "stoch_k",
    category="oscillator",
    args=(window(default=14), window("smooth", 1)),
    description="Stochastic %K: where close sits in the n-bar high–low range, 0–100, averaged over `smooth` "
    "bars (1 = raw %K, as TradingView's default).",
    example="stoch_k(14, 1) > 80",
)
def stoch_k(ctx: EvalContext, n: int, smooth: int) -> pl.Expr:
    return _stoch_k(n, smooth)


@function(
    "stoch_d",
    category="oscillator",
    args=(window(default=14), window("smooth_k", 1), window("d", 3)),
    description="Stochastic %D: the d-bar SMA of stoch_k(n, smooth_k).",
    example="stoch_d(14, 1, 3)",
)
def stoch_d(ctx: EvalContext, n: int, smooth_k: int, d: int) -> pl.Expr:
    return s.sma(_stoch_k(n, smooth_k), d)


@function(
    "cci",
    category="oscillator",
    args=(window(default=20),),
    description="Commodity Channel Index of the typical price: (tp − sma(tp, n)) / (0.015 · mean deviation).",
    example="cci(20) > 100",
)
def cci(ctx: EvalContext, n: int) -> pl.Expr:
    tp = s.typical_price()
    deviation = tp.map_batches(
        lambda series: pl.Series(kernels.rolling_mean_deviation(series.cast(pl.Float64).to_numpy(), n)),
        return_dtype=pl.Float64,
    ).fill_nan(None)
    return s.safe_div(tp - s.sma(tp, n), 0.015 * deviation)


@function(
    "williams_r",
    category="oscillator",
    args=(window(default=14),),
    description="Williams %R: −100 · (highest high − close) / (highest high − lowest low), from −100 to 0.",
    example="williams_r(14) < -80",
)
def williams_r(ctx: EvalContext, n: int) -> pl.Expr:
    high = s.highest(col("high"), n)
    return -100 * s.safe_div(high - col("close"), high - s.lowest(col("low"), n))


@function(
    "mfi",
    category="oscillator",
    args=(window(default=14),),
    description="Money Flow Index: 100 · (money flow on up bars) / (all money flow) over n bars, money flow = "
    "typical price · volume (Pine ta.mfi); first value on bar n.",
    example="mfi(14) > 80",
)
def mfi(ctx: EvalContext, n: int) -> pl.Expr:
    tp = s.typical_price()
    flow = tp * s.as_float(col("volume"))
    move = tp.diff()
    up = pl.when(move.is_not_null()).then(pl.when(move > 0).then(flow).otherwise(0.0))
    down = pl.when(move.is_not_null()).then(pl.when(move < 0).then(flow).otherwise(0.0))
    return _balance(up.rolling_sum(n), down.rolling_sum(n))


@function(
    "roc",
    category="oscillator",
    args=(column(), window(default=1)),
    description="Rate of change: percentage change from n bars earlier.",
    example="roc(close, 10)",
)
def roc(ctx: EvalContext, x: pl.Expr, n: int) -> pl.Expr:
    return s.pct_change(x, x.shift(n))


@function(
    "momentum",
    category="oscillator",
    args=(column(), window(default=10)),
    description="Momentum: value minus the value n bars earlier.",
    example="momentum(close, 10) > 0",
)
def momentum(ctx: EvalContext, x: pl.Expr, n: int) -> pl.Expr:
    return x - x.shift(n)
