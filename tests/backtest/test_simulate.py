"""Fill rules on hand-made daily bars (NQ: tick 0.25, point value 20); every expected number is worked out by hand."""

from __future__ import annotations

from tests.backtest.frames import D, backtest, trade_rows

FLAT: tuple[float, float, float, float] = (100.0, 101.0, 99.0, 100.0)


def _only(result) -> dict:
    rows = trade_rows(result)
    assert len(rows) == 1, rows
    return rows[0]


def _exit(trade: dict) -> tuple:
    """When, at what price, why a trade left and the points it made."""
    return trade["exit_date"], trade["exit_price"], trade["exit_reason"], trade["points"]


def test_entry_at_next_open_and_time_stop_at_the_close_of_the_nth_bar():
    bars = [FLAT, (102, 103, 101, 102.5), (103, 104, 102, 103.5), (104, 105, 103, 104)]
    trade = _only(backtest({"entry": f"date() == '{D(0)}'", "direction": "long", "exit_bars": 2}, bars))
    assert (trade["entry_date"], trade["entry_price"]) == (D(1), 102.0)
    assert (trade["exit_date"], trade["exit_price"], trade["exit_reason"]) == (D(2), 103.5, "time_stop")
    assert (trade["points"], trade["pnl"], trade["bars_held"], trade["outcome"]) == (1.5, 30.0, 2, "win")


def test_stop_fills_at_the_stop_when_touched_inside_the_bar():
    bars = [FLAT, (102, 103, 101, 102.5), (102, 103, 99.5, 100.5), FLAT]
    trade = _only(backtest({"entry": f"date() == '{D(0)}'", "direction": "long", "stop_loss": 2}, bars))
    assert (trade["stop"], trade["exit_price"], trade["exit_reason"]) == (100.0, 100.0, "stop")
    assert (trade["exit_date"], trade["points"], trade["pnl"], trade["bars_held"]) == (D(2), -2.0, -40.0, 2)


def test_gap_through_the_stop_fills_at_the_worse_open():
    bars = [FLAT, (102, 103, 101, 102.5), (99, 99.5, 98, 99), FLAT]
    trade = _only(backtest({"entry": f"date() == '{D(0)}'", "direction": "long", "stop_loss": 2}, bars))
    assert (trade["exit_date"], trade["exit_price"], trade["exit_reason"]) == (D(2), 99.0, "stop")
    assert trade["points"] == -3.0
    assert trade["bars_held"] == 1  # out at the open of the exit bar: only the entry bar was held


def test_take_profit_fills_only_when_traded_through():
    # Target 104: the first bar after entry only touches it (high == 104), the next trades through.
    bars = [FLAT, (102, 103, 101, 102.5), (103, 104, 102.5, 103), (103, 104.5, 102.5, 104.25), FLAT]
    trade = _only(backtest({"entry": f"date() == '{D(0)}'", "direction": "long", "take_profit": 2}, bars))
    assert (trade["exit_date"], trade["exit_price"], trade["exit_reason"]) == (D(3), 104.0, "take_profit")
    assert trade["points"] == 2.0


def test_gap_beyond_the_target_fills_at_the_open():
    bars = [FLAT, (102, 103, 101, 102.5), (105, 106, 104.5, 105.5), FLAT]
    trade = _only(backtest({"entry": f"date() == '{D(0)}'", "direction": "long", "take_profit": 2}, bars))
    assert _exit(trade) == (D(2), 105.0, "take_profit", 3.0)


def test_bar_touching_stop_and_target_without_minutes_assumes_the_stop_first():
    bars = [FLAT, (102, 103, 101, 102.5), (102, 105, 99.5, 103), FLAT]
    result = backtest(
        {"entry": f"date() == '{D(0)}'", "direction": "long", "stop_loss": 2, "take_profit": 2}, bars
    )
    trade = _only(result)
    assert (trade["exit_price"], trade["exit_reason"]) == (100.0, "stop")
    assert (result.assumed_stop_first, result.resolved_by_minutes) == (1, 0)


