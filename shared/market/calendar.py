"""Trading calendar queries: day types, close times, trading sessions and trade-date assignment for bars.

Holiday rules live in ``holidays``; this module answers questions about days and bars for an instrument.
The trading day of an instrument is its ``ETH`` session (or its default session when it has no ``ETH``). A session
whose end is not after its start wraps midnight: it opens on the evening before its trade date.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, Literal
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from shared.market.holidays import NEW_YORK, EarlyClose, Holiday, holidays, in_zone
from shared.market.instruments import Instrument, Session

__all__ = [
    "DayType",
    "Holiday",
    "assign_trade_date_and_minute",
    "close_time",
    "day_type",
    "holiday_on",
    "holidays",
    "instrument_holidays",
    "is_trading_day",
    "next_trading_day",
    "previous_trading_day",
    "trading_days",
    "trading_session",
    "trading_sessions",
]

DayType = Literal["closed", "early_close", "regular"]

_EPOCH = date(1970, 1, 1)
_UTC = ZoneInfo("UTC")


@lru_cache(maxsize=1024)
def _holiday_map(calendar: str, year: int) -> dict[date, Holiday]:
    return {h.date: h for h in holidays(calendar, year)}


def day_type(calendar: str, day: date) -> DayType:
    """``"closed"`` on weekends and full closes, ``"early_close"`` on early closes, else ``"regular"``."""
    if day.weekday() >= 5:
        return "closed"
    holiday = _holiday_map(calendar.upper(), day.year).get(day)
    return holiday.kind if holiday else "regular"


def holiday_on(calendar: str, day: date) -> Holiday | None:
    """The holiday (full or early close) of ``calendar`` on ``day``, if any."""
    return _holiday_map(calendar.upper(), day.year).get(day)


def is_trading_day(calendar: str, day: date) -> bool:
    """True when ``calendar`` has a trade date on ``day`` (a weekday that is not a full close)."""
    return day_type(calendar, day) != "closed"


def next_trading_day(calendar: str, day: date) -> date:
    """The first trading day on or after ``day``."""
    while not is_trading_day(calendar, day):
        day += timedelta(days=1)
    return day


def previous_trading_day(calendar: str, day: date) -> date:
    """The last trading day strictly before ``day``."""
    day -= timedelta(days=1)
    while not is_trading_day(calendar, day):
        day -= timedelta(days=1)
    return day


def trading_days(calendar: str, start: date, end: date) -> list[date]:
    """Trading days of ``calendar`` from ``start`` to ``end`` inclusive."""
    days = (start + timedelta(days=i) for i in range((end - start).days + 1))
    return [d for d in days if is_trading_day(calendar, d)]


def trading_session(instrument: Instrument) -> Session:
    """The session that defines the instrument's trading day: ``ETH`` if it has one, else its default session."""
    return instrument.sessions.get("ETH") or instrument.sessions[instrument.default_session]


def close_time(instrument: Instrument, day: date) -> time | None:
    """The close of ``instrument`` on trade date ``day`` in its display zone; None when the market is closed.

    On regular days this is the end of the trading-day session (17:00 ET for CME Globex products); on early closes
    it is the calendar's early-close halt (13:15 ET for ``CME_EQUITY``), never later than the session end.
    """
    if day_type(instrument.calendar, day) == "closed":
        return None
    session_end = _parse(trading_session(instrument).end)
    holiday = holiday_on(instrument.calendar, day)
    if holiday is None or holiday.close_time is None:
        return session_end
    early = EarlyClose(holiday.close_time, NEW_YORK)
    return min(in_zone(early, day, ZoneInfo(instrument.timezone)), session_end)


def instrument_holidays(instrument: Instrument, year: int) -> list[Holiday]:
    """The calendar's holidays in ``year`` with early-close times for this instrument in its display zone."""
    return [
        h if h.kind == "closed" else h._replace(close_time=close_time(instrument, h.date))
        for h in holidays(instrument.calendar, year)
    ]


def trading_sessions(instrument: Instrument, start: date, end: date) -> pl.DataFrame:
    """One row per trade date in ``[start, end]``: ``trade_date``, ``open`` and ``close`` (UTC datetimes).

    ``open`` is the session start (the previous evening for a session that wraps midnight) and ``close`` the
    regular or early close, both converted from the display zone with its DST rules.
    """
    zone = ZoneInfo(instrument.timezone)
    session = trading_session(instrument)
    start_time = _parse(session.start)
    rows: dict[str, list[Any]] = {"trade_date": [], "open": [], "close": []}
    for day in trading_days(instrument.calendar, start, end):
        open_day = day - timedelta(days=1) if session.wraps_midnight else day
        closing = close_time(instrument, day)
        assert closing is not None
        rows["trade_date"].append(day)
        rows["open"].append(datetime.combine(open_day, start_time, tzinfo=zone).astimezone(_UTC))
        rows["close"].append(datetime.combine(day, closing, tzinfo=zone).astimezone(_UTC))
    return pl.DataFrame(
        rows,
        schema={"trade_date": pl.Date, "open": pl.Datetime("us", "UTC"), "close": pl.Datetime("us", "UTC")},
    )


def assign_trade_date_and_minute(
    data: pl.DataFrame | pl.Series, instrument: Instrument
) -> tuple[pl.Series, pl.Series]:
    """Exchange trade date (Date) and display-time minute of day (Int16) for UTC bar-open timestamps.

    ``data`` is a frame with a ``ts`` column or the ``ts`` series itself (naive values are taken as UTC). Rules:
    for a session that wraps midnight, a bar at or after the session start belongs to the next calendar day; a
    date that is not a trading day (weekend, holiday) rolls forward to the next trading day, so a Sunday-evening
    bar belongs to Monday and the evening session after a holiday belongs to the next trading day.
    """
    ts = data["ts"] if isinstance(data, pl.DataFrame) else data
    if getattr(ts.dtype, "time_zone", None) is None:  # tz-naive timestamps are UTC
        ts = ts.dt.replace_time_zone("UTC")
    local = ts.dt.convert_time_zone(instrument.timezone)
    minute = (local.dt.hour().cast(pl.Int16) * 60 + local.dt.minute().cast(pl.Int16)).alias("minute")
    days = local.dt.date().cast(pl.Int32).to_numpy()
    session = trading_session(instrument)
    if session.wraps_midnight:
        days = days + (minute.to_numpy() >= session.start_minute)
    trade_days = _roll_forward(instrument.calendar, days)
    trade_date = pl.Series("trade_date", trade_days, dtype=pl.Int32).cast(pl.Date)
    return trade_date, minute


def _roll_forward(calendar: str, days: np.ndarray) -> np.ndarray:
    """Map day numbers (days since 1970-01-01) to the next trading day on or after each, via unique values."""
    if days.size == 0:
        return days.astype(np.int32)
    unique, inverse = np.unique(days, return_inverse=True)
    rolled = np.array(
        [(next_trading_day(calendar, _EPOCH + timedelta(days=int(d))) - _EPOCH).days for d in unique],
        dtype=np.int32,
    )
    return rolled[inverse]


def _parse(hhmm: str) -> time:
    hours, minutes = hhmm.split(":")
    return time(int(hours), int(minutes))
