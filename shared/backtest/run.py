"""``run_backtest``: check the strategy, then build bars, simulate and measure within a time budget.

Like ``shared.script.run_query``, it raises only typed errors: :class:`StrategyInvalid` (every problem, nothing
read; or, once the bars are read, a fixed distance as large as a price or a fixed level far from every price), :class:`~shared.script.QueryFailed` (with a stable ``code``) or :class:`BacktestTimeout`.
"""

from __future__ import annotations

import time
from typing import Any, TypedDict

from typing_extensions import Unpack

from shared.backtest.bars import IntrabarMinutes, load_bars
from shared.backtest.levels import scale_problems
from shared.backtest.metrics import Costs, build_curves, build_trades, compute_metrics, default_capital
from shared.backtest.results import BacktestResult
from shared.backtest.simulate import Simulation, simulate
from shared.backtest.strategy import CheckedStrategy, check_strategy
from shared.market import Instrument
from shared.script import (
    BarsInput,
    Job,
    QueryInvalid,
    QueryTimeout,
    Subject,
    Universe,
    backtest_pool,
    engine_failures,
)

DEFAULT_TIMEOUT_S = 10.0


class StrategyInvalid(QueryInvalid):
    """The strategy has one or more problems (``errors``); nothing was run. 422 ``STRATEGY_INVALID``.

    Raised before any data is read, except for fixed distances and levels, which are compared with the period's
    prices once its bars are read.
    """

    subject = "strategy"
    code_name = "STRATEGY_INVALID"


class BacktestTimeout(QueryTimeout):
    """The backtest did not finish within its time budget. 504 ``BACKTEST_TIMEOUT``."""

    subject: Subject = "backtest"
    advice = "Narrow the period or use larger bars (`from`: `daily` or `1h` instead of `1m`)."


def _warnings(simulation: Simulation, checked: CheckedStrategy) -> list[str]:
    warnings = []
    if simulation.skipped_signals:
        names = [f"{name} `{d.text}`" for name, d in checked.distances.items() if d.per_bar]
        warnings.append(
            f"{simulation.skipped_signals} entry signal(s) were not taken because {' or '.join(names)} had no "
            "positive value on the signal bar (for example during an indicator's warm-up)."
        )
    if simulation.skipped_wrong_side:
        warnings.append(
            f"{simulation.skipped_wrong_side} entry signal(s) were not taken because the stop level was not "
            "beyond the entry fill on the losing side, or the target level not beyond it on the winning side."
        )
    return warnings


def _execute(checked: CheckedStrategy, instrument: Instrument, source: BarsInput) -> BacktestResult:
    strategy = checked.strategy
    bars = load_bars(checked, instrument, source)
    problems = scale_problems(checked.distances, bars.close, instrument.tick_size)
    if problems:
        raise StrategyInvalid(problems)
    minutes = (
        None if strategy.timeframe == "1m" else IntrabarMinutes(checked, instrument, source, bars).inside
    )
    simulation = simulate(bars, checked, instrument.tick_size, minutes)
    costs = Costs(instrument.point_value, strategy.contracts, strategy.commission)
    trades = build_trades(simulation.fills, strategy.direction, costs)
    capital = strategy.capital or default_capital(bars, costs)
    curves = build_curves(trades, bars, costs, capital)
    return BacktestResult(
        instrument=instrument,
        checked=checked,
        bars=bars,
        trades=trades,
        curves=curves,
        metrics=compute_metrics(trades, curves, bars, costs),
        skipped_signals=simulation.skipped_signals,
        skipped_wrong_side=simulation.skipped_wrong_side,
        resolved_by_minutes=simulation.resolved_by_minutes,
        assumed_stop_first=simulation.assumed_stop_first,
        warnings=_warnings(simulation, checked),
    )


def _guarded(
    checked: CheckedStrategy, instrument: Instrument, source: BarsInput, started: float
) -> BacktestResult:
    with engine_failures("backtest"):
        result = _execute(checked, instrument, source)
    result.elapsed_ms = (time.perf_counter() - started) * 1000
    return result


class BacktestOptions(TypedDict, total=False):
    """``timeout_s`` (the whole run's budget, default :data:`DEFAULT_TIMEOUT_S`), ``owner`` (the user: one
    backtest computing at a time each, else ``ENGINE_BUSY``) and ``universe`` (where rules' ``on('ES', …)``
    find other instruments)."""

    timeout_s: float | None
    owner: str | None
    universe: Universe | None


def start_backtest(
    strategy: Any, instrument: Instrument, source: BarsInput, **options: Unpack[BacktestOptions]
) -> Job[BacktestResult]:
    """Check ``strategy`` and hand it to the backtest pool; wait with ``.result()`` or ``await .wait()``.

    Raises :class:`StrategyInvalid` (every problem, nothing read) or ``QueryFailed`` ``ENGINE_BUSY``.
    """
    started = time.perf_counter()
    with engine_failures("backtest"):
        checked, errors = check_strategy(strategy, instrument, options.get("universe"))
    if errors or checked is None:
        raise StrategyInvalid(errors)
    timeout_s = options.get("timeout_s")
    budget = DEFAULT_TIMEOUT_S if timeout_s is None else timeout_s
    future = backtest_pool().submit(options.get("owner"), _guarded, checked, instrument, source, started)
    return Job(future, started, budget, BacktestTimeout)


def run_backtest(
    strategy: Any, instrument: Instrument, source: BarsInput, **options: Unpack[BacktestOptions]
) -> BacktestResult:
    """Check and run ``strategy`` (a JSON object) on ``instrument``'s bars.

    Parameters
    ----------
    strategy
        The strategy as JSON (fields of :class:`~shared.backtest.strategy.Strategy`).
    instrument
        The instrument traded: its sessions, tick size and point value apply.
    source
        Its stored bars (one-minute, and daily settlement bars when the data set has them).
    options
        :class:`BacktestOptions`: ``timeout_s``, ``owner`` and ``universe``.

    Returns
    -------
    BacktestResult
        Trades, metrics and curves over the bars of the strategy's session, bar size and period.

    Raises
    ------
    StrategyInvalid
        Every problem of the strategy, found before any data is read.
    QueryFailed
        ``NO_DATA`` (no bars in the period), ``BACKTEST_FAILED``, ``BACKTEST_INTERNAL``, ``QUERY_TOO_LARGE``,
        ``ENGINE_BUSY``.
    BacktestTimeout
        The run did not finish within ``timeout_s``.
    """
    return start_backtest(strategy, instrument, source, **options).result()
