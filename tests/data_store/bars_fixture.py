"""Tiny deterministic bars in the Parquet layout, independent of the sample generator."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import polars as pl


def minute_bars(rows: int, *, start: datetime = datetime(2024, 1, 2, 14, 30), seed: int = 0) -> pl.DataFrame:
    """``rows`` consecutive one-minute bars of a random walk, with ``trade_date``/``minute`` in UTC terms."""
    rng = np.random.default_rng(seed)
    close = 100 + np.cumsum(rng.normal(0, 0.1, rows))
    open_ = np.concatenate([[100.0], close[:-1]])
    spread = np.abs(rng.normal(0, 0.05, rows))
    ts = pl.datetime_range(start, start + timedelta(minutes=rows - 1), "1m", eager=True, time_zone="UTC")
    return pl.DataFrame(
        {
            "ts": ts,
            "open": open_,
            "high": np.maximum(open_, close) + spread,
            "low": np.minimum(open_, close) - spread,
            "close": close,
            "volume": rng.integers(1, 500, rows).astype(float),
        }
    ).with_columns(
        pl.col("ts").dt.date().alias("trade_date"),
        (pl.col("ts").dt.hour().cast(pl.Int16) * 60 + pl.col("ts").dt.minute())
        .cast(pl.Int16)
        .alias("minute"),
    )
