"""Stop and target price levels and fills at the signal bar's close, against an independent computation."""

from __future__ import annotations

import polars as pl
import pytest

from shared.backtest import check_strategy
from tests.backtest import reference
from tests.backtest.frames import NQ, D, backtest, trade_dates, trade_rows

FLAT = (100.0, 101.0, 99.0, 100.0)
BARS = reference.random_bars(400, seed=11)
DATES = [d.isoformat() for d in trade_dates(len(BARS))]


def _matches(strategy: dict, rules: reference.Rules) -> reference.Outcome:
    """Run ``strategy`` on the random bars and check it against the reference for ``rules`` (returned)."""
    result = backtest(strategy, BARS)
    keys = ("entry_price", "exit_price", "stop", "target", "exit_reason", "points", "pnl", "bars_held")
    rows = [
        {"entry": DATES.index(r["entry_date"]), "exit": DATES.index(r["exit_date"])} | {k: r[k] for k in keys}
        for r in trade_rows(result)
    ]
    expected = reference.simulate(reference.frame(BARS), rules)
    assert rows == expected.trades
    assert (result.skipped_signals, result.skipped_wrong_side) == (
        expected.skipped_no_value,
        expected.skipped_wrong_side,
    )
    return expected


def _two(condition: pl.Expr) -> pl.Expr:
    """The condition on this bar and the previous one."""
    return condition & condition.shift(1).fill_null(False)


@pytest.mark.parametrize("fill", ["next_open", "signal_close"])
def test_long_levels_match_an_independent_computation(fill):
    bars = reference.frame(BARS)
    columns = bars.select(
        signal=_two(pl.col("close") < pl.col("open")),
        stop=pl.col("low"),
        target=pl.col("high").shift(1),
        exit_rule=pl.col("close") > pl.col("high").shift(1),
    )
    rules = reference.Rules(
        long=True,
        at_close=fill == "signal_close",
        signal=columns.get_column("signal").to_numpy(),
        stop=columns.get_column("stop").to_numpy(),
        target=columns.get_column("target").cast(pl.Float64).fill_null(float("nan")).to_numpy(),
        exit_rule=columns.get_column("exit_rule").fill_null(False).to_numpy(),
        exit_bars=2,
    )
    strategy = {
        "entry": "close < open and prev(close) < prev(open)",
        "direction": "long",
        "stop_loss": {"level": "low"},
        "take_profit": {"level": "prev(high)"},
        "exit": "close > prev(high)",
        "exit_bars": 2,
        "fill": fill,
    }
    expected = _matches(strategy, rules)
    rows = expected.trades
    # The data exercises every path the comparison is meant to cover.
    assert len(rows) > 20 and {r["exit_reason"] for r in rows} >= {
        "stop",
        "take_profit",
        "time_stop",
        "exit_signal",
    }
    assert expected.skipped_wrong_side > 0


@pytest.mark.parametrize("fill", ["next_open", "signal_close"])
def test_short_levels_match_an_independent_computation(fill):
    bars = reference.frame(BARS)
    # Stop a quarter of the way up the signal bar's range above its high: off the tick grid, so it is rounded.
    columns = bars.select(
        signal=_two(pl.col("close") > pl.col("open")),
        stop=pl.col("high") + (pl.col("high") - pl.col("low")) * 0.3,
        target=pl.min_horizontal(pl.col("low"), pl.col("low").shift(1)) - 1,
    )
    rules = reference.Rules(
        long=False,
        at_close=fill == "signal_close",
        signal=columns.get_column("signal").to_numpy(),
        stop=columns.get_column("stop").to_numpy(),
        target=columns.get_column("target").fill_null(float("nan")).to_numpy(),
        exit_rule=pl.Series([False] * len(BARS)).to_numpy(),
        exit_bars=None,
    )
    strategy = {
        "entry": "close > open and prev(close) > prev(open)",
        "direction": "short",
        "stop_loss": {"level": "high + range() * 0.3"},
        "take_profit": {"level": "rolling_min(low, 2) - 1"},
        "fill": fill,
    }
    expected = _matches(strategy, rules)
    rows = expected.trades
    assert len(rows) > 20 and {r["exit_reason"] for r in rows} >= {"stop", "take_profit"}


def test_a_level_is_fixed_at_the_signal_bar_and_rounded_to_the_tick():
    # Signal D0 (low 99): stop 99 + 0.6 → 99.5 (nearest tick), kept although D1's low is higher.
    bars = [FLAT, (102, 103, 101, 102.5), (102, 103, 99.5, 100.5), FLAT]
    strategy = {"entry": f"date() == '{D(0)}'", "direction": "long", "stop_loss": {"level": "low + 0.6"}}
    (trade,) = trade_rows(backtest(strategy, bars))
    assert (trade["entry_price"], trade["stop"], trade["exit_date"]) == (102.0, 99.5, D(2))
    assert (trade["exit_price"], trade["exit_reason"], trade["points"], trade["pnl"]) == (
        99.5,
        "stop",
        -2.5,
        -50.0,
    )


