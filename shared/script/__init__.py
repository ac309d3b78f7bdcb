"""Barb Script: validate and run JSON queries over OHLCV bars.

Public API::

    validate(query, instrument, columns_hint=None) -> list[ScriptError]
    run_query(query, instrument, bars, *, explain=False, timeout_s=None, owner=None) -> dict
    start_query(...) -> Job   # the same, waited on with .result() or awaited with .wait()

``run_query`` raises :class:`QueryInvalid` (every validation error), :class:`QueryFailed` (a valid query that
could not be computed, with a stable ``code``) or :class:`QueryTimeout`; never a raw exception. Each is a
:class:`shared.errors.BarbError` carrying the HTTP status and code the API renders.
"""

from shared.script.bars import BarsInput, FrameBars, StoreBars
from shared.script.errors import QueryError, QueryFailed, QueryInvalid, QueryTimeout, ScriptError
from shared.script.pool import Job
from shared.script.run import DEFAULT_TIMEOUT_S, run_query, start_query
from shared.script.validate import validate

__all__ = [
    "DEFAULT_TIMEOUT_S",
    "BarsInput",
    "FrameBars",
    "Job",
    "QueryError",
    "QueryFailed",
    "QueryInvalid",
    "QueryTimeout",
    "ScriptError",
    "StoreBars",
    "run_query",
    "start_query",
    "validate",
]
