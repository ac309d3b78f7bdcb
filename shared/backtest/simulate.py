"""The trade simulation: one position at a time, bar by bar, with explicit and pessimistic fill rules.

Rules (``docs/backtest.md`` has the full list):

- Rules are checked at a bar's close; entries and rule exits fill at the next bar's open, or with
  ``fill: signal_close`` at that close (the stop and target then act from the next bar).
- At a bar's open, a position first exits if the exit rule fired on the previous bar, or if the open gaps
  through the stop (fill at the open, worse than the stop) or beyond the target (fill at the open). A new
  entry may then fill at that same open, so the exit bar can re-enter on the next signal.
- Inside a bar, a stop triggers when the price touches it and fills at the stop; a take-profit (a limit
  order) fills at its level only when the price trades through it. When one bar touches both, the minutes
  inside it decide the order when they are available; otherwise (or when a single minute touches both) the
  stop is assumed first.
- The trailing stop and the breakeven move use completed bars only: the best price so far is updated from a
  bar's high (low for shorts) after that bar closes, never during it.
- A time stop (``exit_bars``) closes at the close of the position's N-th bar; with ``flat_at_session_end`` a
  position is closed at the close of its trade date's last bar; a position still open at the last bar is closed
  at its close with reason ``end``.

A stop or target level is evaluated on the signal bar and rounded to the tick; a signal whose level is on the
wrong side of the entry fill (a long's stop at or above it, its target at or below it) is not taken.

Everything runs in "long space": for a short, prices are negated (and high/low swapped), so one set of
comparisons serves both directions.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import polars as pl

from shared.backtest.bars import StrategyBars
from shared.backtest.distance import Distance
from shared.backtest.strategy import CheckedStrategy
from shared.backtest.types import ExitReason, SkipReason

MinutesInside = Callable[[int], "tuple[np.ndarray, np.ndarray, np.ndarray] | None"]
"""Bar index → real ``(open, high, low)`` of its minutes, or None when unavailable."""


@dataclass(frozen=True)
class Fill:
    """One closed trade in real prices (points per contract, before commission)."""

    entry_index: int
    exit_index: int
    entry_price: float
    exit_price: float
    stop: float | None
    """The initial stop level."""
    target: float | None
    reason: ExitReason
    exit_at_open: bool
    """True when the exit filled at the exit bar's open (that bar is not counted as held)."""
    entry_at_close: bool = False
    """True when the entry filled at the entry bar's close (``fill: signal_close``: that bar is not counted)."""


@dataclass
class Simulation:
    """Every trade plus how entries and intrabar order were decided."""

    fills: list[Fill] = field(default_factory=list)
    skipped_signals: int = 0
    """Entries not taken because an expression distance or a level had no usable value at the signal bar."""
    skipped_wrong_side: int = 0
    """Entries not taken because a stop or target level was on the wrong side of the entry fill."""
    resolved_by_minutes: int = 0
    assumed_stop_first: int = 0


@dataclass
class _Position:
    entry_index: int
    first_bar: int
    """The first bar whose prices can exit the position (the bar after the signal with ``signal_close``)."""
    entry: float
    stop: float
    """The initial stop (``-inf`` without one)."""
    target: float
    trail: float | None
    best: float
    breakeven: bool = False
    exit_pending: bool = False

    def level(self) -> tuple[float, ExitReason]:
        """The binding stop and its reason (on a tie: stop, then breakeven, then trailing)."""
        level = self.stop
        reason: ExitReason = "stop"
        if self.breakeven and self.entry > level:
            level, reason = self.entry, "breakeven"
        if self.trail is not None and self.best - self.trail > level:
            level, reason = self.best - self.trail, "trailing_stop"
        return level, reason


def _touch(
    o: float, h: float, low: float, stop: float, target: float
) -> tuple[float, str] | Literal["both"] | None:
    """The exit inside one price step: ``(price, "stop"|"target")``, ``"both"`` when ambiguous, or None."""
    if o <= stop:
        return o, "stop"
    if o > target:
        return o, "target"
    hit_stop, hit_target = low <= stop, h > target
    if hit_stop and hit_target:
        return "both"
    if hit_stop:
        return stop, "stop"
    if hit_target:
        return target, "target"
    return None