def test_a_level_on_the_wrong_side_of_the_fill_skips_the_signal_with_a_warning():
    # D0's high is 101; D1 opens at 102 above it, so a long's target at that high is already passed. D1's
    # signal targets its high, 103, above D2's open: taken.
    bars = [FLAT, (102, 103, 101, 102.5), (102.5, 104, 102, 103.5), FLAT]
    strategy = {
        "entry": f"date() in ['{D(0)}', '{D(1)}']",
        "direction": "long",
        "take_profit": {"level": "high"},
        "exit_bars": 1,
    }
    result = backtest(strategy, bars)
    assert [(r["entry_date"], r["target"], r["exit_reason"]) for r in trade_rows(result)] == [
        (D(2), 103.0, "take_profit")
    ]
    assert (result.skipped_wrong_side, result.skipped_signals) == (1, 0)
    assert "1 entry signal(s) were not taken because the stop level" in result.warnings[0]
    assert "target at level high" in result.summary()


def test_a_fixed_price_level():
    bars = [FLAT, (102, 103, 101, 102.5), (102, 104.5, 101.5, 104), FLAT]
    strategy = {"entry": f"date() == '{D(0)}'", "direction": "long", "take_profit": {"level": 104}}
    (trade,) = trade_rows(backtest(strategy, bars))
    assert (trade["exit_date"], trade["exit_price"], trade["exit_reason"]) == (D(2), 104.0, "take_profit")


def test_signal_close_fills_at_the_signal_close_and_arms_the_stop_from_the_next_bar():
    # Enter at D0's close (100); D0's own low (99) is below the 0.5-point stop but does not count. D1 gaps
    # down through it: out at D1's open, so no bar is counted as held.
    bars = [FLAT, (99, 101, 98, 100), FLAT]
    strategy = {"entry": f"date() == '{D(0)}'", "direction": "long", "stop_loss": 0.5, "fill": "signal_close"}
    (trade,) = trade_rows(backtest(strategy, bars))
    assert (trade["entry_date"], trade["entry_price"], trade["stop"]) == (D(0), 100.0, 99.5)
    assert (trade["exit_date"], trade["exit_price"], trade["exit_reason"], trade["bars_held"]) == (
        D(1),
        99.0,
        "stop",
        0,
    )


def test_signal_close_exits_on_the_exit_rule_at_that_close_and_counts_bars_from_the_next_bar():
    bars = [FLAT, (101, 102, 100, 101.5), (102, 103, 101, 102.5), (103, 104, 102, 103.5), FLAT]
    base = {"entry": f"date() == '{D(0)}'", "direction": "long", "fill": "signal_close", "slippage": "1 tick"}
    (by_rule,) = trade_rows(backtest(base | {"exit": f"date() == '{D(2)}'"}, bars))
    assert (by_rule["entry_price"], by_rule["exit_date"], by_rule["exit_price"]) == (100.25, D(2), 102.25)
    assert (by_rule["exit_reason"], by_rule["bars_held"], by_rule["points"]) == ("exit_signal", 2, 2.0)
    (timed,) = trade_rows(backtest(base | {"exit_bars": 3}, bars))
    assert (timed["exit_date"], timed["exit_price"], timed["exit_reason"], timed["bars_held"]) == (
        D(3),
        103.25,
        "time_stop",
        3,
    )


def test_signal_close_re_enters_at_the_close_of_the_exit_bar():
    bars = [FLAT, (101, 102, 100, 101.5), (102, 103, 101, 102.5), FLAT]
    strategy = {"entry": "true", "direction": "long", "fill": "signal_close", "exit_bars": 1}
    rows = trade_rows(backtest(strategy, bars))
    assert [(r["entry_date"], r["exit_date"], r["entry_price"], r["exit_price"]) for r in rows] == [
        (D(0), D(1), 100.0, 101.5),
        (D(1), D(2), 101.5, 102.5),
        (D(2), D(3), 102.5, 100.0),
    ]


def test_signal_close_with_flat_at_session_end_takes_no_signal_on_a_session_last_bar():
    # Every daily bar is a whole session: entering at its close would hold overnight at once.
    strategy = {"entry": "true", "direction": "long", "fill": "signal_close", "flat_at_session_end": True}
    result = backtest(strategy, [FLAT] * 5)
    assert trade_rows(result) == [] and "fills at the signal bar's close" in result.summary()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("stop_loss", [17850], "must be a number or a text such as '1.5%' or a level"),
        ("take_profit", {"level": True}, "level must be a price expression"),
        ("take_profit", {"level": "prev(high)", "points": 5}, "(got keys: level, points)"),
        ("slippage", {"ticks": 2}, "must be a number or a text such as '2 ticks'"),
        ("stop_loss", {"level": "green()"}, "must be a price level, but this is a boolean value"),
        ("take_profit", {"level": "high + low"}, "is about 2 × the price, not one price level"),
    ],
)
def test_shapes_a_level_never_takes_are_one_clear_error_each(field, value, message):
    checked, errors = check_strategy({"entry": "green()", "direction": "long", field: value}, NQ)
    assert checked is None
    (error,) = errors
    assert error.step == field and message in error.message and error.hint
