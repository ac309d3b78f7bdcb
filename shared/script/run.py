"""``run_query``: validate, execute within a time budget, and build the result object.

Validation runs in the caller (it reads no data and takes well under a millisecond); the computation and the
result object run in the engine's pool (``shared.script.pool``), whose threads are shared fairly between users,
and the caller stops waiting after ``timeout_s`` (default 10 s), raising :class:`QueryTimeout`. Polars cannot
interrupt a computation already running, so the abandoned worker finishes in the background; the pool bounds
how many computations each user has in it. A query queued behind others counts the wait against its budget.
"""

from __future__ import annotations

import time
from typing import Any, TypedDict

from typing_extensions import Unpack

from shared.market import Instrument
from shared.script.bars import BarsInput
from shared.script.errors import QueryInvalid, engine_failures
from shared.script.execute import Execution, execute
from shared.script.plan import Plan
from shared.script.pool import Job, query_pool
from shared.script.results import build_result
from shared.script.universe import Universe
from shared.script.validate import build_plan

DEFAULT_TIMEOUT_S = 10.0


def execute_plan(
    plan: Plan, instrument: Instrument, bars: BarsInput, universe: Universe | None = None
) -> Execution:
    """Run a validated plan and return its whole frame (no result object, no row cap, no time budget).

    For callers that need every bar with its computed columns, such as the backtest engine. Failures are
    :class:`QueryFailed`, exactly as in :func:`run_query`.
    """
    with engine_failures("query"):
        return execute(plan, instrument, bars, explain=False, universe=universe)


def _compute(
    plan: Plan,
    instrument: Instrument,
    bars: BarsInput,
    universe: Universe | None,
    explain: bool,
    started: float,
) -> dict[str, Any]:
    with engine_failures("query"):
        execution = execute(plan, instrument, bars, explain=explain, universe=universe)
        return build_result(plan, execution, (time.perf_counter() - started) * 1000, explain=explain)


class BudgetOptions(TypedDict, total=False):
    """A computation's budget: ``timeout_s`` (default :data:`DEFAULT_TIMEOUT_S`) and ``owner`` (the user: bounds
    their share of the engine's pool)."""

    timeout_s: float | None
    owner: str | None


class RunOptions(BudgetOptions, total=False):
    """How a query runs: its budget, ``explain`` (the plan in the result) and ``universe`` (where
    ``on('ES', …)`` finds other instruments' bars; without it only the query's own instrument)."""

    explain: bool
    universe: Universe | None


def start_query(
    query: object, instrument: Instrument, bars: BarsInput, **options: Unpack[RunOptions]
) -> Job[dict[str, Any]]:
    """Validate ``query`` and hand it to the engine's pool; wait with ``.result()`` or ``await .wait()``.

    Raises :class:`QueryInvalid` with every problem at once (nothing is read) and :class:`QueryFailed`
    ``ENGINE_BUSY`` when ``owner``, the user, already has the most computations running that one user may.
    """
    started = time.perf_counter()
    universe = options.get("universe")
    with engine_failures("query"):
        plan, errors = build_plan(query, instrument, universe=universe)
    if errors:
        raise QueryInvalid(errors)
    timeout_s = options.get("timeout_s")
    budget = DEFAULT_TIMEOUT_S if timeout_s is None else timeout_s
    explain = options.get("explain", False)
    future = query_pool().submit(
        options.get("owner"), _compute, plan, instrument, bars, universe, explain, started
    )
    return Job(future, started, budget)


def run_query(
    query: object, instrument: Instrument, bars: BarsInput, **options: Unpack[RunOptions]
) -> dict[str, Any]:
    """Validate and run ``query`` on ``bars`` of ``instrument``; returns the §5 result object.

    Raises :class:`QueryInvalid` (every problem, before reading data), :class:`QueryFailed` (with a stable
    ``code``) or :class:`QueryTimeout`; see :func:`start_query` for an async caller.
    """
    return start_query(query, instrument, bars, **options).result()
