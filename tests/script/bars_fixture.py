"""A small deterministic one-minute bar set built from the real trading calendar (tests only).

Bars cover every trading session of the instrument's calendar in ``[start, end]`` (Sunday-evening opens, the
17:00–18:00 halt, holidays and early closes, DST changes), with a seeded random walk on the tick grid.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

from shared.market import Instrument, assign_trade_date_and_minute, get_instrument, trading_sessions

_MINUTE = timedelta(minutes=1)


def minute_bars(instrument: Instrument, start: date, end: date, seed: int = 7) -> pl.DataFrame:
    """One-minute bars with ``ts open high low close volume trade_date minute``, sorted by ``ts``."""
    sessions = trading_sessions(instrument, start, end)
    stamps = []
    for opens, closes in zip(sessions["open"], sessions["close"], strict=True):
        count = int((closes - opens) / _MINUTE)
        stamps.append(pl.datetime_range(opens, closes - _MINUTE, "1m", eager=True, time_zone="UTC"))
        assert stamps[-1].len() == count
    ts = pl.concat(stamps).alias("ts")
    rng = np.random.default_rng(seed)
    tick = instrument.tick_size
    steps = rng.choice([-2, -1, 0, 1, 2], size=ts.len()) * tick
    # Jumps at the session open and the RTH open give visible gaps and daily moves of a few percent.
    local = ts.dt.convert_time_zone(instrument.timezone)
    minute_of_day = (local.dt.hour().cast(pl.Int32) * 60 + local.dt.minute()).to_numpy()
    jumps = np.isin(minute_of_day, (18 * 60, 9 * 60 + 30))
    steps[jumps] += np.round(rng.normal(0, 250, jumps.sum()) / tick) * tick
    close = 15_000 + np.cumsum(steps)
    open_ = np.concatenate([[15_000.0], close[:-1]])
    open_[jumps] = close[jumps]
    high = np.maximum(open_, close) + rng.integers(0, 3, ts.len()) * tick
    low = np.minimum(open_, close) - rng.integers(0, 3, ts.len()) * tick
    volume = rng.integers(1, 500, ts.len()).astype(np.float64)
    frame = pl.DataFrame(
        {"ts": ts, "open": open_, "high": high, "low": low, "close": close, "volume": volume}
    )
    trade_date, minute = assign_trade_date_and_minute(frame, instrument)
    return frame.with_columns(trade_date, minute)


def nq_january(seed: int) -> pl.DataFrame:
    """NQ's one-minute bars of January 2024: the month the API tests serve."""
    nq = get_instrument("NQ")
    assert nq is not None
    return minute_bars(nq, date(2024, 1, 2), date(2024, 1, 31), seed=seed)


def settlement_bars(minutes: pl.DataFrame, offset: float = 0.25) -> pl.DataFrame:
    """Daily bars per trade date whose close differs from the last trade by ``offset`` (a visible settlement)."""
    return (
        minutes.group_by("trade_date", maintain_order=True)
        .agg(
            pl.col("ts").first(),
            pl.col("open").first(),
            pl.col("high").max(),
            pl.col("low").min(),
            (pl.col("close").last() + offset).alias("close"),
            pl.col("volume").sum(),
        )
        .with_columns(pl.lit(0, pl.Int16).alias("minute"))
        .select("ts", "open", "high", "low", "close", "volume", "trade_date", "minute")
    )
