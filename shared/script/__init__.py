"""Barb Script: validate and run JSON queries over OHLCV bars.

Public API::

    validate(query, instrument, columns_hint=None) -> list[ScriptError]
    run_query(query, instrument, bars, *, explain=False, timeout_s=None) -> dict

``run_query`` raises :class:`QueryInvalid` (every validation error), :class:`QueryFailed` (a valid query that
could not be computed, with a stable ``code``) or :class:`QueryTimeout`; never a raw exception.
"""

from shared.script.bars import BarsInput, FrameBars, StoreBars
from shared.script.errors import QueryError, QueryFailed, QueryInvalid, QueryTimeout, ScriptError
from shared.script.run import DEFAULT_TIMEOUT_S, run_query
from shared.script.validate import validate

__all__ = [
    "DEFAULT_TIMEOUT_S",
    "BarsInput",
    "FrameBars",
    "QueryError",
    "QueryFailed",
    "QueryInvalid",
    "QueryTimeout",
    "ScriptError",
    "StoreBars",
    "run_query",
    "validate",
]