def test_minutes_resolve_the_order_inside_an_ambiguous_bar():
    bars = [FLAT, (102, 103, 101, 102.5), (102, 105, 99.5, 103), FLAT]
    strategy = {"entry": f"date() == '{D(0)}'", "direction": "long", "stop_loss": 2, "take_profit": 2}
    target_first = [
        (102, 103, 101.5, 103),
        (103, 105, 102.5, 104.5),
        (104.5, 104.5, 99.5, 100),
        (100, 103, 100, 103),
    ]
    result = backtest(strategy, bars, minutes={2: target_first})
    trade = _only(result)
    assert (trade["exit_price"], trade["exit_reason"], trade["points"]) == (104.0, "take_profit", 2.0)
    assert (result.resolved_by_minutes, result.assumed_stop_first) == (1, 0)

    stop_first = [(102, 102.5, 99.5, 100.5), (100.5, 105, 100.5, 104.5), (104.5, 104.5, 103, 103)]
    trade = _only(backtest(strategy, bars, minutes={2: stop_first}))
    assert (trade["exit_price"], trade["exit_reason"]) == (100.0, "stop")

    # A single minute touching both cannot be ordered: the stop counts first.
    one_minute_both = [(102, 103, 101.5, 102), (102, 105, 99.5, 103)]
    result = backtest(strategy, bars, minutes={2: one_minute_both})
    assert _only(result)["exit_reason"] == "stop" and result.assumed_stop_first == 1

    # A minute opening beyond the stop (a gap between minutes) fills at that worse open.
    gap_minute = [(102, 103.5, 101.5, 102), (99.5, 105, 99.5, 104)]
    assert _only(backtest(strategy, bars, minutes={2: gap_minute}))["exit_price"] == 99.5


def test_trailing_stop_moves_only_with_completed_bars():
    # Trail 2 from entry 102: 100 on the entry bar; 101 after it (high 103); the bar reaching 106 does not move
    # its own stop (its low 101.5 stays above 101); after it the stop is 104, hit by the next bar.
    bars = [FLAT, (102, 103, 101, 102.5), (103, 106, 101.5, 105), (105, 105.5, 103.5, 104), FLAT]
    trade = _only(backtest({"entry": f"date() == '{D(0)}'", "direction": "long", "trailing_stop": 2}, bars))
    assert _exit(trade) == (D(3), 104.0, "trailing_stop", 2.0)


def test_breakeven_moves_the_stop_to_entry_and_a_zero_trade_is_a_scratch():
    bars = [FLAT, (102, 103, 101.5, 102.5), (102.5, 103, 101, 101.5), FLAT]
    strategy = {"entry": f"date() == '{D(0)}'", "direction": "long", "stop_loss": 3, "breakeven_bars": 1}
    result = backtest(strategy, bars)
    trade = _only(result)
    assert (trade["exit_price"], trade["exit_reason"], trade["points"], trade["pnl"]) == (
        102.0,
        "breakeven",
        0.0,
        0.0,
    )
    assert trade["outcome"] == "scratch"
    m = result.metrics
    assert (m["wins"], m["losses"], m["scratches"], m["win_rate"]) == (0, 0, 1, 0.0)
    assert m["profit_factor"] is None  # no losses: undefined, never infinity
    # With commission the same trade loses the two commissions.
    paid = backtest(strategy | {"commission": 2.5}, bars)
    assert (_only(paid)["pnl"], _only(paid)["outcome"]) == (-5.0, "loss")


def test_exit_rule_exits_at_the_next_open():
    bars = [FLAT, (102, 103, 101, 102.5), (103, 104, 102, 103.5), (104.5, 105, 104, 104.75), FLAT]
    strategy = {"entry": f"date() == '{D(0)}'", "direction": "long", "exit": f"date() == '{D(2)}'"}
    trade = _only(backtest(strategy, bars))
    assert (trade["exit_date"], trade["exit_price"], trade["exit_reason"], trade["bars_held"]) == (
        D(3),
        104.5,
        "exit_signal",
        2,
    )


def test_open_position_at_the_last_bar_closes_there_with_reason_end():
    bars = [FLAT, (102, 103, 101, 102.5), (103, 104, 102, 103.75)]
    trade = _only(backtest({"entry": f"date() == '{D(0)}'", "direction": "long"}, bars))
    assert (trade["exit_date"], trade["exit_price"], trade["exit_reason"]) == (D(2), 103.75, "end")
    # A signal on the last-but-one bar opens on the last bar and is closed there, never dropped.
    trade = _only(backtest({"entry": f"date() == '{D(1)}'", "direction": "long"}, bars))
    assert (trade["entry_date"], trade["exit_date"], trade["exit_reason"], trade["points"]) == (
        D(2),
        D(2),
        "end",
        0.75,
    )


def test_the_exit_bar_may_re_enter_on_the_next_signal():
    # Signal on D0 and D2; stopped out inside D2, the D2 signal enters at D3's open.
    bars = [
        FLAT,
        (102, 103, 101, 102.5),
        (102, 102.5, 99.5, 100.5),
        (101, 102, 100.5, 101.5),
        (100, 101, 99.5, 100),
    ]
    strategy = {"entry": f"date() in ['{D(0)}', '{D(2)}']", "direction": "long", "stop_loss": 2}
    rows = trade_rows(backtest(strategy, bars))
    assert [(r["entry_date"], r["exit_date"], r["exit_reason"]) for r in rows] == [
        (D(1), D(2), "stop"),
        (D(3), D(4), "end"),
    ]
    # Stopped at an open by a gap, a signal from the bar before enters at that same open.
    bars = [FLAT, (102, 103, 101, 102.5), (99, 100, 98.5, 99.5), FLAT]
    strategy = {"entry": f"date() in ['{D(0)}', '{D(1)}']", "direction": "long", "stop_loss": 2}
    rows = trade_rows(backtest(strategy, bars))
    assert [(r["entry_date"], r["entry_price"], r["exit_date"], r["exit_price"]) for r in rows] == [
        (D(1), 102.0, D(2), 99.0),
        (D(2), 99.0, D(3), 100.0),
    ]


