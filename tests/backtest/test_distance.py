"""Expression distances that are price levels are refused before anything runs, with the distance to write."""

from __future__ import annotations

import pytest

from shared.backtest import check_strategy
from tests.backtest.frames import NQ, refused_unread, strategy_errors


@pytest.mark.parametrize(
    ("direction", "field", "text", "distance"),
    [
        pytest.param("long", "take_profit", "prev(high)", "prev(high) - close", id="long target above"),
        pytest.param("long", "stop_loss", "prev(low)", "close - prev(low)", id="long stop below"),
        pytest.param("short", "take_profit", "prev(low)", "close - prev(low)", id="short target below"),
        pytest.param(
            "short",
            "stop_loss",
            "session_high_sofar()",
            "session_high_sofar() - close",
            id="short stop above",
        ),
        pytest.param(
            "long",
            "stop_loss",
            "sma(close, 20) - atr(14)",
            "close - (sma(close, 20) - atr(14))",
            id="compound",
        ),
    ],
)
def test_a_price_level_as_stop_or_target_is_refused_with_the_distance_to_write(
    direction, field, text, distance
):
    (error,) = strategy_errors({"entry": "green()", "direction": direction, field: text})
    assert error.step == field and error.expression == text
    assert error.message.startswith(
        f"{field} must be a distance from the entry price, but `{text}` is a price level"
    )
    assert f"`{distance}`" in error.hint and '"1.5%"' in error.hint
    assert check_strategy({"entry": "green()", "direction": direction, field: distance}, NQ)[1] == []


def test_other_price_scale_expressions_are_refused_with_the_forms():
    errors = strategy_errors(
        {"entry": "green()", "direction": "long", "take_profit": "high * 1.02", "trailing_stop": "vwap()"}
    )
    by_field = {e.step: e for e in errors}
    assert "1.02 × the price" in by_field["take_profit"].message
    assert by_field["trailing_stop"].message.startswith(
        "trailing_stop must be a distance from the best price"
    )
    assert '"atr(14) * 2"' in by_field["trailing_stop"].hint


@pytest.mark.parametrize(
    "distance",
    ["close - prev(low)", "atr(14) * 2", "high - low", "close * 0.01", "rolling_std(close, 20)", "50"],
)
def test_distances_are_accepted(distance):
    strategy = {"entry": "green()", "direction": "long", "stop_loss": distance, "take_profit": distance}
    assert check_strategy(strategy, NQ)[1] == []


def test_a_price_level_is_refused_before_any_data_is_read():
    refused = refused_unread({"entry": "green()", "direction": "long", "take_profit": "prev(high)"})
    assert [e.step for e in refused.errors] == ["take_profit"]


def test_intraday_functions_on_daily_backtest_bars_are_refused():
    (error,) = strategy_errors({"entry": "time() == '09:30'", "direction": "long"})
    assert error.step == "entry" and "needs intraday bars" in error.message and '"from": "1m"' in error.hint
    assert check_strategy({"entry": "time() == '09:30'", "direction": "long", "from": "30m"}, NQ)[1] == []
