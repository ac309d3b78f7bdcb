"""Building the bars a query runs on, from the stored one-minute (and, when present, daily) bars.

Only the stored ``trade_date`` and ``minute`` columns are used: no per-row time-zone work at query time.

- ``daily``: one bar per trade date (the full session; a CME Sunday evening belongs to Monday). With a session
  such as RTH, that date's session window. Without a session (or with the instrument's default session) the
  stored daily bars (settlement close) are used when the data set has them.
- Intraday bins are anchored at the session open (ETH 18:00 → 1h bins 18:00, 19:00, …; RTH 09:30, 10:30, …),
  grouped within one trade date, so a bin never spans two sessions; each bar is labelled by its open.
- ``weekly``/``monthly``/``quarterly``/``yearly`` group daily bars by the calendar period of the trade date
  (weeks Monday–Friday) and are labelled with their first trade date.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import polars as pl

from shared.lazy import singleton
from shared.market import (
    INTRADAY_MINUTES,
    OHLCV,
    Instrument,
    Session,
    bin_opens,
    calendar_bars,
    daily_bars,
    intraday_bars,
    is_calendar,
    is_intraday,
    minute_bins,
    reduce_runs,
)
from shared.settings import get_settings

_reducers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="barb-bars")
_FILTER_FIRST_BELOW = 60
"""Bins smaller than this many minutes filter session rows before the reduction (see ``_numpy_bars``)."""
_MIDNIGHT = Session("00:00", "00:00")


class BarsInput(Protocol):
    """Where the engine reads an instrument's stored bars from."""

    def minute(self) -> pl.LazyFrame:
        """One-minute bars: ``ts open high low close volume trade_date minute``."""
        ...

    def daily(self) -> pl.LazyFrame | None:
        """Stored daily bars (settlement close) with ``trade_date``, or None when the data set has none."""
        ...


class FrameCache:
    """Bar files held in memory, least recently used first out, within a byte budget.

    Reading a year of one-minute Parquet costs more than running most queries on it, so each process keeps
    the files it has used. Keys are the store's content-addressed paths: new data means a new key, and the
    old frame simply ages out.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._frames: OrderedDict[str, pl.DataFrame] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, path: Path) -> pl.DataFrame:
        """The frame of the Parquet file at ``path`` (read on first use)."""
        key = str(path)
        with self._lock:
            frame = self._frames.get(key)
            if frame is not None:
                self._frames.move_to_end(key)
                return frame
            frame = pl.read_parquet(path).rechunk()
            self._frames[key] = frame
            self._evict()
            return frame

    def _evict(self) -> None:
        total = sum(f.estimated_size() for f in self._frames.values())
        while len(self._frames) > 1 and total > self.max_bytes:
            _, dropped = self._frames.popitem(last=False)
            total -= dropped.estimated_size()

    def clear(self) -> None:
        """Forget every frame."""
        with self._lock:
            self._frames.clear()


@singleton
def frame_cache() -> FrameCache:
    """The process's cache of bar frames, sized by ``QUERY_MEMORY_CACHE_BYTES``."""
    return FrameCache(get_settings().query_memory_cache_bytes)


@dataclass(frozen=True)
class StoreBars:
    """:class:`BarsInput` over a bar store, cached in memory.

    Uses ``path(symbol, bar_size)`` (the local Parquet file) when the store has it, so each file is read once
    per process; otherwise ``scan(symbol, bar_size)`` on every query.
    """

    store: Any
    symbol: str
    cache: FrameCache | None = None
    """Defaults to the process-wide :func:`frame_cache`."""

    def _frame(self, bar_size: str) -> pl.LazyFrame | None:
        if not hasattr(self.store, "path"):
            scanned: pl.LazyFrame | None = self.store.scan(self.symbol, bar_size)
            return scanned
        path = self.store.path(self.symbol, bar_size)
        if path is None:
            return None
        return (self.cache or frame_cache()).get(path).lazy()

    def minute(self) -> pl.LazyFrame:
        frame = self._frame("1m")
        if frame is None:
            raise LookupError(f"no one-minute bars for {self.symbol}")
        return frame

    def daily(self) -> pl.LazyFrame | None:
        return self._frame("1d")


@dataclass(frozen=True)
class FrameBars:
    """:class:`BarsInput` over frames already in memory (tests, the benchmark, a worker's cache)."""

    minute_frame: pl.LazyFrame | pl.DataFrame
    daily_frame: pl.LazyFrame | pl.DataFrame | None = None

    def minute(self) -> pl.LazyFrame:
        return self.minute_frame.lazy()

    def daily(self) -> pl.LazyFrame | None:
        return None if self.daily_frame is None else self.daily_frame.lazy()


@dataclass(frozen=True)
class BarRequest:
    """What to build: the bar size, the session window (None = the whole trading day) and a date prefilter."""

    timeframe: str
    session: Session | None = None
    full_session: bool = True
    anchor: Session | None = None
    """The session whose open anchors intraday bins when no session is given (the instrument's default)."""
    start: date | None = None
    end: date | None = None
    """Trade-date bounds that may be applied before building (only when the result cannot change)."""


def _session_mask(session: Session) -> pl.Expr:
    minute = pl.col("minute").cast(pl.Int32)
    start, end = session.start_minute, session.end_minute
    if session.wraps_midnight:
        return (minute >= start) | (minute < end)
    return (minute >= start) & (minute < end)


