"""Intraday bars: minutes inside a bar (session-anchored bins, ETH across midnight), candles in UTC epoch seconds."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from shared.backtest import check_strategy, run_backtest
from shared.backtest.bars import IntrabarMinutes, load_bars
from shared.ingest.sample import generate_daily_bars, generate_minute_bars
from shared.script import FrameBars
from tests.backtest.frames import NQ, D, minute_frame, trade_rows


def _path(prices: list[float]) -> list[tuple[float, float, float, float]]:
    return [(o, max(o, c), min(o, c), c) for o, c in itertools.pairwise(prices)]


def _hour(up_first: bool) -> list[tuple[float, float, float, float]]:
    """60 minutes from 100: up to 103 then down to 97 (or the mirror), so the 1h bar touches 98 and 102."""
    up = [100 + 0.5 * k for k in range(7)]
    down = list(np.linspace(103, 97, 55))
    prices = up + down if up_first else [200 - p for p in up + down]
    return _path(prices)


@pytest.mark.parametrize(
    ("up_first", "reason", "price"), [(True, "take_profit", 102.0), (False, "stop", 98.0)]
)
def test_minutes_order_an_hourly_bar(up_first, reason, price):
    first_hour = [(100.0, 100.0, 100.0, 100.0)] * 60
    minutes = minute_frame({0: first_hour + _hour(up_first)})
    strategy = {
        "entry": f"date() == '{D(0)}' and time() == '09:30'",
        "direction": "long",
        "from": "1h",
        "session": "RTH",
        "stop_loss": 2,
        "take_profit": 2,
    }
    result = run_backtest(strategy, NQ, FrameBars(minutes), timeout_s=30)
    (trade,) = trade_rows(result)
    assert (trade["entry_date"], trade["entry_time"], trade["entry_price"]) == (D(0), "10:30", 100.0)
    assert (trade["exit_reason"], trade["exit_price"], trade["exit_time"]) == (reason, price, "10:30")
    assert result.resolved_by_minutes == 1
    candles = result.blocks()[3]
    assert [c["name"] for c in candles["columns"]] == ["time", "open", "high", "low", "close"]
    opening = datetime(2024, 1, 2, 10, 30, tzinfo=ZoneInfo("America/New_York")).timestamp()
    assert candles["rows"][1][0] == opening
    assert [(m["time"], m["kind"]) for m in candles["markers"]] == [(opening, "entry"), (opening, "exit")]


@pytest.mark.parametrize(("flat", "exit_date", "reason"), [(True, 0, "session_end"), (False, 1, "end")])
def test_flat_at_session_end_closes_at_the_last_bar_of_the_trade_date(flat, exit_date, reason):
    day = [(100.0, 100.5, 99.5, 100.0)] * 60 + [(100.0, 101.0, 99.0, 100.5)] * 60
    minutes = minute_frame({0: day, 1: day})
    strategy = {
        "entry": f"date() == '{D(0)}' and time() == '09:30'",
        "direction": "long",
        "from": "1h",
        "session": "RTH",
        "flat_at_session_end": flat,
    }
    (trade,) = trade_rows(run_backtest(strategy, NQ, FrameBars(minutes), timeout_s=30))
    assert (trade["entry_date"], trade["entry_time"]) == (D(0), "10:30")
    assert (trade["exit_date"], trade["exit_time"], trade["exit_reason"]) == (D(exit_date), "10:30", reason)
    assert trade["exit_price"] == 100.5


@pytest.fixture(scope="module")
def sample():
    minutes = generate_minute_bars("NQ", date(2024, 3, 1), date(2024, 3, 28), seed=11)
    return FrameBars(minutes, generate_daily_bars(minutes, NQ))


@pytest.mark.parametrize(
    "extra",
    [{"from": "4h"}, {"from": "1h", "session": "RTH"}, {"from": "15m", "session": "ETH"}, {"from": "daily"}],
)
def test_minutes_inside_each_bar_rebuild_that_bar(sample, extra):
    checked, errors = check_strategy({"entry": "close > open", "direction": "long", **extra}, NQ)
    assert errors == []
    bars = load_bars(checked, NQ, sample)
    inside = IntrabarMinutes(checked, NQ, sample, bars).inside
    for i in range(bars.size):
        o, h, low = inside(i)
        assert (o[0], h.max(), low.min()) == (bars.open[i], bars.high[i], bars.low[i]), i