def test_short_positions_mirror_every_rule():
    # Entry 102 short; stop 104 (2 points above), target 99 (3 below): D2 only touches 99, D3 trades through.
    bars = [FLAT, (102, 103, 101, 101.5), (101, 101.5, 99, 99.5), (99.5, 100, 98.5, 99), FLAT]
    strategy = {"entry": f"date() == '{D(0)}'", "direction": "short", "stop_loss": 2, "take_profit": 3}
    trade = _only(backtest(strategy, bars))
    assert (trade["stop"], trade["target"]) == (104.0, 99.0)
    assert (trade["exit_date"], trade["exit_price"], trade["exit_reason"], trade["points"], trade["pnl"]) == (
        D(3),
        99.0,
        "take_profit",
        3.0,
        60.0,
    )
    gap_up = [FLAT, (102, 103, 101, 101.5), (105, 106, 104.5, 105.5), FLAT]
    trade = _only(backtest(strategy, gap_up))
    assert (trade["exit_price"], trade["exit_reason"], trade["points"]) == (105.0, "stop", -3.0)
    trailing = [FLAT, (102, 102.5, 101, 101.5), (101, 101.5, 99, 99.5), (99.5, 101.25, 99, 101), FLAT]
    trade = _only(
        backtest({"entry": f"date() == '{D(0)}'", "direction": "short", "trailing_stop": 2}, trailing)
    )
    assert _exit(trade) == (D(3), 101.0, "trailing_stop", 1.0)


def test_slippage_commission_and_contracts_in_currency():
    # 2 ticks (0.5) against each fill but the take-profit; 2.5 USD per contract per side; 3 contracts.
    bars = [FLAT, (102, 103, 101, 102.5), (102, 105, 101.5, 103), FLAT, (100, 101, 98, 100), FLAT]
    strategy = {
        "entry": f"date() in ['{D(0)}', '{D(3)}']",
        "direction": "long",
        "stop_loss": "8 ticks",
        "take_profit": 2,
        "slippage": "2 ticks",
        "commission": 2.5,
        "contracts": 3,
    }
    first, second = trade_rows(backtest(strategy, bars))
    # Entry 102.5; target 104.5 filled at the level; 2 points × 20 × 3 − 2 × 2.5 × 3.
    assert (first["entry_price"], first["exit_price"], first["points"], first["pnl"]) == (
        102.5,
        104.5,
        2.0,
        105.0,
    )
    # Entry 100.5; stop 98.5 touched, filled 0.5 worse: −2.5 points.
    assert (second["entry_price"], second["stop"], second["exit_price"]) == (100.5, 98.5, 98.0)
    assert (second["points"], second["pnl"]) == (-2.5, -165.0)


def test_expression_distances_are_evaluated_at_the_signal_bar():
    # stop = high − low of the signal bar D0 (4 points), not of the entry bar (2 points).
    bars = [(100, 102, 98, 100), (102, 103, 101, 102.5), (102, 102.5, 97.5, 98), FLAT]
    trade = _only(
        backtest({"entry": f"date() == '{D(0)}'", "direction": "long", "stop_loss": "high - low"}, bars)
    )
    assert (trade["stop"], trade["exit_price"], trade["exit_reason"]) == (98.0, 98.0, "stop")
    # Percent distances are rounded to the tick grid: 1.5 % of 102 = 1.53 → 1.5.
    trade = _only(backtest({"entry": f"date() == '{D(0)}'", "direction": "long", "stop_loss": "1.5%"}, bars))
    assert trade["stop"] == 100.5


def test_a_signal_without_a_usable_distance_is_skipped_with_a_warning():
    bars = [FLAT, (102, 103, 101, 102.5), (103, 104, 102, 103.5), (104, 105, 103, 104)]
    strategy = {
        "entry": f"date() in ['{D(0)}', '{D(1)}']",
        "direction": "long",
        "stop_loss": "change(close) - 1.5",
        "exit_bars": 1,
    }
    result = backtest(strategy, bars)
    rows = trade_rows(result)
    # D0 has no previous close: its signal is skipped; D1's stop is (102.5 − 100) − 1.5 = 1 point.
    assert [(r["entry_date"], r["stop"]) for r in rows] == [(D(2), 102.0)]
    assert result.skipped_signals == 1 and "1 entry signal" in result.warnings[0]
