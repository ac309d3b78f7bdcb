"""Volume indicators. ``vwap`` resets at each session's open (``ctx.session_keys``), never at midnight."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from shared.script import kernels
from shared.script.declarations import Category, EvalContext
from shared.script.functions import _shared as s
from shared.script.functions._shared import col, window

category = Category("volume", "Volume")


@category.function(
    description="On-balance volume: running sum of volume signed by the close's change; 0 on the first bar "
    "(Pine ta.obv).",
    example="obv() > sma(obv(), 20)",
)
def obv(ctx: EvalContext) -> pl.Expr:
    signed = s.as_float(col("close")).diff().sign() * s.as_float(col("volume"))
    return signed.fill_null(0.0).cum_sum()


@category.function(
    description="Volume-weighted average typical price since the session's open (resets each session; on "
    "daily bars it is the typical price).",
    example="close > vwap()",
    aliases=("vwap_day",),
    scale="level",
)
def vwap(ctx: EvalContext) -> pl.Expr:
    keys = list(ctx.session_keys)
    inputs = [s.as_float(s.typical_price()).alias("tp"), s.as_float(col("volume")).alias("v")]
    return pl.map_batches([*inputs, *(pl.col(key) for key in keys)], _session_vwap, return_dtype=pl.Float64)


def _session_vwap(columns: Sequence[pl.Series]) -> pl.Series:
    """One compiled pass when sessions are runs of one sorted key (every first step), else Polars windows."""
    typical, volume, *keys = columns
    if len(keys) > 1 or any(key.null_count() or not key.is_sorted() for key in keys):
        by_key = [f"key{i}" for i in range(len(keys))]
        frame = pl.DataFrame([typical.alias("tp"), volume.alias("v")]).with_columns(
            key.alias(name) for key, name in zip(keys, by_key, strict=True)
        )
        weighted = (pl.col("tp") * pl.col("v")).cum_sum().over(by_key)
        return frame.select(s.safe_div(weighted, pl.col("v").cum_sum().over(by_key))).to_series()
    session = keys[0].to_physical().cast(pl.Int64).to_numpy() if keys else np.zeros(len(typical), np.int64)
    arrays = (kernels.to_array(typical), kernels.to_array(volume))
    return kernels.to_series(kernels.session_vwap(*arrays, session))


@category.function(
    description="Accumulation/distribution line: running sum of volume · ((close − low) − (high − close)) / "
    "(high − low); a bar with zero range adds 0.",
    example="ad_line()",
)
def ad_line(ctx: EvalContext) -> pl.Expr:
    high, low, close = col("high"), col("low"), col("close")
    location = s.safe_div((close - low) - (high - close), high - low).fill_null(0.0)
    return (location * s.as_float(col("volume"))).cum_sum()


@category.function(
    args=(window(default=20),),
    description="Volume divided by its n-bar simple average.",
    example="volume_ratio(20) > 2",
)
def volume_ratio(ctx: EvalContext, n: int) -> pl.Expr:
    return s.safe_div(col("volume"), s.sma(col("volume"), n))


@category.function(
    args=(window(default=20),),
    description="Simple moving average of volume over n bars.",
    example="volume > 2 * volume_sma(20)",
)
def volume_sma(ctx: EvalContext, n: int) -> pl.Expr:
    return s.sma(col("volume"), n)
