"""``run_query``: validate, execute within a time budget, and build the result object.

Timeout: the query runs in the engine's pool of worker threads (``shared.script.pool``) and the caller stops
waiting after ``timeout_s`` (default 10 s), raising :class:`QueryTimeout`. Polars cannot interrupt a computation
already running, so the abandoned worker finishes in the background; the pool bounds how many computations
each user has in it, so one user's runaway queries cannot take every thread — a query queued behind others
counts the wait against its own budget.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import TimeoutError as FutureTimeout

import polars as pl

from data_store.errors import DataStoreError
from shared.market.instruments import Instrument
from shared.script.bars import BarsInput
from shared.script.compile import CompileError
from shared.script.errors import QueryError, QueryFailed, QueryInvalid, QueryTimeout
from shared.script.execute import Execution, execute
from shared.script.plan import Plan
from shared.script.pool import query_pool
from shared.script.results import build_result
from shared.script.validate import build_plan

DEFAULT_TIMEOUT_S = 10.0
_log = logging.getLogger(__name__)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


def _guarded(plan, instrument: Instrument, bars: BarsInput, explain: bool) -> Execution:
    """Execute, turning every failure into a typed :class:`QueryFailed`."""
    try:
        return execute(plan, instrument, bars, explain=explain)
    except QueryError:
        raise
    except CompileError as exc:
        raise QueryFailed(f"The query could not be built: {exc}", "QUERY_FAILED") from exc
    except LookupError as exc:
        raise QueryFailed(f"No data: {exc}", "NO_DATA") from exc
    except DataStoreError as exc:
        raise QueryFailed(
            f"The bars cannot be read right now ({_first_line(exc)}); try again shortly.", "DATA_UNAVAILABLE"
        ) from exc
    except MemoryError as exc:
        raise QueryFailed(
            "The query needs too much memory; narrow the period or use larger bars.", "QUERY_TOO_LARGE"
        ) from exc
    except pl.exceptions.PolarsError as exc:
        raise QueryFailed(f"The query could not be computed: {_first_line(exc)}", "QUERY_FAILED") from exc
    except Exception as exc:
        _log.exception("query engine failure")
        raise QueryFailed(
            f"Internal error while running the query ({type(exc).__name__}).", "QUERY_INTERNAL"
        ) from exc


def execute_plan(plan: Plan, instrument: Instrument, bars: BarsInput) -> Execution:
    """Run a validated plan and return its whole frame (no result object, no row cap, no time budget).

    For callers that need every bar with its computed columns, such as the backtest engine. Failures are
    :class:`QueryFailed`, exactly as in :func:`run_query`.
    """
    return _guarded(plan, instrument, bars, False)


def run_query(
    query: dict,
    instrument: Instrument,
    bars: BarsInput,
    *,
    explain: bool = False,
    timeout_s: float | None = None,
    owner: str | None = None,
) -> dict:
    """Validate and run ``query`` on ``bars`` of ``instrument``; returns the §5 result object.

    Raises :class:`QueryInvalid` with every problem (before reading data), :class:`QueryFailed` (``ENGINE_BUSY``
    when ``owner``, the user, already has the most computations running that one user may) or
    :class:`QueryTimeout`.
    """
    started = time.perf_counter()
    try:
        plan, errors = build_plan(query, instrument)
    except Exception as exc:
        _log.exception("query validation failure")
        raise QueryFailed(
            f"Internal error while checking the query ({type(exc).__name__}).", "QUERY_INTERNAL"
        ) from exc
    if errors:
        raise QueryInvalid(errors)
    budget = DEFAULT_TIMEOUT_S if timeout_s is None else timeout_s
    future = query_pool().submit(owner, _guarded, plan, instrument, bars, explain)
    try:
        execution = future.result(timeout=max(budget - (time.perf_counter() - started), 0.001))
    except FutureTimeout as exc:
        future.cancel()
        raise QueryTimeout(budget) from exc
    try:
        return build_result(plan, execution, (time.perf_counter() - started) * 1000, explain=explain)
    except Exception as exc:
        _log.exception("result building failure")
        raise QueryFailed(
            f"Internal error while building the result ({type(exc).__name__}).", "QUERY_INTERNAL"
        ) from exc
