"""Tiny hand-made bar sets for backtest scenarios (daily bars by trade date, minutes inside chosen bars), and
the checks of strategies that are refused before any bar is read."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import polars as pl
import pytest

from shared.backtest import BacktestResult, StrategyInvalid, check_strategy, run_backtest
from shared.market import Instrument, get_instrument
from shared.script import FrameBars

NQ: Instrument = get_instrument("NQ")  # type: ignore[assignment]
"""Tick 0.25, point value 20 USD."""

Bar = tuple[float, float, float, float]


def trade_dates(count: int, start: date = date(2024, 1, 2)) -> list[date]:
    """``count`` weekdays from ``start``."""
    days, day = [], start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def D(i: int) -> str:
    """The i-th trade date of the fixtures, as written in rules (``'2024-01-02'`` for 0)."""
    return trade_dates(i + 1)[-1].isoformat()


def daily_frame(bars: list[Bar]) -> pl.DataFrame:
    """Stored daily bars (``trade_date`` + OHLCV), one per weekday from 2024-01-02."""
    dates = trade_dates(len(bars))
    return pl.DataFrame(
        {
            "ts": [datetime(d.year, d.month, d.day, tzinfo=UTC) for d in dates],
            "open": [float(b[0]) for b in bars],
            "high": [float(b[1]) for b in bars],
            "low": [float(b[2]) for b in bars],
            "close": [float(b[3]) for b in bars],
            "volume": [1000.0] * len(bars),
            "trade_date": dates,
            "minute": pl.Series([0] * len(bars), dtype=pl.Int16),
        }
    )


def minute_frame(per_day: dict[int, list[Bar]], first_minute: int = 9 * 60 + 30) -> pl.DataFrame:
    """One-minute bars for the given trade-date indexes, starting at ``first_minute`` (display time)."""
    rows: dict[str, list[Any]] = {
        k: [] for k in ("ts", "open", "high", "low", "close", "volume", "trade_date", "minute")
    }
    dates = trade_dates(max(per_day, default=0) + 1)
    for index, bars in sorted(per_day.items()):
        day = dates[index]
        for k, (o, h, lo, c) in enumerate(bars):
            minute = first_minute + k
            rows["ts"].append(
                datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(minutes=minute + 300)
            )
            rows["open"].append(o)
            rows["high"].append(h)
            rows["low"].append(lo)
            rows["close"].append(c)
            rows["volume"].append(10.0)
            rows["trade_date"].append(day)
            rows["minute"].append(minute)
    return pl.DataFrame(
        rows,
        schema={
            "ts": pl.Datetime("us", "UTC"),
            "open": pl.Float64,
            "high": pl.Float64,
            "low": pl.Float64,
            "close": pl.Float64,
            "volume": pl.Float64,
            "trade_date": pl.Date,
            "minute": pl.Int16,
        },
    )


def backtest(
    strategy: dict[str, Any], bars: list[Bar], minutes: dict[int, list[Bar]] | None = None
) -> BacktestResult:
    """Run ``strategy`` on NQ over the hand-made daily ``bars`` (and the minutes inside some of them)."""
    source = FrameBars(minute_frame(minutes or {}), daily_frame(bars))
    return run_backtest(strategy, NQ, source, timeout_s=30)


def strategy_errors(strategy: Any) -> list[Any]:
    """The problems ``check_strategy`` finds in ``strategy`` on NQ, which it must refuse."""
    checked, errors = check_strategy(strategy, NQ)
    assert checked is None
    return errors


class _Untouchable:
    """Bars that fail the test when read."""

    def minute(self) -> pl.LazyFrame:
        raise AssertionError("read")

    def daily(self) -> pl.LazyFrame:
        raise AssertionError("read")


def refused_unread(strategy: Any) -> StrategyInvalid:
    """The ``StrategyInvalid`` that ``run_backtest`` raises for ``strategy`` on NQ without reading a bar."""
    with pytest.raises(StrategyInvalid) as caught:
        run_backtest(strategy, NQ, _Untouchable())  # type: ignore[arg-type]
    return caught.value


def trade_rows(result: BacktestResult) -> list[dict[str, Any]]:
    """The trades table as dicts."""
    table = result.to_dict(blocks=False)["trades"]
    names = [c["name"] for c in table["columns"]]
    return [dict(zip(names, row, strict=True)) for row in table["rows"]]
