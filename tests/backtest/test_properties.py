"""Properties over random bars: shorts mirror longs exactly, and every fill lies within its bar."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.backtest.frames import D, backtest

TICK = 0.25


@st.composite
def bars_and_rules(draw):
    n = draw(st.integers(min_value=4, max_value=25))
    price, bars = 400.0, []
    for _ in range(n):
        opening = price + TICK * draw(st.integers(-12, 12))
        closing = opening + TICK * draw(st.integers(-12, 12))
        high = max(opening, closing) + TICK * draw(st.integers(0, 8))
        low = min(opening, closing) - TICK * draw(st.integers(0, 8))
        bars.append((opening, high, low, closing))
        price = closing
    entries = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
    exits = draw(st.lists(st.integers(0, n - 1), max_size=n, unique=True))
    strategy = {"entry": f"date() in [{', '.join(repr(D(i)) for i in sorted(entries))}]"}
    if exits:
        strategy["exit"] = f"date() in [{', '.join(repr(D(i)) for i in sorted(exits))}]"
    for name in ("stop_loss", "take_profit", "trailing_stop"):
        ticks = draw(st.one_of(st.none(), st.integers(1, 16)))
        if ticks is not None:
            strategy[name] = f"{ticks} ticks"
    strategy["exit_bars"] = draw(st.one_of(st.none(), st.integers(1, 6)))
    strategy["slippage"] = TICK * draw(st.integers(0, 2))
    return bars, {k: v for k, v in strategy.items() if v is not None}


def _mirror(bar):
    o, h, low, c = bar
    return (1000 - o, 1000 - low, 1000 - h, 1000 - c)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bars_and_rules())
def test_a_short_on_mirrored_prices_is_the_same_trade_as_a_long(case):
    bars, rules = case
    long = backtest(rules | {"direction": "long"}, bars)
    short = backtest(rules | {"direction": "short"}, [_mirror(b) for b in bars])
    key = [(t.entry_index, t.exit_index, t.reason, t.points, t.bars_held) for t in long.trades]
    assert key == [(t.entry_index, t.exit_index, t.reason, t.points, t.bars_held) for t in short.trades]
    assert long.metrics["net_pnl"] == short.metrics["net_pnl"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bars_and_rules())
def test_fills_lie_within_their_bars_and_positions_never_overlap(case):
    bars, rules = case
    result = backtest(rules | {"direction": "long"}, bars)
    slip = rules["slippage"]
    previous_exit = -1
    for t in result.trades:
        assert t.entry_index >= max(previous_exit, 1)
        assert t.entry_price == bars[t.entry_index][0] + slip
        _, h, low, c = bars[t.exit_index]
        assert low - slip <= t.exit_price <= h
        if t.reason in ("time_stop", "end"):
            assert t.exit_price == c - slip
        previous_exit = t.exit_index
    # Nothing is left open: the last close's equity is the capital plus every closed trade.
    assert abs(result.curves.equity[-1] - (result.metrics["capital"] + result.metrics["net_pnl"])) < 1e-6
