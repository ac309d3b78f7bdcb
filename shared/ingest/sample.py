"""Deterministic synthetic futures bars ("synthetic sample" data).

The bars follow the instrument's trading calendar: one session per trade date from the session start (the previous
evening for CME Globex, 18:00 ET) to the regular or early close, nothing on full closes, DST handled by the calendar.
Prices follow a daily GARCH(1,1) process with fat tails that mean-reverts to a yearly path of levels resembling the
real contract; each day is split into minutes with a U-shaped intraday volatility and volume profile and an opening
gap after each halt (larger after weekends and holidays). Prices are rounded to the tick size. The daily, gap and
minute shocks mix common market factors with the instrument's own noise (``shared.ingest.factors``), so
instruments generated separately still move together where they trade at the same time.

Everything is numpy-vectorized except a loop over days; the same ``seed`` gives the same frame.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import polars as pl

from data_store.layout import SCHEMA
from shared.ingest.factors import co_moving, fat_tailed
from shared.market import Instrument, daily_bars, get_instrument, is_trading_day, trading_sessions

_MINUTE_US = 60_000_000
_TRADING_DAYS_PER_YEAR = 252
_GARCH_ALPHA, _GARCH_BETA = 0.08, 0.90
_MEAN_REVERSION = 0.02  # daily pull of the log price toward the level path (half-life about a month)

# Levels near the start of each year 2008–2026, then notable extremes as (date, level); annualised volatility;
# contracts per day. Approximate figures chosen to look like the front contract, not to reproduce it.
_LEVELS: dict[str, str] = {
    "NQ": "2050 1210 1860 2220 2280 2680 3590 4240 4600 4900 6400 6350 8800 12900 16300 11000 16900 21200 25000",
    "ES": "1470 900 1120 1260 1260 1430 1840 2060 2040 2240 2680 2500 3230 3750 4770 3840 4770 5900 6850",
    "YM": "13200 8800 10400 11600 12200 13100 16500 17800 17400 19800 24700 23300 28500 30600 36300 33100 37600 "
    "42500 48000",
    "RTY": "765 500 625 780 740 850 1160 1200 1130 1360 1540 1350 1670 1970 2240 1760 2030 2230 2480",
    "FDAX": "8000 4800 5950 6900 5900 7600 9550 9800 10700 11500 12900 10600 13250 13700 15900 13900 16750 19900 "
    "24000",
    "FESX": "4400 2450 2960 2800 2300 2650 3100 3150 3250 3300 3500 3000 3750 3550 4300 3800 4500 4900 5700",
    "CL": "96 45 80 91 99 93 98 53 37 54 60 46 61 48 76 80 72 72 60",
    "BRN": "96 46 78 95 107 111 108 56 37 57 66 54 66 52 78 85 77 75 62",
    "NG": "7.5 5.6 5.6 4.4 3.0 3.3 4.2 2.9 2.3 3.7 3.0 2.9 2.1 2.5 3.8 4.4 2.6 3.6 4.0",
    "RB": "2.5 1.1 2.0 2.4 2.7 2.8 2.65 1.45 1.25 1.65 1.75 1.35 1.7 1.4 2.25 2.4 2.1 1.95 1.8",
    "HO": "2.65 1.4 2.05 2.55 2.9 3.05 3.0 1.85 1.1 1.7 2.05 1.7 2.0 1.45 2.35 3.25 2.6 2.3 2.2",
    "GC": "840 880 1100 1420 1570 1680 1200 1180 1060 1150 1300 1280 1520 1890 1830 1830 2070 2640 4300",
    "SI": "15 11 17 30 28 30 19.5 15.7 13.8 16 17 15.5 17.9 26.4 23.3 24 23.8 29 50",
    "HG": "3.0 1.4 3.3 4.4 3.4 3.65 3.35 2.85 2.15 2.5 3.3 2.6 2.8 3.5 4.45 3.8 3.9 4.1 5.0",
    "PL": "1530 930 1480 1750 1400 1540 1370 1200 890 900 930 800 970 1070 960 1070 1000 910 1600",
    "6A": "0.875 0.70 0.90 1.02 1.02 1.04 0.89 0.82 0.73 0.72 0.78 0.705 0.70 0.77 0.725 0.68 0.68 0.62 0.66",
    "6B": "1.98 1.45 1.61 1.56 1.55 1.62 1.65 1.56 1.47 1.23 1.35 1.27 1.32 1.37 1.35 1.21 1.27 1.25 1.34",
    "6C": "1.01 0.82 0.95 1.00 0.98 1.01 0.94 0.86 0.72 0.745 0.795 0.733 0.77 0.785 0.79 0.738 0.755 0.695 0.72",
    "6E": "1.46 1.40 1.43 1.34 1.30 1.32 1.38 1.21 1.09 1.05 1.20 1.15 1.12 1.22 1.14 1.07 1.10 1.04 1.17",
    "6J": "0.0090 0.0110 0.0108 0.0123 0.0130 0.0115 0.0095 0.0083 0.0083 0.0086 0.0089 0.0091 0.0092 0.0097 "
    "0.0087 0.0076 0.0071 0.0064 0.0064",
    "6S": "0.89 0.94 0.97 1.07 1.07 1.10 1.12 1.00 1.00 0.98 1.03 1.02 1.03 1.13 1.10 1.08 1.19 1.11 1.26",
    "ZN": "114 124 115 120 131 132 123 127 126 124 124 122 129 138 130 112 112 108 112",
    "ZF": "110 118 114 117 123 124 119 119 118 117 116 115 119 126 121 108 108 106 109",
    "ZT": "105 109 108 109 110 110 109 109 108 108 107 106 108 110 109 102 102 102 104",
    "US": "118 136 116 121 144 147 128 150 154 150 154 146 159 172 160 126 125 115 117",
    "ZC": "455 405 415 630 650 700 420 400 358 350 350 375 390 485 590 680 470 450 440",
    "ZW": "885 610 545 790 650 780 605 590 470 410 425 500 560 640 770 790 630 550 520",
    "ZS": "1200 980 1040 1390 1200 1410 1290 1020 870 1000 960 890 950 1310 1340 1520 1290 1000 1060",
    "KC": "135 110 140 240 225 145 110 170 125 140 125 100 130 125 225 165 190 320 350",
    "CC": "2050 2600 3300 3000 2150 2250 2700 2900 3200 2100 1900 2400 2550 2600 2500 2600 4200 11000 6000",
    # CME bitcoin futures list from December 2017; earlier years repeat the first level.
    "BTC": "14000 14000 14000 14000 14000 14000 14000 14000 14000 14000 14000 3700 7200 29000 46000 16600 42500 "
    "94000 88000",
}
_EXTREMES: dict[str, tuple[tuple[date, float], ...]] = {
    "NQ": ((date(2009, 3, 9), 1050), (date(2020, 3, 23), 7000), (date(2022, 10, 13), 10700)),
    "ES": ((date(2009, 3, 9), 680), (date(2020, 3, 23), 2200), (date(2022, 10, 13), 3500)),
    "CL": (
        (date(2008, 7, 11), 145),
        (date(2008, 12, 19), 34),
        (date(2020, 4, 21), 15),
        (date(2022, 3, 8), 123),
    ),
    "GC": ((date(2011, 9, 6), 1900), (date(2015, 12, 17), 1050), (date(2020, 8, 6), 2070)),
}
_VOLATILITY = {
    "index": 0.22, "energy": 0.40, "metals": 0.22, "currency": 0.09, "treasury": 0.06, "agriculture": 0.27,
    "crypto": 0.65,
}  # fmt: skip
_SYMBOL_VOLATILITY = {"NQ": 0.25, "ES": 0.19, "YM": 0.17, "RTY": 0.28, "GC": 0.15, "NG": 0.55, "SI": 0.30,
                      "ZT": 0.015, "ZF": 0.04, "US": 0.11, "6J": 0.10, "KC": 0.33}  # fmt: skip
_DAILY_VOLUME = {
    "NQ": 400e3, "ES": 1.6e6, "YM": 150e3, "RTY": 150e3, "FDAX": 80e3, "FESX": 800e3, "CL": 700e3, "BRN": 600e3,
    "NG": 350e3, "RB": 150e3, "HO": 150e3, "GC": 250e3, "SI": 80e3, "HG": 100e3, "PL": 20e3, "6A": 120e3,
    "6B": 100e3, "6C": 80e3, "6E": 250e3, "6J": 150e3, "6S": 30e3, "ZN": 1.5e6, "ZF": 800e3, "ZT": 400e3,
    "US": 350e3, "ZC": 350e3, "ZW": 130e3, "ZS": 200e3, "KC": 25e3, "CC": 25e3, "BTC": 10e3,
}  # fmt: skip
_FIRST_LEVEL_YEAR = 2008
_BTC_LISTING = date(2017, 12, 18)


def generate_minute_bars(symbol: str, start: date, end: date, seed: int = 0) -> pl.DataFrame:
    """Synthetic one-minute bars for a catalogue ``symbol`` over trade dates ``start``..``end`` (inclusive).

    Columns: ``ts`` (bar open, UTC), ``open high low close volume`` (float64), ``trade_date`` (Date) and
    ``minute`` (Int16, minutes since midnight in the display zone), sorted by ``ts``. The same arguments always
    give the same frame. Raises ValueError for a symbol outside the catalogue levels or an empty range.
    """
    instrument = get_instrument(symbol)
    if instrument is None or instrument.symbol not in _LEVELS:
        raise ValueError(f"no synthetic levels for symbol {symbol!r}")
    if instrument.symbol == "BTC":
        start = max(start, _BTC_LISTING)
    sessions = trading_sessions(instrument, start, end) if start <= end else None
    if sessions is None or sessions.height == 0:
        return _empty_frame()
    rng = np.random.default_rng([seed, _symbol_key(instrument.symbol)])

    opens = sessions["open"].dt.epoch("us").to_numpy() // _MINUTE_US
    closes = sessions["close"].dt.epoch("us").to_numpy() // _MINUTE_US
    day_index, first_row = _minute_grid(np.maximum(closes - opens, 0))
    utc_minute = opens[day_index] + (np.arange(day_index.size) - first_row[day_index])
    local_minute = _display_minutes(instrument, utc_minute)

    shape = _intraday_profile(instrument, local_minute)
    day_shape = np.bincount(day_index, weights=shape, minlength=opens.size)
    share = shape / day_shape[day_index]
    days = sessions["trade_date"].to_list()
    ordinals = np.array([day.toordinal() for day in days])
    daily_z = co_moving(instrument, seed, "daily", ordinals, fat_tailed(rng, ordinals.size))
    daily_sigma, levels = _daily_path(instrument, days, daily_z)
    gap_z = co_moving(instrument, seed, "gap", ordinals, rng.standard_normal(ordinals.size))
    gaps = _opening_gaps(opens, closes, daily_sigma, gap_z)
    minute_sigma = daily_sigma[day_index] * np.sqrt(share)
    shocks = minute_sigma * co_moving(
        instrument, seed, "minute", utc_minute, fat_tailed(rng, utc_minute.size)
    )
    log_prices = _minute_log_prices(levels, gaps, shocks, share, day_index, first_row)
    wick = minute_sigma * 0.6
    log_prices["high"] += wick * np.abs(rng.standard_normal(day_index.size))
    log_prices["low"] -= wick * np.abs(rng.standard_normal(day_index.size))
    prices = _ohlc_in_ticks(log_prices, instrument.tick_size)

    regime = daily_sigma / np.median(daily_sigma)
    activity = 1.0 + 0.5 * np.abs(shocks) / np.maximum(minute_sigma, 1e-12)
    activity /= activity.mean()  # keep the average day near the contract's daily volume
    # Per-minute volume relative to a full day, so early-close days trade less in total.
    volume = (
        _DAILY_VOLUME[instrument.symbol] * regime[day_index] * shape / np.median(day_shape) * activity
        * rng.lognormal(0.0, 0.35, day_index.size)
    )  # fmt: skip
    columns = {
        "ts": utc_minute * _MINUTE_US,
        **prices,
        "volume": np.maximum(np.round(volume), 1.0),
        "trade_date": sessions["trade_date"].gather(day_index),
        "minute": local_minute,
    }
    return pl.DataFrame(columns).cast(SCHEMA).select(*SCHEMA)


def generate_daily_bars(minute_df: pl.DataFrame, instrument: Instrument | str) -> pl.DataFrame:
    """Daily (``1d``) bars from minute bars: one row per trade date, settlement close = last minute close.

    ``ts`` is the open of the trade date's first minute bar and ``minute`` is null. Raises ValueError when a
    bar's trade date is not a trading day of the instrument's calendar.
    """
    resolved = get_instrument(instrument) if isinstance(instrument, str) else instrument
    if resolved is None:
        raise ValueError(f"unknown instrument {instrument!r}")
    daily = (
        daily_bars(minute_df.lazy().sort("ts"), first=("ts",))
        .with_columns(pl.lit(None, dtype=pl.Int16).alias("minute"))
        .select(*SCHEMA)
        .collect()
    )
    bad = [d for d in daily["trade_date"].to_list() if not is_trading_day(resolved.calendar, d)]
    if bad:
        raise ValueError(f"bars on non-trading days of {resolved.calendar}: {bad[:5]}")
    return daily


def _minute_grid(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Session number of every minute row, and the row where each session starts."""
    day_index = np.repeat(np.arange(counts.size), counts)
    first_row = np.concatenate(([0], np.cumsum(counts)[:-1]))
    return day_index, first_row


