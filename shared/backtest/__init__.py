"""The backtest engine: strategies written with Barb Script rules, simulated on the engine's bars.

Public API::

    check_strategy(raw, instrument) -> (CheckedStrategy | None, list[ScriptError])
    run_backtest(strategy, instrument, bars, *, timeout_s=None) -> BacktestResult   # .to_dict(), .summary(), .blocks()

Errors: :class:`StrategyInvalid` (every problem), ``QueryFailed`` (stable ``code``), :class:`BacktestTimeout`.
"""

from shared.backtest.results import BacktestResult
from shared.backtest.run import BacktestTimeout, StrategyInvalid, run_backtest
from shared.backtest.strategy import CheckedStrategy, Strategy, check_strategy

__all__ = [
    "BacktestResult",
    "BacktestTimeout",
    "CheckedStrategy",
    "Strategy",
    "StrategyInvalid",
    "check_strategy",
    "run_backtest",
]
