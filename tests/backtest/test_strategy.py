"""Strategy checks: every problem at once, located by field, with hints; look-ahead rules rejected."""

from __future__ import annotations

from datetime import date

import pytest

from shared.backtest import check_strategy, run_backtest
from shared.backtest.strategy import parse_distance
from shared.ingest.sample import generate_daily_bars, generate_minute_bars
from shared.script import FrameBars
from tests.backtest.frames import NQ, refused_unread, strategy_errors


@pytest.mark.parametrize(
    ("rule", "function", "alternative"),
    [
        ("high >= session_high()", "session_high", "session_high_sofar()"),
        ("low <= session_low()", "session_low", "session_low_sofar()"),
        ("next(close) > close", "next", "prev(close)"),
        ("close > mean(close)", "mean", "rolling_mean"),
        ("rank(volume) > 0.9", "rank", "rolling_max"),
    ],
)
def test_look_ahead_functions_are_rejected_with_the_running_alternative(rule, function, alternative):
    (error,) = strategy_errors({"entry": rule, "direction": "long"})
    assert error.step == "entry" and error.expression == rule
    assert f"`{function}()` looks into the future" in error.message
    assert alternative in error.hint


def test_look_ahead_is_rejected_in_exit_rules_and_expression_distances():
    errors = strategy_errors(
        {
            "entry": "close > open",
            "direction": "short",
            "exit": "close < session_close()",
            "stop_loss": "max(high) - close",
        }
    )
    assert [(e.step, "looks into the future" in e.message) for e in errors] == [
        ("exit", True),
        ("stop_loss", True),
    ]


def test_values_are_normalized():
    checked, errors = check_strategy(
        {"entry": "close > open", "direction": "Short", "from": "1H", "period": 2024}, NQ
    )
    assert errors == []
    assert (checked.strategy.direction, checked.strategy.timeframe, checked.strategy.period) == (
        "short",
        "1h",
        "2024",
    )


def test_running_session_values_are_allowed():
    checked, errors = check_strategy(
        {"entry": "high >= session_high_sofar()", "direction": "long", "from": "1h"}, NQ
    )
    assert errors == [] and checked is not None


def test_every_problem_is_reported_at_once():
    errors = strategy_errors(
        {
            "entry": "close + 1",
            "direction": "sideways",
            "exit": "bogus(close) > 1",
            "stop_loss": "-5",
            "take_profit": "150%",
            "slippage": "fast",
            "from": "weekly",
            "session": "NIGHT",
            "period": "2024-13",
            "stop": 5,
            "contracts": 0,
        }
    )
    by_field = {e.step: e for e in errors}
    assert set(by_field) >= {
        "entry",
        "direction",
        "exit",
        "stop_loss",
        "take_profit",
        "slippage",
        "from",
        "session",
        "period",
        "stop",
        "contracts",
    }
    assert "must be a condition" in by_field["entry"].message
    assert "unknown function 'bogus'" in by_field["exit"].message
    assert "greater than 0" in by_field["stop_loss"].message
    assert "below 100%" in by_field["take_profit"].message
    assert "Did you mean `stop_loss`?" in by_field["stop"].hint
    assert "RTH" in by_field["session"].hint
    assert "daily" in by_field["from"].hint
    unknown = strategy_errors({"entry": "close > open", "direction": "long", "exit": "clsoe > 1"})[0]
    assert unknown.step == "exit" and "Did you mean `close`?" in unknown.hint and "bt_" not in unknown.hint


def test_missing_fields_and_non_objects():
    fields = {e.step for e in strategy_errors({})}
    assert fields == {"entry", "direction"}
    (error,) = strategy_errors(["close > open"])
    assert error.step == "strategy" and "JSON object" in error.message
    (error,) = strategy_errors({"entry": "close > open", "direction": "long", "breakeven_bars": 2})
    assert error.step == "breakeven_bars" and "stop_loss" in error.hint


def test_distance_forms():
    assert parse_distance(50) == (parse_distance("50")[0], None)
    assert parse_distance("1.5%")[0].kind == "percent"
    assert parse_distance("8 ticks")[0].value == 8.0
    assert parse_distance("12 pts")[0].value == 12.0
    assert parse_distance("atr(14) * 2")[0].kind == "expression"
    assert parse_distance(0)[1] is not None and parse_distance(-1)[1] is not None
    distance = parse_distance("1.5%")[0]
    assert distance.points(18000.0, 0.25, None) == 270.0
    assert parse_distance("8 ticks")[0].points(18000.0, 0.25, None) == 2.0
    assert parse_distance("x")[0].points(100.0, 0.25, 0.1) == 0.25  # at least one tick
    assert parse_distance("x")[0].points(100.0, 0.25, None) is None


def test_run_backtest_raises_before_reading_any_data():
    refused = refused_unread({"entry": "next(close) > close", "direction": "long"})
    assert refused.errors[0].step == "entry"


@pytest.mark.parametrize(
    "rule",
    [
        "next(is_month_end())",
        "next(is_month_end(), 2) and dayofweek() != 0",
        "next(is_event('fomc')) or days_to_event('cpi') == 1",
        "next(next(month() == 12 and not is_quad_witching()))",
    ],
)
def test_a_later_value_of_the_calendar_is_known_in_advance(rule):
    checked, errors = check_strategy({"entry": rule, "direction": "long"}, NQ)
    assert errors == [] and checked is not None


@pytest.mark.parametrize(
    ("rule", "function"),
    [
        ("next(is_month_end() and close > open)", "next"),
        ("next(close) > close", "next"),
        ("next(if(is_month_end(), 1, 0)) == 1", "next"),
        ("rank(dayofweek()) > 0.5", "rank"),
        ("is_month_end() and close > mean(close)", "mean"),
    ],
)
def test_anything_else_that_looks_ahead_stays_refused(rule, function):
    (error,) = strategy_errors({"entry": rule, "direction": "long"})
    assert f"`{function}()` looks into the future" in error.message


def test_next_month_end_trades_the_day_before_month_end():
    minutes = generate_minute_bars("NQ", date(2024, 1, 2), date(2024, 6, 28), seed=8)
    daily = generate_daily_bars(minutes, NQ)
    strategy = {"entry": "next(is_month_end())", "direction": "long", "exit_bars": 1}
    result = run_backtest(strategy, NQ, FrameBars(minutes, daily), timeout_s=60)
    dates = daily["trade_date"].to_list()
    month_ends = [
        max(d for d in dates if (d.year, d.month) == ym) for ym in sorted({(d.year, d.month) for d in dates})
    ]
    signal_days = [dates[t.entry_index - 1] for t in result.trades]
    assert signal_days == [dates[dates.index(end) - 1] for end in month_ends]  # the day before, signalled
    assert [dates[t.entry_index] for t in result.trades] == month_ends  # filled at the month end's open
    assert date(2024, 3, 27) in signal_days  # March 28 was the last trading day (Good Friday the 29th)