def _minute_log_prices(
    levels: np.ndarray,
    gaps: np.ndarray,
    shocks: np.ndarray,
    share: np.ndarray,
    day_index: np.ndarray,
    first_row: np.ndarray,
) -> dict[str, np.ndarray]:
    """Log open/high/low/close per minute (high/low without wicks).

    Each session opens at the previous close plus its gap; the minute shocks are bridged (the residual spread by
    each minute's variance share) so the session ends exactly on its daily close ``levels[i + 1]``.
    """
    previous_close, daily_close = levels[:-1], levels[1:]
    shock_sum = np.bincount(day_index, weights=shocks, minlength=gaps.size)
    returns = shocks + share * (daily_close - previous_close - gaps - shock_sum)[day_index]
    returns[first_row] += gaps
    cumulative = np.cumsum(returns)
    day_base = previous_close - (cumulative[first_row] - returns[first_row])
    log_close = cumulative + day_base[day_index]
    log_open = log_close - returns
    return {
        "open": log_open,
        "high": np.maximum(log_open, log_close),
        "low": np.minimum(log_open, log_close),
        "close": log_close,
    }


def _ohlc_in_ticks(log_prices: dict[str, np.ndarray], tick: float) -> dict[str, np.ndarray]:
    """Prices rounded to the tick, with high/low widened where rounding moved open or close past them."""
    prices = {name: _to_ticks(np.exp(values), tick) for name, values in log_prices.items()}
    prices["high"] = np.maximum.reduce([prices["high"], prices["open"], prices["close"]])
    prices["low"] = np.minimum.reduce([prices["low"], prices["open"], prices["close"]])
    return prices


