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
from shared.script.validate import build_plan

DEFAULT_TIMEOUT_S = 10.0


def execute_plan(plan: Plan, instrument: Instrument, bars: BarsInput) -> Execution:
    """Run a validated plan and return its whole frame (no result object, no row cap, no time budget).

    For callers that need every bar with its computed columns, such as the backtest engine. Failures are
    :class:`QueryFailed`, exactly as in :func:`run_query`.
    """
    with engine_failures("query"):
        return execute(plan, instrument, bars, explain=False)


def _compute(
    plan: Plan, instrument: Instrument, bars: BarsInput, explain: bool, started: float
) -> dict[str, Any]:
    with engine_failures("query"):
        execution = execute(plan, instrument, bars, explain=explain)
        return build_result(plan, execution, (time.perf_counter() - started) * 1000, explain=explain)


class RunOptions(TypedDict, total=False):
    """How a query runs: ``explain`` (the plan in the result), ``timeout_s`` (its budget, default
    :data:`DEFAULT_TIMEOUT_S`) and ``owner`` (the user: bounds their share of the engine's pool)."""

    explain: bool
    timeout_s: float | None
    owner: str | None


def start_query(
    query: object, instrument: Instrument, bars: BarsInput, **options: Unpack[RunOptions]
) -> Job[dict[str, Any]]:
    """Validate ``query`` and hand it to the engine's pool; wait with ``.result()`` or ``await .wait()``.

    Raises :class:`QueryInvalid` with every problem at once (nothing is read) and :class:`QueryFailed`
    ``ENGINE_BUSY`` when ``owner``, the user, already has the most computations running that one user may.
    """
    started = time.perf_counter()
    with engine_failures("query"):
        plan, errors = build_plan(query, instrument)
    if errors:
        raise QueryInvalid(errors)
    timeout_s = options.get("timeout_s")
    budget = DEFAULT_TIMEOUT_S if timeout_s is None else timeout_s
    explain = options.get("explain", False)
    future = query_pool().submit(options.get("owner"), _compute, plan, instrument, bars, explain, started)
    return Job(future, started, budget)


def run_query(
    query: object, instrument: Instrument, bars: BarsInput, **options: Unpack[RunOptions]
) -> dict[str, Any]:
    """Validate and run ``query`` on ``bars`` of ``instrument``; returns the §5 result object.

    Raises :class:`QueryInvalid` (every problem, before reading data), :class:`QueryFailed` (with a stable
    ``code``) or :class:`QueryTimeout`; see :func:`start_query` for an async caller.
    """
    return start_query(query, instrument, bars, **options).result()
