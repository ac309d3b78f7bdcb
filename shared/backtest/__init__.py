"""The backtest engine: strategies written with Barb Script rules, simulated on the engine's bars.

Public API::

    check_strategy(raw, instrument) -> (CheckedStrategy | None, list[ScriptError])
    run_backtest(strategy, instrument, bars, *, timeout_s=None, owner=None) -> BacktestResult   # .to_dict(), .summary(), .blocks()
    start_backtest(...) -> Job   # the same, waited on with .result() or awaited with .wait()
    BACKTEST_TOOL, run_backtest_tool(tool_input, instrument, *, bars=None, timeout_s=None) -> (summary, blocks)

Errors: :class:`StrategyInvalid` (every problem), ``QueryFailed`` (stable ``code``), :class:`BacktestTimeout`; each
a :class:`shared.errors.BarbError` with its HTTP status.
"""

from shared.backtest.results import BacktestResult
from shared.backtest.run import BacktestTimeout, StrategyInvalid, run_backtest, start_backtest
from shared.backtest.strategy import TIMEFRAMES, CheckedStrategy, Strategy, check_strategy
from shared.backtest.tool import BACKTEST_TOOL, RUN_BACKTEST, run_backtest_tool
from shared.backtest.types import EXIT_REASONS, Direction, ExitReason, Outcome

__all__ = [
    "BACKTEST_TOOL",
    "EXIT_REASONS",
    "RUN_BACKTEST",
    "TIMEFRAMES",
    "BacktestResult",
    "BacktestTimeout",
    "CheckedStrategy",
    "Direction",
    "ExitReason",
    "Outcome",
    "Strategy",
    "StrategyInvalid",
    "check_strategy",
    "run_backtest",
    "run_backtest_tool",
    "start_backtest",
]
