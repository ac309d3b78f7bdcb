"""Option sets of the backtest engine, as ``Literal`` aliases."""

from __future__ import annotations

from typing import Literal

Direction = Literal["long", "short"]
DistanceKind = Literal["points", "percent", "ticks", "expression", "level"]
"""How a stop, target or trailing distance is written: points, % of the entry price, ticks, an expression, or
(``level``, stops and targets only) a price level rather than a distance."""
FillMode = Literal["next_open", "signal_close"]
"""Where a rule's order fills: the open of the bar after the signal, or the signal bar's own close."""
SkipReason = Literal["no_value", "wrong_side"]
"""Why an entry signal was not taken: a stop, target or trail without a usable value on its signal bar, or a
stop or target level on the wrong side of the entry fill."""
ExitReason = Literal[
    "stop", "breakeven", "trailing_stop", "take_profit", "exit_signal", "time_stop", "session_end", "end"
]
Outcome = Literal["win", "loss", "scratch"]
"""A trade's result by its currency P&L: above, below or exactly zero."""
EXIT_REASONS: tuple[ExitReason, ...] = (
    "stop",
    "breakeven",
    "trailing_stop",
    "take_profit",
    "exit_signal",
    "time_stop",
    "session_end",
    "end",
)
