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

from dataclasses import dataclass
from datetime import date
from typing import Protocol

import polars as pl

from shared.market.instruments import Instrument, Session

INTRADAY_MINUTES = {"1m": 1, "5m": 5, "15m": 15, "30m": 30, "1h": 60, "2h": 120, "4h": 240}
PERIOD_BUCKETS = {"weekly": "1w", "monthly": "1mo", "quarterly": "1q", "yearly": "1y"}
OHLCV = ("open", "high", "low", "close", "volume")


class BarsInput(Protocol):
    """Where the engine reads an instrument's stored bars from."""

    def minute(self) -> pl.LazyFrame:
        """One-minute bars: ``ts open high low close volume trade_date minute``."""
        ...

    def daily(self) -> pl.LazyFrame | None:
        """Stored daily bars (settlement close) with ``trade_date``, or None when the data set has none."""
        ...


@dataclass(frozen=True)
class StoreBars:
    """:class:`BarsInput` over a bar store (anything with ``scan(symbol, bar_size)``)."""

    store: object
    symbol: str

    def minute(self) -> pl.LazyFrame:
        frame = self.store.scan(self.symbol, "1m")  # type: ignore[attr-defined]
        if frame is None:
            raise LookupError(f"no one-minute bars for {self.symbol}")
        return frame

    def daily(self) -> pl.LazyFrame | None:
        return self.store.scan(self.symbol, "1d")  # type: ignore[attr-defined]


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


def _ohlcv_agg() -> list[pl.Expr]:
    return [
        pl.col("open").first(),
        pl.col("high").max(),
        pl.col("low").min(),
        pl.col("close").last(),
        pl.col("volume").sum(),
    ]


def _minutes(bars: BarsInput, request: BarRequest) -> pl.LazyFrame:
    frame = _date_bounds(bars.minute(), request)
    if request.session is not None:
        frame = frame.filter(_session_mask(request.session))
    return frame


def _daily_from_minutes(bars: BarsInput, request: BarRequest) -> pl.LazyFrame:
    return (
        _minutes(bars, request)
        .group_by("trade_date")
        .agg(_ohlcv_agg())
        .sort("trade_date")
        .select(pl.col("trade_date").alias("date"), *OHLCV)
    )


def _intraday(bars: BarsInput, request: BarRequest) -> pl.LazyFrame:
    size = INTRADAY_MINUTES[request.timeframe]
    frame = _minutes(bars, request)
    if size == 1:
        return frame.select(pl.col("trade_date").alias("date"), pl.col("minute").cast(pl.Int16), *OHLCV)
    anchor = (request.session or request.anchor or Session("00:00", "00:00")).start_minute
    offset = (pl.col("minute").cast(pl.Int32) - anchor) % 1440
    return (
        frame.with_columns((offset // size).alias("__bin"))
        .group_by("trade_date", "__bin", maintain_order=True)
        .agg(_ohlcv_agg())
        .sort("trade_date", "__bin")
        .select(
            pl.col("trade_date").alias("date"),
            ((pl.col("__bin") * size + anchor) % 1440).cast(pl.Int16).alias("minute"),
            *OHLCV,
        )
    )


def _uses_stored_daily(bars: BarsInput, request: BarRequest) -> pl.LazyFrame | None:
    if request.session is not None and not request.full_session:
        return None
    return bars.daily()


def build_bars(bars: BarsInput, request: BarRequest) -> tuple[pl.LazyFrame, str]:
    """The bar frame (``date``, ``minute`` for intraday, OHLCV), sorted, and its source name.

    The source is ``daily-settlement`` when the stored daily bars were used, else ``minute``.
    """
    if request.timeframe in INTRADAY_MINUTES:
        return _intraday(bars, request), "minute"
    stored = _uses_stored_daily(bars, request)
    if stored is not None:
        daily = _date_bounds(stored, request).select(pl.col("trade_date").alias("date"), *OHLCV).sort("date")
        source = "daily-settlement"
    else:
        daily, source = _daily_from_minutes(bars, request), "minute"
    if request.timeframe == "daily":
        return daily, source
    bucket = PERIOD_BUCKETS[request.timeframe]
    periodic = (
        daily.with_columns(pl.col("date").dt.truncate(bucket).alias("__bucket"))
        .group_by("__bucket", maintain_order=True)
        .agg(pl.col("date").first(), *_ohlcv_agg())
        .sort("__bucket")
        .select("date", *OHLCV)
    )
    return periodic, source


def anchor_session(instrument: Instrument) -> Session:
    """The session whose open anchors intraday bins when a query names none."""
    return instrument.sessions[instrument.default_session]
