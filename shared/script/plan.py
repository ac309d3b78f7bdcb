"""The execution plan: what the validator learned about a query, in the form the executor runs it.

A plan is built without reading data (columns and their types are known statically), so every problem is
found before execution, and the executor never re-parses an expression.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Literal

from shared.market import Instrument, Session
from shared.script.period import Period
from shared.script.query import Query, Step

ResultKind = Literal["table", "grouped", "scalar", "values"]
ColumnType = Literal["number", "integer", "boolean", "date", "time", "text", "any"]
BASE_COLUMNS = ("open", "high", "low", "close", "volume")
PRICE_COLUMNS = frozenset({"open", "high", "low", "close"})
"""The base columns that are price levels."""
ORDER = ("session", "from", "map", "period", "where", "group_by+select", "sort", "limit", "columns")
"""The fixed order of execution, whatever the order of keys in the JSON."""


@dataclass(frozen=True)
class ColumnInfo:
    """A column known before execution: its type and, for weekday/month numbers, a display format."""

    type: ColumnType
    format: str | None = None


@dataclass(frozen=True)
class Source:
    """The bars an ``on()`` value runs on: an instrument's, at a bar size; ``higher`` when longer than the
    query's (the last completed bar's value is used)."""

    instrument: Instrument
    bar_size: str
    higher: bool


@dataclass(frozen=True)
class SideSeries:
    """One ``on(source, x)`` of a query: the column it becomes (its text), its bars, ``x`` and x's type."""

    column: str
    source: Source
    tree: ast.expr
    type: ColumnType


@dataclass
class StepPlan:
    """One step, checked and parsed."""

    step: Step
    inputs: dict[str, ColumnInfo]
    """Columns of the input frame, in order (``date``/``time`` of bar frames included)."""
    names: frozenset[str]
    """Columns an expression may name (bar frames hide ``date``/``time``: use ``date()``/``time()``)."""
    map: list[tuple[str, ast.expr]] = field(default_factory=list)
    where: ast.expr | None = None
    select: list[tuple[str, ast.expr]] = field(default_factory=list)
    mapped: dict[str, ColumnInfo] = field(default_factory=dict)
    """Columns after ``map`` (what ``where`` and the aggregates see)."""
    outputs: dict[str, ColumnInfo] = field(default_factory=dict)
    kind: ResultKind = "table"
    first: bool = False


@dataclass
class Plan:
    """A validated query ready to run."""

    query: Query
    steps: list[StepPlan]
    timeframe: str = "daily"
    intraday: bool = False
    session_name: str | None = None
    session: Session | None = None
    full_session: bool = True
    """True when the bars cover the whole trading day (no session, or the instrument's default session)."""
    period: Period | None = None
    series: tuple[SideSeries, ...] = ()
    """The first step's ``on()`` values, computed on their own bars and joined before ``map``."""

    def instruments(self, own: str) -> tuple[str, ...]:
        """The instruments the query reads: ``own`` first, then the others its ``on()`` values name."""
        return tuple(dict.fromkeys([own, *(s.source.instrument.symbol for s in self.series)]))

    @property
    def kind(self) -> ResultKind:
        """The kind of the final result."""
        return self.steps[-1].kind
