"""What the query and backtest endpoints return, as documented in the OpenAPI document.

The engine builds these objects (``shared/script/results.py``, ``shared/backtest/results.py``); the models
name every top-level field with its type and leave the open-ended parts (rows, cards, metrics) open.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel


class ResultColumn(BaseModel):
    name: str
    type: Literal["date", "time", "datetime", "number", "integer", "boolean", "text"]
    format: str | None = None
    """A display hint for keys (``weekday``, ``month``) and values."""


class QuerySource(BaseModel):
    bars: str
    """The bar size the query read (``1m``, ``1d``…)."""
    rows_scanned: int
    period: list[str | None] | None
    session: str | None
    instruments: list[str]
    """The query's instrument, then the others its ``on()`` values read."""
    sample: bool
    """Whether any of the bars read are the synthetic sample set."""


class QueryResult(BaseModel):
    """A query's result object (BARB_SCRIPT.md §5): a table, a grouped table, a scalar or named values."""

    kind: Literal["table", "grouped", "scalar", "values"]
    columns: list[ResultColumn]
    rows: list[list[Any]]
    truncated: bool = False
    total_rows: int | None = None
    """Set when ``rows`` stops at the row cap."""
    value: Any = None
    """The scalar (``kind: scalar``)."""
    values: dict[str, Any] | None = None
    """The named values (``kind: values``)."""
    summary: str
    chart: dict[str, Any] | None
    source: QuerySource
    warnings: list[str]
    explain: dict[str, Any] | None = None
    """The rows that fed an aggregate (``explain: true``)."""
    query: dict[str, Any]
    """The query as run, normalised."""
    elapsed_ms: float


class BacktestSource(BaseModel):
    bars: str
    timeframe: str | None
    session: str | None
    period: list[str]
    rows: int
    intrabar: dict[str, int]
    sample: bool


class BacktestResult(BaseModel):
    """A backtest's result (docs/backtest.md)."""

    instrument: str
    strategy: dict[str, Any]
    source: BacktestSource
    metrics: dict[str, Any]
    trades: dict[str, Any]
    """The trade list as a table (``columns``, ``rows``)."""
    equity: dict[str, Any]
    """The equity curve as a table."""
    summary: str
    warnings: list[str]
    elapsed_ms: float
    blocks: list[dict[str, Any]] | None = None
    """UI cards (metrics grid, equity curve, trades, candles)."""
