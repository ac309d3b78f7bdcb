"""The bars a backtest trades on and the one-minute bars inside them, both built by the Barb Script engine.

The strategy's rules are ``map`` columns of one Barb Script plan (``shared.backtest.strategy``), so they are
computed exactly as a query computes them: over the full history (indicators warmed up as on a chart), then
limited to the period. Bars are the engine's: one per trade date (settlement daily bars when stored),
session-anchored intraday bins.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import polars as pl

from shared.backtest.strategy import COLUMN_NAMES, DISTANCE_FIELDS, CheckedStrategy
from shared.market import Instrument
from shared.script import BarRequest, BarsInput, QueryFailed, anchor_session, build_bars, execute_plan


@dataclass(frozen=True)
class StrategyBars:
    """The period's bars in time order, with the rule columns as arrays."""

    dates: pl.Series
    """Trade date of each bar (``pl.Date``)."""
    minutes: np.ndarray | None
    """Bar open, minutes since midnight in the display time zone (intraday bars only)."""
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    entry: np.ndarray
    """True where the entry rule holds at the bar's close."""
    exit: np.ndarray | None
    distances: dict[str, np.ndarray] = field(default_factory=dict)
    """Expression distances and levels per bar (NaN where the expression has no value, e.g. during warm-up)."""
    source: str = "minute"
    """``daily-settlement`` or ``minute``, as in query results."""

    @property
    def size(self) -> int:
        return len(self.close)


def _floats(frame: pl.DataFrame, name: str) -> np.ndarray:
    return frame.get_column(name).cast(pl.Float64).fill_null(float("nan")).to_numpy().copy()


def _flags(frame: pl.DataFrame, name: str) -> np.ndarray:
    return frame.get_column(name).cast(pl.Boolean).fill_null(False).to_numpy().copy()


def load_bars(checked: CheckedStrategy, instrument: Instrument, source: BarsInput) -> StrategyBars:
    """Run the strategy's plan and return its bars; :class:`QueryFailed` ``NO_DATA`` when the period is empty."""
    execution = execute_plan(checked.plan, instrument, source, checked.universe)
    frame = execution.frame
    if frame.height == 0:
        raise QueryFailed("There are no bars for this strategy's session and period.", "NO_DATA")
    minutes = None
    if "time" in frame.columns:
        clock = frame.get_column("time")
        minutes = (clock.dt.hour().cast(pl.Int32) * 60 + clock.dt.minute().cast(pl.Int32)).to_numpy()
    strategy = checked.strategy
    return StrategyBars(
        dates=frame.get_column("date"),
        minutes=minutes,
        open=_floats(frame, "open"),
        high=_floats(frame, "high"),
        low=_floats(frame, "low"),
        close=_floats(frame, "close"),
        entry=_flags(frame, COLUMN_NAMES["entry"]),
        exit=_flags(frame, COLUMN_NAMES["exit"]) if strategy.exit is not None else None,
        distances={
            name: _floats(frame, COLUMN_NAMES[name])
            for name in DISTANCE_FIELDS
            if name in checked.distances and checked.distances[name].per_bar
        },
        source=execution.source,
    )


@dataclass
class _Year:
    days: np.ndarray
    offsets: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray


class IntrabarMinutes:
    """The one-minute bars inside each strategy bar, read a calendar year at a time when first asked for.

    A minute belongs to the bar with the same trade date whose open is the latest at or before it, ordered
    from the session open (so an 18:00 ETH minute comes before a 09:00 minute of the same trade date).
    Only bars whose order of events is ambiguous are asked for, so most backtests read few years.
    """

    def __init__(
        self, checked: CheckedStrategy, instrument: Instrument, source: BarsInput, bars: StrategyBars
    ):
        plan = checked.plan
        self._source = source
        self._request = BarRequest(
            timeframe="1m",
            session=plan.session,
            full_session=plan.full_session,
            anchor=anchor_session(instrument),
        )
        self._anchor = (plan.session or anchor_session(instrument)).start_minute
        self._days = bars.dates.cast(pl.Int32).to_numpy()
        self._offsets = None if bars.minutes is None else (bars.minutes - self._anchor) % 1440
        self._years: dict[int, _Year | None] = {}
        self._available = True

    def _year(self, year: int) -> _Year | None:
        if year not in self._years:
            self._years = {}  # the simulation moves forward in time: keep one year in memory
            request = replace(self._request, start=date(year, 1, 1), end=date(year, 12, 31))
            try:
                frame, _ = build_bars(self._source, request)
                rows = frame.select("date", "minute", "open", "high", "low").collect()
            except LookupError:
                self._available = False
                return None
            self._years[year] = _Year(
                days=rows.get_column("date").cast(pl.Int32).to_numpy(),
                offsets=(rows.get_column("minute").cast(pl.Int32).to_numpy() - self._anchor) % 1440,
                open=rows.get_column("open").to_numpy(),
                high=rows.get_column("high").to_numpy(),
                low=rows.get_column("low").to_numpy(),
            )
        return self._years[year]

    def inside(self, index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """``(open, high, low)`` of the minutes inside bar ``index``, in time order; None when there are none."""
        if not self._available:
            return None
        day = int(self._days[index])
        year = self._year((np.datetime64(day, "D").astype(object)).year)
        if year is None:
            return None
        lo, hi = np.searchsorted(year.days, [day, day + 1])
        if self._offsets is not None:
            start = self._offsets[index]
            same_day_next = index + 1 < len(self._days) and self._days[index + 1] == day
            end = self._offsets[index + 1] if same_day_next else 1440
            offsets = year.offsets[lo:hi]
            keep = np.flatnonzero((offsets >= start) & (offsets < end)) + lo
        else:
            keep = np.arange(lo, hi)
        if keep.size == 0:
            return None
        return year.open[keep], year.high[keep], year.low[keep]
