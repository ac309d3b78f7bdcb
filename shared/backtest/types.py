"""Option sets of the backtest engine, as ``Literal`` aliases."""

from __future__ import annotations

from typing import Literal

Direction = Literal["long", "short"]
DistanceKind = Literal["points", "percent", "ticks", "expression"]
"""How a stop, target or trailing distance is written: points, % of the entry price, ticks, or an expression."""
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
