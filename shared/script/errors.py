"""Typed errors of the Barb Script engine.

A query problem is a value (:class:`ScriptError`) so the validator can report every problem at once; the public
entry points raise one of three exceptions, never a raw Python or Polars error:

- :class:`QueryInvalid` — the query itself is wrong (carries every :class:`ScriptError`);
- :class:`QueryFailed` — a valid query could not be computed (carries a stable ``code``);
- :class:`QueryTimeout` — the query ran longer than its budget.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class ScriptError:
    """One problem in a query: where it is, what is wrong and how to fix it."""

    step: str
    """The field that holds the problem (``map``, ``where``, …), prefixed by ``steps[i].`` in multi-step queries."""
    expression: str
    message: str
    hint: str | None = None

    def to_dict(self) -> dict:
        """The JSON form ``{step, expression, message, hint}``."""
        return asdict(self)

    def __str__(self) -> str:
        text = f"{self.step}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


class QueryError(Exception):
    """Base class of every error the engine raises."""


class QueryInvalid(QueryError):
    """The query has one or more problems; nothing was read or computed."""

    def __init__(self, errors: list[ScriptError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(str(e) for e in self.errors) or "invalid query")


class QueryFailed(QueryError):
    """A valid query could not be computed; ``code`` is stable, ``message`` is for people."""

    def __init__(self, message: str, code: str = "QUERY_FAILED") -> None:
        self.message = message
        self.code = code
        super().__init__(message)


class QueryTimeout(QueryError):
    """The query did not finish within its time budget."""

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        super().__init__(
            f"The query did not finish within {timeout_s:g} s. Narrow the period, use larger bars "
            "(`from`: `daily` instead of `1m`) or fewer indicators."
        )
