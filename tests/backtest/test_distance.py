"""Expression distances that are price levels are refused before anything runs, with the distance to write."""

from __future__ import annotations

import pytest

from shared.backtest import StrategyInvalid, check_strategy, run_backtest
from shared.market import get_instrument

NQ = get_instrument("NQ")


def _errors(strategy) -> list:
    checked, errors = check_strategy(strategy, NQ)
    assert checked is None
    return errors


@pytest.mark.parametrize(
    ("direction", "field", "text", "distance"),
    [
        ("long", "take_profit", "prev(high)", "prev(high) - close"),
        ("long", "stop_loss", "prev(low)", "close - prev(low)"),
        ("short", "take_profit", "prev(low)", "close - prev(low)"),
        ("short", "stop_loss", "session_high_sofar()", "session_high_sofar() - close"),
        ("long", "stop_loss", "sma(close, 20) - atr(14)", "close - (sma(close, 20) - atr(14))"),
    ],
)
def test_a_price_level_as_stop_or_target_is_refused_with_the_distance_to_write(
    direction, field, text, distance
):
    (error,) = _errors({"entry": "green()", "direction": direction, field: text})
    assert error.step == field and error.expression == text
    assert error.message.startswith(
        f"{field} must be a distance from the entry price, but `{text}` is a price level"
    )
    assert f"`{distance}`" in error.hint and '"1.5%"' in error.hint
    assert check_strategy({"entry": "green()", "direction": direction, field: distance}, NQ)[1] == []


def test_other_price_scale_expressions_are_refused_with_the_forms():
    errors = _errors(
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
    class Untouchable:
        def minute(self):
            raise AssertionError("read")

        def daily(self):
            raise AssertionError("read")

    strategy = {"entry": "green()", "direction": "long", "take_profit": "prev(high)"}
    with pytest.raises(StrategyInvalid) as caught:
        run_backtest(strategy, NQ, Untouchable())
    assert [e.step for e in caught.value.errors] == ["take_profit"]


def test_intraday_functions_on_daily_backtest_bars_are_refused():
    (error,) = _errors({"entry": "time() == '09:30'", "direction": "long"})
    assert error.step == "entry" and "needs intraday bars" in error.message and '"from": "1m"' in error.hint
    assert check_strategy({"entry": "time() == '09:30'", "direction": "long", "from": "30m"}, NQ)[1] == []
