"""A realistic backtest on synthetic NQ: "long after 3 red days, stop 1.5 %, target 3 %, at most 5 days".

Expected trades are not hard-coded: the signal days are recomputed independently from the daily bars, and
every trade is checked against the fill rules and the bars it spans.
"""

from __future__ import annotations

import itertools
import json
from datetime import date

import numpy as np
import polars as pl
import pytest

from shared.backtest import run_backtest
from shared.ingest.sample import generate_daily_bars, generate_minute_bars
from shared.script import FrameBars
from tests.backtest.frames import NQ

STRATEGY = {
    "entry": "streak(red()) >= 3",
    "direction": "long",
    "stop_loss": "1.5%",
    "take_profit": "3%",
    "exit_bars": 5,
    "commission": 2.25,
    "slippage": "1 tick",
}


@pytest.fixture(scope="module")
def daily_and_result():
    minutes = generate_minute_bars("NQ", date(2023, 1, 2), date(2024, 12, 31), seed=42)
    daily = generate_daily_bars(minutes, NQ)
    return daily, run_backtest(STRATEGY, NQ, FrameBars(minutes, daily), timeout_s=60)


def _signals(daily: pl.DataFrame) -> np.ndarray:
    red = (daily["close"] < daily["open"]).to_numpy()
    run, out = 0, []
    for is_red in red:
        run = run + 1 if is_red else 0
        out.append(run >= 3)
    return np.array(out)


def test_every_signal_is_taken_unless_a_position_is_open(daily_and_result):
    daily, result = daily_and_result
    signals = np.flatnonzero(_signals(daily))
    trades = result.trades
    assert len(trades) >= 20
    entries = {t.entry_index for t in trades}
    for s in signals[signals < daily.height - 1]:
        holding = any(t.entry_index <= s < t.exit_index for t in trades)
        assert (s + 1) in entries or holding, s
    for t in trades:
        assert signals.tolist().count(t.entry_index - 1) == 1  # every entry follows a signal bar
    for before, after in itertools.pairwise(trades):
        assert after.entry_index >= before.exit_index  # one position at a time


def test_each_trade_follows_the_fill_rules(daily_and_result):
    daily, result = daily_and_result
    o, h, low, c = (daily[k].to_numpy() for k in ("open", "high", "low", "close"))
    tick, slip = 0.25, 0.25
    for t in result.trades:
        entry = o[t.entry_index] + slip
        assert t.entry_price == entry
        assert t.stop == entry - round(entry * 0.015 / tick) * tick
        assert t.target == entry + round(entry * 0.03 / tick) * tick
        assert 1 <= t.bars_held <= 5
        x = t.exit_index
        if t.reason == "stop":
            assert low[x] - slip <= t.exit_price <= t.stop - slip
        elif t.reason == "take_profit":
            assert t.target <= t.exit_price <= h[x]
        elif t.reason == "time_stop":
            assert t.bars_held == 5 and t.exit_price == c[x] - slip
        else:
            assert t.reason == "end" and x == daily.height - 1
        assert t.points == pytest.approx(t.exit_price - t.entry_price, abs=1e-9)
        assert t.pnl == pytest.approx(t.points * 20 - 4.5, abs=1e-6)


def test_metrics_add_up(daily_and_result):
    _, result = daily_and_result
    m = result.metrics
    assert m["net_pnl"] == pytest.approx(sum(t.pnl for t in result.trades))
    assert m["net_pnl"] == pytest.approx(sum(y["net_pnl"] for y in m["by_year"]))
    assert m["trades"] == sum(r["trades"] for r in m["by_exit_reason"])
    assert result.curves.equity[-1] == pytest.approx(m["capital"] + m["net_pnl"])
    assert m["commission_paid"] == pytest.approx(4.5 * m["trades"])
    assert 0 < m["exposure_pct"] < 100 and m["max_drawdown"] > 0
    assert m["sharpe"] is not None and m["buy_hold"]["points"] != 0


def test_result_is_json_safe_and_the_summary_is_compact(daily_and_result):
    _, result = daily_and_result
    payload = result.to_dict()
    text = json.dumps(payload, allow_nan=False)
    assert [b["type"] for b in payload["blocks"]] == ["metrics-grid", "equity-curve", "trades", "candles"]
    assert len(payload["trades"]["rows"]) == len(result.trades)
    assert len(payload["blocks"][3]["markers"]) == 2 * len(result.trades)
    summary = result.summary()
    assert summary == result.summary() and len(summary) < 2500
    assert f"Trades {len(result.trades)}" in summary and "Buy & hold" in summary
    assert len(text) < 1_000_000
