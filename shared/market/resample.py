"""Longer bars from shorter ones: the one definition of how OHLCV aggregates, and the bins it aggregates over.

A longer bar's open is its first bar's open, its high the highest high, its low the lowest low, its close the
last close and its volume the sum (:data:`OHLCV_RULES`). Input bars are in time order (the layout of
``data_store.layout``). The rule is applied two ways: by Polars group-bys (:func:`resample` and the helpers
built on it) and, for the engine's linear pass over runs of consecutive rows, by :func:`reduce_runs`.

- Intraday bins are anchored at a session's open (ETH 18:00 → 1h bins 18:00, 19:00, …; RTH 09:30, 10:30, …)
  and grouped within one trade date, so a bin never spans two sessions (:func:`intraday_bars`).
- Daily bars are one per trade date (:func:`daily_bars`); calendar bars group trade dates by week (Monday to
  Friday), month, quarter or year, labelled with their first trade date (:func:`calendar_bars`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, Future
from typing import Literal

import numpy as np
import polars as pl

from shared.market.bar_size import CALENDAR_BUCKETS, CalendarSize
from shared.market.instruments import Session

Rule = Literal["first", "max", "min", "last", "sum"]
OHLCV_RULES: dict[str, Rule] = {
    "open": "first",
    "high": "max",
    "low": "min",
    "close": "last",
    "volume": "sum",
}
"""How each bar column aggregates over the bars of a longer one."""
OHLCV: tuple[str, ...] = tuple(OHLCV_RULES)
MINUTES_PER_DAY = 1440

_POLARS: dict[Rule, Callable[[pl.Expr], pl.Expr]] = {
    "first": pl.Expr.first,
    "max": pl.Expr.max,
    "min": pl.Expr.min,
    "last": pl.Expr.last,
    "sum": pl.Expr.sum,
}
_REDUCE: dict[Rule, np.ufunc] = {"max": np.maximum, "min": np.minimum, "sum": np.add}
_PARALLEL: frozenset[Rule] = frozenset({"max", "min"})
"""Reductions handed to the pool: NumPy releases the GIL inside them, so they run alongside the others."""


def ohlcv_aggregations() -> list[pl.Expr]:
    """The Polars aggregations of :data:`OHLCV_RULES`, one per column, in column order."""
    return [_POLARS[rule](pl.col(name)) for name, rule in OHLCV_RULES.items()]


def resample(bars: pl.LazyFrame, *by: str | pl.Expr, first: Sequence[str] = ()) -> pl.LazyFrame:
    """Time-ordered ``bars`` grouped by the keys ``by`` into OHLCV bars, sorted by the keys.

    The result has the keys, the first value in each group of the ``first`` columns, then OHLCV.
    """
    keys = [pl.col(key) if isinstance(key, str) else key for key in by]
    names = [key.meta.output_name() for key in keys]
    return (
        bars.group_by(keys, maintain_order=True)
        .agg(*(pl.col(name).first() for name in first), *ohlcv_aggregations())
        .sort(names)
    )


def daily_bars(minutes: pl.LazyFrame, *, first: Sequence[str] = ()) -> pl.LazyFrame:
    """One bar per trade date (``trade_date``, the ``first`` columns, OHLCV), in date order."""
    return resample(minutes, "trade_date", first=first)


def calendar_bars(daily: pl.LazyFrame, size: CalendarSize) -> pl.LazyFrame:
    """Daily bars (``date`` + OHLCV, in date order) grouped into ``size`` bars, each labelled with its first date."""
    unit = CALENDAR_BUCKETS[size]
    if unit is None:
        return daily.select("date", *OHLCV)
    bucket = pl.col("date").dt.truncate(unit).alias("__bucket")
    return resample(daily, bucket, first=("date",)).select("date", *OHLCV)


def minute_bins(size: int, anchor: Session) -> np.ndarray:
    """The bin of every minute of the day (index: minutes since midnight) for ``size``-minute bins.

    Bin 0 opens at ``anchor``'s open; :func:`bin_opens` gives the minute each bin opens at.
    """
    offsets = (np.arange(MINUTES_PER_DAY) - anchor.start_minute) % MINUTES_PER_DAY
    bins: np.ndarray = (offsets // size).astype(np.int16)
    return bins


def bin_opens(size: int, anchor: Session) -> np.ndarray:
    """The minute of the day (Int16) at which each bin of :func:`minute_bins` opens (index: the bin)."""
    opens: np.ndarray = (
        (np.arange(-(-MINUTES_PER_DAY // size)) * size + anchor.start_minute) % MINUTES_PER_DAY
    ).astype(np.int16)
    return opens


def intraday_bars(
    minutes: pl.LazyFrame, size: int, anchor: Session, *, open_ts: bool = False
) -> pl.LazyFrame:
    """``size``-minute bars from one-minute bars (``trade_date minute`` + OHLCV), binned from ``anchor``'s open.

    Returns ``trade_date``, ``minute`` (the bin's open, minutes since midnight in display time), with
    ``open_ts`` also ``ts`` (the bin's open in UTC; the input then needs ``ts``), and OHLCV, in time order. A
    trade date starts at the anchor's open when the anchor wraps midnight, else at midnight, so bars outside
    the anchor's window (a stock's pre-market) sort in time order. One-minute bars are returned as they are.
    """
    labels = ("trade_date", "minute", "ts") if open_ts else ("trade_date", "minute")
    if size == 1:
        return minutes.with_columns(pl.col("minute").cast(pl.Int16)).select(*labels, *OHLCV)
    day_start = anchor.start_minute if anchor.wraps_midnight else 0
    # One integer key per (trade date, bin) that sorts in time order: the date, then the bin's open counted
    # from the start of the trade date. A single integer key groups and sorts faster than two columns.
    since_day_start = (
        bin_opens(size, anchor)[minute_bins(size, anchor)].astype(np.int64) - day_start
    ) % MINUTES_PER_DAY
    minute = pl.col("minute").cast(pl.Int32)
    day = pl.col("trade_date").to_physical().cast(pl.Int64)
    key = (day * MINUTES_PER_DAY + pl.lit(pl.Series(since_day_start)).gather(minute)).alias("__key")
    if open_ts:
        minutes = minutes.with_columns(minute.alias("__first"))
    bars = resample(minutes, key, first=("ts", "__first") if open_ts else ()).with_columns(
        (pl.col("__key") // MINUTES_PER_DAY).cast(pl.Int32).cast(pl.Date).alias("trade_date"),
        ((pl.col("__key") + day_start) % MINUTES_PER_DAY).cast(pl.Int16).alias("minute"),
    )
    if open_ts:
        # The first bar's time less the display-time minutes since the bin opened.
        since_open = (pl.col("__first") - pl.col("minute").cast(pl.Int32)) % MINUTES_PER_DAY
        bars = bars.with_columns(pl.col("ts") - pl.duration(minutes=since_open))
    return bars.select(*labels, *OHLCV)


def reduce_runs(
    values: Mapping[str, np.ndarray], starts: np.ndarray, *, pool: Executor | None = None
) -> dict[str, np.ndarray]:
    """OHLCV of each run of consecutive rows of ``values`` (one array per column), runs opening at ``starts``.

    ``starts`` is ascending and begins with 0; the last run ends at the last row. With ``pool``, the max and
    min reductions run on it while the others run here.
    """
    rows = len(values[OHLCV[0]])
    ends = np.concatenate((starts[1:], [rows])) - 1
    pending: dict[str, Future[np.ndarray]] = {}
    reduced: dict[str, np.ndarray] = {}
    for name, rule in OHLCV_RULES.items():
        if pool is not None and rule in _PARALLEL:
            pending[name] = pool.submit(_REDUCE[rule].reduceat, values[name], starts)
    for name, rule in OHLCV_RULES.items():
        if name not in pending:
            reduced[name] = _reduce(rule, values[name], starts, ends)
    reduced |= {name: future.result() for name, future in pending.items()}
    return {name: reduced[name] for name in OHLCV}


def _reduce(rule: Rule, column: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    reduced: np.ndarray
    if rule == "first":
        reduced = column[starts]
    elif rule == "last":
        reduced = column[ends]
    else:
        reduced = _REDUCE[rule].reduceat(column, starts)
    return reduced