def _date_bounds(frame: pl.LazyFrame, request: BarRequest) -> pl.LazyFrame:
    if request.start is not None:
        frame = frame.filter(pl.col("trade_date") >= request.start)
    if request.end is not None:
        frame = frame.filter(pl.col("trade_date") <= request.end)
    return frame


def _numpy_bars(bars: BarsInput, request: BarRequest, size: int, anchor: Session) -> pl.DataFrame | None:
    """Bars of ``size`` minutes (``size`` 1440 = one per trade date) in one linear pass, or None to fall back.

    Stored bars are in time order, so each bar of the result is a run of consecutive rows: boundaries come from
    a key (trade date × bin) and OHLCV from ``reduce_runs`` — several times faster than a hash group-by on
    millions of rows. Falls back (None) on missing values or when a key recurs out of order.
    """
    frame = _date_bounds(bars.minute(), request).select("trade_date", "minute", *OHLCV)
    session = request.session
    filter_first = size < _FILTER_FIRST_BELOW
    if session is not None and filter_first:
        # Small bins: drop the rows outside the session first (Polars filters columns in parallel), so
        # there are fewer runs to reduce.
        frame = frame.filter(_session_mask(session))
    minutes = frame.collect(engine="in-memory")
    if minutes.height == 0 or any(minutes.null_count().row(0)):
        return None
    days = minutes.get_column("trade_date").to_physical().to_numpy()
    minute = minutes.get_column("minute").to_numpy()
    if minute.min() < 0 or minute.max() >= 1440:
        return None
    values = {name: minutes.get_column(name).to_numpy() for name in OHLCV}
    # Lookup tables indexed by minute of day are cheaper than arithmetic on millions of rows.
    changed = days[1:] != days[:-1]
    if size < 1440:
        bins = minute_bins(size, anchor)[minute]
        changed |= bins[1:] != bins[:-1]
    else:
        bins = np.zeros(days.size, np.int16)
    in_session = None
    if session is not None and not filter_first:
        in_session = _session_mask_np(np.arange(1440), session)[minute]
    if in_session is not None:
        # Large bins: rows outside the session form runs of their own, dropped after the reduction.
        changed |= in_session[1:] != in_session[:-1]
    starts = np.flatnonzero(np.concatenate(([True], changed)))
    reduced = reduce_runs(values, starts, pool=_reducers)
    if in_session is not None:
        chosen = in_session[starts]
        starts = starts[chosen]
        reduced = {name: array[chosen] for name, array in reduced.items()}
        if starts.size == 0:
            return None
    run_keys = days[starts].astype(np.int64) * 1440 + bins[starts]
    if np.any(np.diff(run_keys) <= 0):
        return None
    columns = [pl.Series("date", days[starts]).cast(pl.Date)]
    if size < 1440:
        columns.append(pl.Series("minute", bin_opens(size, anchor)[bins[starts]]))
    columns += [pl.Series(name, reduced[name]) for name in OHLCV]
    return pl.DataFrame(columns)


def _session_mask_np(minute: np.ndarray, session: Session) -> np.ndarray:
    start, end = session.start_minute, session.end_minute
    if session.wraps_midnight:
        return (minute >= start) | (minute < end)
    return (minute >= start) & (minute < end)


def _minutes(bars: BarsInput, request: BarRequest) -> pl.LazyFrame:
    frame = _date_bounds(bars.minute(), request)
    if request.session is not None:
        frame = frame.filter(_session_mask(request.session))
    return frame


def _daily_from_minutes(bars: BarsInput, request: BarRequest) -> pl.LazyFrame:
    fast = _numpy_bars(bars, request, 1440, _MIDNIGHT)
    if fast is not None:
        return fast.lazy()
    return daily_bars(_minutes(bars, request)).select(pl.col("trade_date").alias("date"), *OHLCV)


def _intraday(bars: BarsInput, request: BarRequest, size: int) -> pl.LazyFrame:
    anchor = request.session or request.anchor or _MIDNIGHT
    if size > 1:
        fast = _numpy_bars(bars, request, size, anchor)
        if fast is not None:
            return fast.lazy()
    return intraday_bars(_minutes(bars, request), size, anchor).select(
        pl.col("trade_date").alias("date"), "minute", *OHLCV
    )


def _uses_stored_daily(bars: BarsInput, request: BarRequest) -> pl.LazyFrame | None:
    if request.session is not None and not request.full_session:
        return None
    return bars.daily()


def build_bars(bars: BarsInput, request: BarRequest) -> tuple[pl.LazyFrame, str]:
    """The bar frame (``date``, ``minute`` for intraday, OHLCV), sorted, and its source name.

    The source is ``daily-settlement`` when the stored daily bars were used, else ``minute``.
    """
    size = request.timeframe
    if is_intraday(size):
        return _intraday(bars, request, INTRADAY_MINUTES[size]), "minute"
    if not is_calendar(size):
        raise ValueError(f"unknown bar size {size!r}")
    stored = _uses_stored_daily(bars, request)
    if stored is not None:
        daily = _date_bounds(stored, request).select(pl.col("trade_date").alias("date"), *OHLCV).sort("date")
        source = "daily-settlement"
    else:
        daily, source = _daily_from_minutes(bars, request), "minute"
    return calendar_bars(daily, size), source


def anchor_session(instrument: Instrument) -> Session:
    """The session whose open anchors intraday bins when a query names none."""
    return instrument.sessions[instrument.default_session]