class _Simulator:
    def __init__(
        self, bars: StrategyBars, checked: CheckedStrategy, tick_size: float, minutes: MinutesInside | None
    ):
        self.sign = 1.0 if checked.strategy.direction == "long" else -1.0
        if self.sign > 0:
            self.o, self.h, self.l, self.c = bars.open, bars.high, bars.low, bars.close
        else:
            self.o, self.h, self.l, self.c = -bars.open, -bars.low, -bars.high, -bars.close
        self.bars = bars
        self.strategy = checked.strategy
        self.at_close = checked.strategy.fill == "signal_close"
        self.distances = checked.distances
        self.slippage = checked.slippage
        self.tick = tick_size
        self.minutes = minutes
        self.exit_rule = bars.exit
        self.days = bars.dates.cast(pl.Int32).to_numpy()
        self.result = Simulation()

    def _evaluated(self, name: str, signal: int) -> float | None:
        """The expression distance or level ``name`` on the signal bar (None for fixed forms and missing values)."""
        column = self.bars.distances.get(name)
        if column is None:
            return None
        value = float(column[signal])
        return None if math.isnan(value) else value

    def _side(self, name: str, signal: int, entry: float, side: float) -> float | SkipReason:
        """The stop (``side`` −1) or target (+1) in long space, ±inf without one, or why the signal is skipped."""
        distance: Distance | None = self.distances.get(name)
        if distance is None:
            return side * math.inf
        evaluated = self._evaluated(name, signal)
        if distance.kind == "level":
            if evaluated is None:
                return "no_value"
            level = self.sign * distance.price(evaluated, self.tick)
            return level if side * (level - entry) > 0 else "wrong_side"
        points = distance.points(self.sign * entry, self.tick, evaluated)
        return "no_value" if points is None else entry + side * points

    def _trail(self, signal: int, entry: float) -> float | SkipReason | None:
        """The trailing distance in points, None without one, or ``no_value``."""
        distance = self.distances.get("trailing_stop")
        if distance is None:
            return None
        points = distance.points(self.sign * entry, self.tick, self._evaluated("trailing_stop", signal))
        return "no_value" if points is None else points

    def _open(self, signal: int) -> _Position | None:
        index = signal if self.at_close else signal + 1
        entry = (self.c[index] if self.at_close else self.o[index]) + self.slippage
        stop = self._side("stop_loss", signal, entry, -1.0)
        target = self._side("take_profit", signal, entry, 1.0)
        trail = self._trail(signal, entry)
        if isinstance(stop, str) or isinstance(target, str) or isinstance(trail, str):
            if "no_value" in (stop, target, trail):
                self.result.skipped_signals += 1
            else:
                self.result.skipped_wrong_side += 1
            return None
        return _Position(
            entry_index=index,
            first_bar=signal + 1,
            entry=entry,
            stop=stop,
            target=target,
            trail=trail,
            best=entry,
        )

    def _close(self, pos: _Position, index: int, price: float, reason: ExitReason, at_open: bool) -> None:
        real = self.sign
        self.result.fills.append(
            Fill(
                entry_index=pos.entry_index,
                exit_index=index,
                entry_price=real * pos.entry,
                exit_price=real * price,
                stop=real * pos.stop if math.isfinite(pos.stop) else None,
                target=real * pos.target if math.isfinite(pos.target) else None,
                reason=reason,
                exit_at_open=at_open,
                entry_at_close=self.at_close,
            )
        )

    def _at_open(self, pos: _Position, i: int) -> bool:
        stop, stop_reason = pos.level()
        o = self.o[i]
        if pos.exit_pending:
            self._close(pos, i, o - self.slippage, "exit_signal", True)
        elif o <= stop:
            self._close(pos, i, o - self.slippage, stop_reason, True)
        elif o > pos.target:
            self._close(pos, i, o, "take_profit", True)
        else:
            return False
        return True

    def _walk_minutes(self, i: int, stop: float, target: float) -> tuple[float, str] | None:
        inside = self.minutes(i) if self.minutes is not None else None
        if inside is None:
            return None
        o, h, low = inside
        if self.sign < 0:
            o, h, low = -o, -low, -h
        for step in zip(o.tolist(), h.tolist(), low.tolist(), strict=True):
            touched = _touch(*step, stop, target)
            if isinstance(touched, str):  # both within one minute: the minutes cannot tell either
                return None
            if touched is not None:
                return touched
        return None

    def _intrabar(self, pos: _Position, i: int) -> bool:
        stop, stop_reason = pos.level()
        touched = _touch(self.o[i], self.h[i], self.l[i], stop, pos.target)
        if isinstance(touched, str):  # both levels inside the bar: the minutes may tell which came first
            touched = self._walk_minutes(i, stop, pos.target)
            if touched is None:
                self.result.assumed_stop_first += 1
                touched = (stop, "stop")
            else:
                self.result.resolved_by_minutes += 1
        if touched is None:
            return False
        price, kind = touched
        if kind == "stop":
            self._close(pos, i, price - self.slippage, stop_reason, False)
        else:
            self._close(pos, i, price, "take_profit", False)
        return True

    def _at_close(self, pos: _Position, i: int, last: int) -> bool:
        held = i - pos.first_bar + 1
        exit_bars, breakeven_bars = self.strategy.exit_bars, self.strategy.breakeven_bars
        if exit_bars is not None and held >= exit_bars:
            self._close(pos, i, self.c[i] - self.slippage, "time_stop", False)
            return True
        if i == last:
            self._close(pos, i, self.c[i] - self.slippage, "end", False)
            return True
        if self.strategy.flat_at_session_end and self.days[i] != self.days[i + 1]:
            self._close(pos, i, self.c[i] - self.slippage, "session_end", False)
            return True
        rule = self.exit_rule is not None and bool(self.exit_rule[i])
        if rule and self.at_close:
            self._close(pos, i, self.c[i] - self.slippage, "exit_signal", False)
            return True
        pos.best = max(pos.best, self.h[i])
        if breakeven_bars is not None and held >= breakeven_bars and self.c[i] > pos.entry:
            pos.breakeven = True
        pos.exit_pending = rule
        return False

    def _signals(self) -> np.ndarray:
        """Bars whose entry signal may be acted on (never the last bar: nothing follows it)."""
        n = len(self.c)
        usable = self.bars.entry[: n - 1].copy()
        if self.at_close and self.strategy.flat_at_session_end:
            # Entering at a trade date's last close would hold the position overnight at once.
            usable &= self.days[:-1] == self.days[1:]
        return np.flatnonzero(usable)

    def _hold(self, pos: _Position) -> tuple[int, bool]:
        """Walk the open position to its exit: ``(exit bar, exited at its open)``."""
        last = len(self.c) - 1
        i = pos.first_bar
        # An entry at a bar's open is that open: the position meets its first open on the next bar.
        check_open = self.at_close
        while True:
            if check_open and self._at_open(pos, i):
                return i, True
            if self._intrabar(pos, i) or self._at_close(pos, i, last):
                return i, False
            i += 1
            check_open = True

    def run(self) -> Simulation:
        signals = self._signals()
        free = 0  # the first bar whose signal may still be acted on
        while (k := int(np.searchsorted(signals, free))) < len(signals):
            signal = int(signals[k])
            pos = self._open(signal)
            if pos is None:
                free = signal + 1
                continue
            exit_bar, at_open = self._hold(pos)
            # An exit at an open leaves that open free for the previous bar's signal (fill at the next open);
            # otherwise the exit bar's own signal is the next that can fill (at its close or the next open).
            free = exit_bar - 1 if at_open and not self.at_close else exit_bar
        return self.result


def simulate(
    bars: StrategyBars, checked: CheckedStrategy, tick_size: float, minutes: MinutesInside | None = None
) -> Simulation:
    """Simulate ``checked`` over ``bars``; ``minutes`` resolves bars where both stop and target are touched."""
    return _Simulator(bars, checked, tick_size, minutes).run()