def _empty_frame() -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMA)


def _symbol_key(symbol: str) -> int:
    """A stable per-symbol seed component (``hash`` of a str is salted per process)."""
    return int.from_bytes(symbol.encode(), "little")


def _display_minutes(instrument: Instrument, utc_minute: np.ndarray) -> np.ndarray:
    """Minutes since midnight in the instrument's display zone (DST-correct per bar)."""
    local = (
        pl.Series(utc_minute * _MINUTE_US)
        .cast(pl.Datetime("us", "UTC"))
        .dt.convert_time_zone(instrument.timezone)
    )
    return (local.dt.hour().cast(pl.Int16) * 60 + local.dt.minute().cast(pl.Int16)).to_numpy()


def _intraday_profile(instrument: Instrument, minute: np.ndarray) -> np.ndarray:
    """Relative activity per minute of day: U-shaped in the regular session, quiet overnight.

    Drives both the minute variance and the volume, so the busiest minutes are the most volatile.
    """
    regular = instrument.sessions.get("RTH") or instrument.sessions[instrument.default_session]
    open_minute, close_minute = regular.start_minute, regular.end_minute
    m = minute.astype(np.float64)
    in_regular = (m >= open_minute) & (m < close_minute)
    since_open = m - open_minute
    to_close = close_minute - m
    u_shape = 1.0 + 2.5 * np.exp(-since_open / 25.0) + 1.8 * np.exp(-to_close / 20.0)
    europe = (m >= 180) & (m < open_minute)  # London hours before the US open
    return np.where(in_regular, u_shape, np.where(europe, 0.3, 0.12))


