"""Typed errors of the Barb Script engine and the backtester, in the one error tree (:class:`BarbError`).

A query problem is a value (:class:`ScriptError`) so the validator can report every problem at once; the public
entry points raise one of three exceptions, never a raw Python or Polars error, and each already carries the HTTP
status and code the API answers with:

- :class:`QueryInvalid` — the query itself is wrong (carries every :class:`ScriptError`), 422;
- :class:`QueryFailed` — a valid query could not be computed (its ``code`` decides the status);
- :class:`QueryTimeout` — the query ran longer than its budget, 504.

:func:`engine_failures` is the one place a foreign exception (Polars, the bar store, memory) becomes a
:class:`QueryFailed`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any, Literal

import polars as pl

from data_store.errors import DataStoreError
from shared.errors import BarbError

FailureCode = Literal[
    "QUERY_FAILED",
    "BACKTEST_FAILED",
    "NO_DATA",
    "NO_DATE_COLUMN",
    "DATA_UNAVAILABLE",
    "QUERY_TOO_LARGE",
    "ENGINE_BUSY",
    "QUERY_INTERNAL",
    "BACKTEST_INTERNAL",
]
"""Why a valid query or backtest could not be computed."""

FAILURE_STATUS: dict[FailureCode, int] = {
    "QUERY_FAILED": 422,
    "BACKTEST_FAILED": 422,
    "NO_DATA": 404,
    "NO_DATE_COLUMN": 422,
    "DATA_UNAVAILABLE": 503,
    "QUERY_TOO_LARGE": 422,
    "ENGINE_BUSY": 429,
    "QUERY_INTERNAL": 500,
    "BACKTEST_INTERNAL": 500,
}
"""The HTTP status of each failure: our data or our code is ours (5xx), the query's demands the caller's (4xx)."""

Subject = Literal["query", "backtest"]
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScriptError:
    """One problem in a query: where it is, what is wrong and how to fix it."""

    step: str
    """The field that holds the problem (``map``, ``where``, …), prefixed by ``steps[i].`` in multi-step queries."""
    expression: str
    message: str
    hint: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form ``{step, expression, message, hint}``."""
        return asdict(self)

    def bullet(self) -> str:
        """One line for a reader that fixes the query (the model, a terminal)."""
        line = f"- {self.step}: {self.message}"
        if self.expression:
            line += f" (in `{self.expression}`)"
        return f"{line}. Hint: {self.hint}" if self.hint else line

    def __str__(self) -> str:
        text = f"{self.step}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


class QueryError(BarbError):
    """Base class of every error the engine and the backtester raise."""


class QueryInvalid(QueryError):
    """The query has one or more problems; nothing was read or computed."""

    subject = "query"
    code_name = "QUERY_INVALID"

    def __init__(self, errors: list[ScriptError]) -> None:
        self.errors = list(errors)
        count = len(self.errors)
        first = f": {self.errors[0].message}{' (and more)' if count > 1 else ''}" if self.errors else ""
        super().__init__(
            422,
            self.code_name,
            f"The {self.subject} has {count} problem{'s' if count != 1 else ''}{first}",
            details=[e.to_dict() for e in self.errors],
        )

    def fix_request(self, tool: str) -> str:
        """What the model reads: every problem with its hint, and what to call once they are fixed."""
        lines = [f"The {self.subject} is invalid; nothing was run. Fix every problem and call {tool} again:"]
        return "\n".join([*lines, *(e.bullet() for e in self.errors)])


class QueryFailed(QueryError):
    """A valid query could not be computed; ``code`` is stable (:data:`FailureCode`), ``message`` is for people."""

    def __init__(self, message: str, code: FailureCode = "QUERY_FAILED") -> None:
        super().__init__(FAILURE_STATUS[code], code, message)


class QueryTimeout(QueryError):
    """The query did not finish within its time budget."""

    subject: Subject = "query"
    advice = "Narrow the period, use larger bars (`from`: `daily` instead of `1m`) or fewer indicators."

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        message = f"The {self.subject} did not finish within {timeout_s:g} s. {self.advice}"
        super().__init__(504, f"{self.subject.upper()}_TIMEOUT", message)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


@contextmanager
def engine_failures(subject: Subject) -> Iterator[None]:
    """Let the engine's own errors through and turn any other exception into a typed :class:`QueryFailed`."""
    try:
        yield
    except QueryError:
        raise
    except DataStoreError as exc:
        raise QueryFailed(
            f"The bars cannot be read right now ({_first_line(exc)}); try again shortly.", "DATA_UNAVAILABLE"
        ) from exc
    except LookupError as exc:
        raise QueryFailed(f"No data: {exc}", "NO_DATA") from exc
    except MemoryError as exc:
        raise QueryFailed(
            f"The {subject} needs too much memory; narrow the period or use larger bars.", "QUERY_TOO_LARGE"
        ) from exc
    except pl.exceptions.PolarsError as exc:
        code: FailureCode = "BACKTEST_FAILED" if subject == "backtest" else "QUERY_FAILED"
        raise QueryFailed(f"The {subject} could not be computed: {_first_line(exc)}", code) from exc
    except Exception as exc:
        _log.exception("%s engine failure", subject)
        code = "BACKTEST_INTERNAL" if subject == "backtest" else "QUERY_INTERNAL"
        raise QueryFailed(
            f"Internal error while running the {subject} ({type(exc).__name__}).", code
        ) from exc
