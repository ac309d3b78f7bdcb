"""An independent, deliberately plain simulation of the documented fill rules, for stop and target levels.

It covers what the level tests need (levels evaluated on the signal bar, both fill modes, time stop, exit rule,
end of data; no slippage, trailing stop or minutes, so a bar touching both levels counts the stop first) and is
written from ``docs/backtest.md`` in real prices with explicit long and short comparisons, not from the engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

TICK = 0.25
POINT_VALUE = 20.0


@dataclass(frozen=True)
class Rules:
    """A strategy in arrays: signal and exit flags and the stop and target levels, per bar."""

    long: bool
    at_close: bool
    signal: np.ndarray
    stop: np.ndarray
    target: np.ndarray
    exit_rule: np.ndarray
    exit_bars: int | None


@dataclass
class Outcome:
    trades: list[dict[str, object]]
    skipped_no_value: int = 0
    skipped_wrong_side: int = 0


def random_bars(count: int, seed: int) -> list[tuple[float, float, float, float]]:
    """A random walk of daily bars on the 0.25 tick grid, with gaps between a close and the next open."""
    rng = np.random.default_rng(seed)
    gaps, bodies = rng.integers(-16, 17, count), rng.integers(-24, 25, count)
    wicks = rng.integers(0, 12, (2, count))
    opens = 1000 + TICK * (np.cumsum(gaps) + np.cumsum(bodies) - bodies)
    closes = opens + TICK * bodies
    highs = np.maximum(opens, closes) + TICK * wicks[0]
    lows = np.minimum(opens, closes) - TICK * wicks[1]
    return list(zip(opens.tolist(), highs.tolist(), lows.tolist(), closes.tolist(), strict=True))


def frame(bars: list[tuple[float, float, float, float]]) -> pl.DataFrame:
    """The bars as columns, for computing rules with Polars."""
    return pl.DataFrame(bars, schema=["open", "high", "low", "close"], orient="row")


def _on_tick(values: np.ndarray) -> np.ndarray:
    return np.round(values / TICK) * TICK


class _Walk:
    def __init__(self, bars: pl.DataFrame, rules: Rules):
        self.o, self.h, self.lo, self.c = (
            bars.get_column(k).to_numpy() for k in ("open", "high", "low", "close")
        )
        self.rules = rules
        self.stops, self.targets = _on_tick(rules.stop), _on_tick(rules.target)

    def losing(self, price: float, level: float) -> bool:
        """At or past the stop."""
        return price <= level if self.rules.long else price >= level

    def winning(self, price: float, level: float) -> bool:
        """Strictly past the target."""
        return price > level if self.rules.long else price < level

    def trade(self, signal: int, outcome: Outcome) -> int:
        """Take the signal if its levels allow; returns the first bar whose signal may be taken next."""
        at_close = self.rules.at_close
        entry_bar = signal if at_close else signal + 1
        entry = self.c[signal] if at_close else self.o[entry_bar]
        stop, target = self.stops[signal], self.targets[signal]
        if np.isnan(stop) or np.isnan(target):
            outcome.skipped_no_value += 1
            return signal + 1
        if self.losing(entry, stop) or not self.winning(target, entry):
            outcome.skipped_wrong_side += 1
            return signal + 1
        pending = False
        bar = signal + 1  # the first bar that can exit the position, in both fill modes
        while True:
            # A next-open entry is that bar's open: the position meets an open from the following bar on.
            check_open = at_close or bar > signal + 1
            exit_price, reason, at_open = self.exit_on(bar, stop, target, pending, check_open)
            if reason is None:
                held = bar - signal
                if self.rules.exit_bars is not None and held >= self.rules.exit_bars:
                    exit_price, reason = self.c[bar], "time_stop"
                elif bar == len(self.c) - 1:
                    exit_price, reason = self.c[bar], "end"
                elif self.rules.exit_rule[bar] and at_close:
                    exit_price, reason = self.c[bar], "exit_signal"
                pending = bool(self.rules.exit_rule[bar])
            if reason is not None:
                points = (exit_price - entry) * (1 if self.rules.long else -1)
                outcome.trades.append(
                    {
                        "entry": entry_bar,
                        "exit": bar,
                        "entry_price": float(entry),
                        "exit_price": float(exit_price),
                        "stop": float(stop),
                        "target": float(target),
                        "exit_reason": reason,
                        "points": float(points),
                        "pnl": float(points * POINT_VALUE),
                        "bars_held": bar - entry_bar + (0 if at_open else 1) - (1 if at_close else 0),
                    }
                )
                # After an exit at an open, that open still takes the previous bar's signal (next-open fills).
                return bar - 1 if at_open and not at_close else bar
            bar += 1

    def exit_on(
        self, bar: int, stop: float, target: float, pending: bool, check_open: bool
    ) -> tuple[float, str | None, bool]:
        """``(price, reason, at the open)`` of an exit at the bar's open or inside it (stop first when both)."""
        opening = self.o[bar]
        if check_open:
            if pending and not self.rules.at_close:
                return opening, "exit_signal", True
            if self.losing(opening, stop):
                return opening, "stop", True
            if self.winning(opening, target):
                return opening, "take_profit", True
        worst, best = (self.lo[bar], self.h[bar]) if self.rules.long else (self.h[bar], self.lo[bar])
        if self.losing(worst, stop):
            return stop, "stop", False
        if self.winning(best, target):
            return target, "take_profit", False
        return float("nan"), None, False


def simulate(bars: pl.DataFrame, rules: Rules) -> Outcome:
    """Every trade of ``rules`` over ``bars`` by the documented rules."""
    walk = _Walk(bars, rules)
    outcome = Outcome([])
    free = 0
    while True:
        later = [int(i) for i in np.flatnonzero(rules.signal[: len(walk.c) - 1]) if i >= free]
        if not later:
            return outcome
        free = walk.trade(later[0], outcome)
