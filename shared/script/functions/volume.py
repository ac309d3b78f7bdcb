"""Volume indicators. ``vwap`` resets at each session's open (``ctx.session_keys``), never at midnight."""

from __future__ import annotations

import polars as pl

from shared.script.functions import _shared as s
from shared.script.functions._shared import col, window
from shared.script.registry import EvalContext, function


@function(
    "obv",
    category="volume",
    description="On-balance volume: running sum of volume signed by the close's change; 0 on the first bar "
    "(Pine ta.obv).",
    example="obv() > sma(obv(), 20)",
)
def obv(ctx: EvalContext) -> pl.Expr:
    signed = s.as_float(col("close")).diff().sign() * s.as_float(col("volume"))
    return signed.fill_null(0.0).cum_sum()


@function(
    "vwap",
    category="volume",
    description="Volume-weighted average typical price since the session's open (resets each session; on "
    "daily bars it is the typical price).",
    example="close > vwap()",
    aliases=("vwap_day",),
)
def vwap(ctx: EvalContext) -> pl.Expr:
    volume = s.as_float(col("volume"))
    weighted = s.per_session(ctx, (s.typical_price() * volume).cum_sum())
    return s.safe_div(weighted, s.per_session(ctx, volume.cum_sum()))


@function(
    "ad_line",
    category="volume",
    description="Accumulation/distribution line: running sum of volume · ((close − low) − (high − close)) / "
    "(high − low); a bar with zero range adds 0.",
    example="ad_line()",
)
def ad_line(ctx: EvalContext) -> pl.Expr:
    high, low, close = col("high"), col("low"), col("close")
    location = s.safe_div((close - low) - (high - close), high - low).fill_null(0.0)
    return (location * s.as_float(col("volume"))).cum_sum()


@function(
    "volume_ratio",
    category="volume",
    args=(window(default=20),),
    description="Volume divided by its n-bar simple average.",
    example="volume_ratio(20) > 2",
)
def volume_ratio(ctx: EvalContext, n: int) -> pl.Expr:
    return s.safe_div(col("volume"), s.sma(col("volume"), n))


@function(
    "volume_sma",
    category="volume",
    args=(window(default=20),),
    description="Simple moving average of volume over n bars.",
    example="volume > 2 * volume_sma(20)",
)
def volume_sma(ctx: EvalContext, n: int) -> pl.Expr:
    return s.sma(col("volume"), n)
