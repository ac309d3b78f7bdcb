"""Barb Script: validate and run JSON queries over OHLCV bars.

Public API::

    validate(query, instrument, columns_hint=None) -> list[ScriptError]
    run_query(query, instrument, bars, *, explain=False, timeout_s=None, owner=None, universe=None) -> dict
    start_query(...) -> Job   # the same, waited on with .result() or awaited with .wait()

``run_query`` raises :class:`QueryInvalid` (every validation error), :class:`QueryFailed` (a valid query that
could not be computed, with a stable ``code``) or :class:`QueryTimeout`; never a raw exception. Each is a
:class:`shared.errors.BarbError` carrying the HTTP status and code the API renders.
"""

from shared.script.bars import BarRequest, BarsInput, FrameBars, StoreBars, anchor_session, build_bars
from shared.script.declarations import FunctionSpec
from shared.script.errors import (
    QueryError,
    QueryFailed,
    QueryInvalid,
    QueryTimeout,
    ScriptError,
    Subject,
    engine_failures,
)
from shared.script.kernels import warm_up
from shared.script.names import did_you_mean
from shared.script.plan import Plan
from shared.script.pool import Job, backtest_pool
from shared.script.reference import category_keys, category_reference, tool_reference
from shared.script.registry import function_spec
from shared.script.run import DEFAULT_TIMEOUT_S, execute_plan, run_query, start_query
from shared.script.scale import price_weight
from shared.script.screen import is_screen, start_screen
from shared.script.universe import FramesUniverse, StoreUniverse, Universe
from shared.script.validate import build_plan, validate

__all__ = [
    "DEFAULT_TIMEOUT_S",
    "BarRequest",
    "BarsInput",
    "FrameBars",
    "FramesUniverse",
    "FunctionSpec",
    "Job",
    "Plan",
    "QueryError",
    "QueryFailed",
    "QueryInvalid",
    "QueryTimeout",
    "ScriptError",
    "StoreBars",
    "StoreUniverse",
    "Subject",
    "Universe",
    "anchor_session",
    "backtest_pool",
    "build_bars",
    "build_plan",
    "category_keys",
    "category_reference",
    "did_you_mean",
    "engine_failures",
    "execute_plan",
    "function_spec",
    "is_screen",
    "price_weight",
    "run_query",
    "start_query",
    "start_screen",
    "tool_reference",
    "validate",
    "warm_up",
]
