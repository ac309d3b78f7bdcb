"""Metric formulas on a hand-made four-trade backtest (+3, −2, 0, +5 points; NQ point value 20)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from shared.backtest.metrics import _longest_runs
from tests.backtest.frames import D, backtest

FLAT = (100, 101, 99, 100)
BARS = [
    FLAT,
    (100, 104, 99, 103),
    FLAT,
    (100, 101, 97, 98),
    FLAT,
    (100, 101, 99, 100),
    FLAT,
    (100, 106, 99, 105),
    FLAT,
]
STRATEGY = {
    "entry": f"date() in ['{D(0)}', '{D(2)}', '{D(4)}', '{D(6)}']",
    "direction": "long",
    "exit_bars": 1,
}


@pytest.fixture(scope="module")
def result():
    return backtest(STRATEGY, BARS)


def test_trade_counts_and_ratios(result):
    m = result.metrics
    assert [t.points for t in result.trades] == [3.0, -2.0, 0.0, 5.0]
    assert [t.outcome for t in result.trades] == ["win", "loss", "scratch", "win"]
    assert (m["trades"], m["wins"], m["losses"], m["scratches"]) == (4, 2, 1, 1)
    assert m["win_rate"] == 50.0
    assert (m["net_pnl"], m["net_points"], m["gross_profit"], m["gross_loss"]) == (120.0, 6.0, 160.0, -40.0)
    assert m["profit_factor"] == 4.0
    assert (m["expectancy"], m["expectancy_points"]) == (30.0, 1.5)
    assert (m["avg_win"], m["avg_loss"], m["largest_win"], m["largest_loss"]) == (80.0, -40.0, 100.0, -40.0)
    assert (m["max_consecutive_wins"], m["max_consecutive_losses"]) == (1, 1)
    assert m["avg_bars_held"] == 1.0
    assert m["exposure_pct"] == pytest.approx(100 * 4 / 9)


def test_drawdown_return_and_recovery(result):
    m = result.metrics
    # Capital: the first open × point value = 2000. Equity at closes: 2000 2060 2060 2020 2020 2020 2020 2120 2120.
    assert m["capital"] == 2000.0
    assert result.curves.equity.tolist() == [2000, 2060, 2060, 2020, 2020, 2020, 2020, 2120, 2120]
    assert (m["max_drawdown"], m["max_drawdown_points"]) == (40.0, 2.0)
    assert m["max_drawdown_pct"] == pytest.approx(40 / 2060 * 100)
    assert m["recovery_factor"] == 3.0
    assert m["return_pct"] == 6.0


def test_sharpe_and_sortino_of_daily_returns(result):
    equity = np.array([2000, 2000, 2060, 2060, 2020, 2020, 2020, 2020, 2120, 2120], dtype=float)
    returns = equity[1:] / equity[:-1] - 1
    sharpe = returns.mean() / returns.std(ddof=1) * math.sqrt(252)
    sortino = returns.mean() / math.sqrt(np.mean(np.minimum(returns, 0) ** 2)) * math.sqrt(252)
    assert result.metrics["sharpe"] == pytest.approx(sharpe, abs=1e-8)
    assert result.metrics["sortino"] == pytest.approx(sortino, abs=1e-8)


def test_buy_and_hold_and_breakdowns(result):
    m = result.metrics
    # Buy at 100 (first open), last close 100; deepest drop 2060 → 1960.
    assert m["buy_hold"] == {
        "pnl": 0.0,
        "points": 0.0,
        "return_pct": 0.0,
        "max_drawdown_pct": pytest.approx(100 / 2060 * 100),
    }
    assert m["by_year"] == [
        {
            "year": 2024,
            "trades": 4,
            "wins": 2,
            "losses": 1,
            "scratches": 1,
            "win_rate": 50.0,
            "net_pnl": 120.0,
            "net_points": 6.0,
        }
    ]
    assert [(r["reason"], r["trades"], r["net_pnl"]) for r in m["by_exit_reason"]] == [
        ("time_stop", 4, 120.0)
    ]


def test_undefined_ratios_are_null_never_infinite():
    result = backtest({"entry": "close > 1000", "direction": "long"}, [FLAT] * 5)
    m = result.metrics
    assert m["trades"] == 0
    for key in (
        "win_rate",
        "profit_factor",
        "expectancy",
        "avg_win",
        "avg_loss",
        "recovery_factor",
        "sharpe",
        "sortino",
    ):
        assert m[key] is None, key
    winners_only = backtest({"entry": f"date() == '{D(0)}'", "direction": "long", "exit_bars": 1}, BARS)
    assert winners_only.metrics["profit_factor"] is None and winners_only.metrics["wins"] == 1
    text = json.dumps(result.to_dict(), allow_nan=False)
    assert "0 trades" in result.summary() and "Infinity" not in text


def test_consecutive_runs_and_scratches():
    assert _longest_runs(["win", "win", "scratch", "win", "loss", "loss", "loss", "win"]) == (2, 3)
    assert _longest_runs([]) == (0, 0)