def _daily_path(instrument: Instrument, days: list[date], z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Daily volatility (GARCH(1,1) on the unit-variance shocks ``z``) and log closes pulled toward the level path.

    The log closes have one more element than ``days``: the close before the first day comes first.
    """
    target = np.log(_level_path(instrument.symbol, days))
    annual = _SYMBOL_VOLATILITY.get(instrument.symbol, _VOLATILITY.get(instrument.category, 0.2))
    long_run = (annual / np.sqrt(_TRADING_DAYS_PER_YEAR)) ** 2
    omega = long_run * (1.0 - _GARCH_ALPHA - _GARCH_BETA)
    sigma = np.empty(len(days))
    log_close = np.empty(len(days) + 1)
    variance, level, shock = long_run, target[0], 0.0
    log_close[0] = level
    for i in range(len(days)):
        variance = omega + _GARCH_ALPHA * shock**2 + _GARCH_BETA * variance
        sigma[i] = np.sqrt(variance)
        shock = sigma[i] * z[i]
        trend = target[i] - target[i - 1] if i else 0.0
        level = level + trend + _MEAN_REVERSION * (target[i] - level) + shock
        log_close[i + 1] = level
    return sigma, log_close


def _level_path(symbol: str, days: list[date]) -> np.ndarray:
    """Levels interpolated (log-linearly) between yearly anchors and known extremes."""
    anchors = [(date(_FIRST_LEVEL_YEAR + i, 1, 2), float(v)) for i, v in enumerate(_LEVELS[symbol].split())]
    anchors = sorted(anchors + list(_EXTREMES.get(symbol, ())))
    x = np.array([a.toordinal() for a, _ in anchors], dtype=np.float64)
    y = np.log([v for _, v in anchors])
    return np.exp(np.interp([d.toordinal() for d in days], x, y))


def _opening_gaps(opens: np.ndarray, closes: np.ndarray, sigma: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Log gap at each session open: small after the daily halt, larger after a weekend or holiday."""
    halt = np.concatenate(([60], opens[1:] - closes[:-1]))
    scale = np.where(halt > 24 * 60, 0.35, 0.08)
    gaps: np.ndarray = sigma * scale * z
    return gaps


def _to_ticks(values: np.ndarray, tick: float) -> np.ndarray:
    decimals = max(0, -int(Decimal(str(tick)).normalize().as_tuple().exponent))
    return np.round(np.round(values / tick) * tick, decimals)
