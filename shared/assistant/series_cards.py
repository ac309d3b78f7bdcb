"""Blocks for results over many series: a screen's ranked table, and charts of a query that reads other instruments.

- A **screen** (its query has a ``screen`` field) becomes a table titled "Screen of N instruments, ranked by …"
  and, when it ranks on a number, a bar chart of that number by instrument.
- A table that holds **prices of several instruments** (its own ``close`` and map columns such as
  ``on('ES', close)``) gets an overlay of up to three of them as % change since the first row, instead of the
  engine's line chart, which would put 24 000 and 6 000 on one axis.
- A table with **returns of two instruments** (``change_pct(close)`` and ``on('ES', change_pct(close))``) gets a
  scatter of one against the other: what a correlation looks like.

Columns are recognised from the query's map expressions, so a ratio or a z-score is never mistaken for a price.
"""

from __future__ import annotations

import re
from typing import Any

from shared.script import is_screen

_SOURCE = r"on\(\s*'([A-Za-z0-9]+)(?::[A-Za-z0-9]+)?'\s*,\s*"
_OTHER_PRICE = re.compile(rf"^{_SOURCE}close\s*\)$")
_OTHER_RETURN = re.compile(rf"^{_SOURCE}change_pct\(\s*close\s*\)\s*\)$")
_RETURN_OF = re.compile(r"^change_pct\(\s*(.+?)\s*\)$")


def is_screen_result(result: dict[str, Any]) -> bool:
    """Whether ``result`` came from a screen (one row per instrument)."""
    return is_screen(result.get("query"))


def _screened(result: dict[str, Any]) -> int:
    raw = (result.get("query") or {}).get("screen")
    if isinstance(raw, list):
        return len({str(s).strip().upper() for s in raw})
    # "all": every instrument with bars was screened, and on() can only read instruments with bars.
    return len((result.get("source") or {}).get("instruments") or [])


def _ranking(result: dict[str, Any]) -> tuple[str, bool] | None:
    """The column the screen is sorted on first and whether it is descending."""
    sort = (result.get("query") or {}).get("sort")
    first = sort[0] if isinstance(sort, list) and sort else sort
    if not isinstance(first, str) or not first.strip():
        return None
    name, *direction = first.split()
    return name, direction[:1] == ["desc"]


def screen_blocks(result: dict[str, Any], table: dict[str, Any]) -> list[dict[str, Any]]:
    """A screen's blocks: a bar chart of the ranking measure by instrument, then the titled ranked table."""
    ranking = _ranking(result)
    title = f"Screen of {_screened(result)} instruments"
    if ranking:
        title += f", ranked by {ranking[0]} ({'highest' if ranking[1] else 'lowest'} first)"
    columns = result.get("columns") or []
    numeric = [c["name"] for c in columns if c["type"] in ("number", "integer") and c["name"] != "rank"]
    measure = ranking[0] if ranking and ranking[0] in numeric else (numeric[0] if numeric else None)
    blocks = []
    if measure is not None and len(result.get("rows") or []) > 1:
        names = [c["name"] for c in columns]
        x, y = names.index("instrument"), names.index(measure)
        blocks.append(
            {
                "type": "bar-chart",
                "title": f"{measure} by instrument",
                "x": "instrument",
                "y": [measure],
                "columns": [columns[x], columns[y]],
                "rows": [[row[x], row[y]] for row in result["rows"]],
            }
        )
    return [*blocks, {**table, "title": title}]


def _series_columns(result: dict[str, Any]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The result's price columns and return columns, one ``(column, symbol)`` per instrument."""
    instruments = (result.get("source") or {}).get("instruments") or []
    own, others = (instruments[0], set(instruments[1:])) if instruments else ("", set())
    present = {c["name"] for c in result.get("columns") or []}
    prices = {"close": own} if "close" in present else {}
    returns: dict[str, str] = {}
    for name, expression in ((result.get("query") or {}).get("map") or {}).items():
        text = str(expression).strip()
        price, other_return, return_of = (p.match(text) for p in (_OTHER_PRICE, _OTHER_RETURN, _RETURN_OF))
        if price and price[1].upper() in others:
            prices[name] = price[1].upper()
        elif other_return and other_return[1].upper() in others:
            returns[name] = other_return[1].upper()
        elif return_of and return_of[1] == "close":
            returns[name] = own
        elif return_of and (inner := _OTHER_PRICE.match(return_of[1])) and inner[1].upper() in others:
            returns[name] = inner[1].upper()
    return _one_per_instrument(prices, present), _one_per_instrument(returns, present)


def _one_per_instrument(columns: dict[str, str], present: set[str]) -> list[tuple[str, str]]:
    """``(column, symbol)`` pairs: the first column of each instrument among the result's columns."""
    first: dict[str, str] = {}
    for name, symbol in columns.items():
        if name in present:
            first.setdefault(symbol, name)
    return [(name, symbol) for symbol, name in first.items()]


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _change(value: float | None, base: float | None) -> float | None:
    """``value`` as % change from ``base`` (its instrument's first price in the table)."""
    return None if value is None or not base else (value / base - 1) * 100


def _overlay(result: dict[str, Any], x: str, prices: list[tuple[str, str]]) -> dict[str, Any]:
    names = [c["name"] for c in result["columns"]]
    xi, picked = names.index(x), [names.index(n) for n, _ in prices]
    rows = sorted((row for row in result["rows"] if row[xi] is not None), key=lambda row: str(row[xi]))
    bases = [next((row[i] for row in rows if row[i]), None) for i in picked]
    normalised = [
        [row[xi], *(_change(row[i], base) for i, base in zip(picked, bases, strict=True))] for row in rows
    ]
    symbols = [symbol for _, symbol in prices]
    x_column = result["columns"][xi]
    return {
        "type": "line-chart",
        "title": f"{_listed(symbols)}, % change since {rows[0][xi]}",
        "x": x,
        "y": symbols,
        "columns": [x_column, *({"name": s, "type": "number"} for s in symbols)],
        "rows": normalised,
    }


def _scatter(result: dict[str, Any], returns: list[tuple[str, str]]) -> dict[str, Any]:
    (x, x_symbol), (y, y_symbol) = returns[:2]
    names = [c["name"] for c in result["columns"]]
    xi, yi = names.index(x), names.index(y)
    return {
        "type": "scatter",
        "title": f"Returns: {x_symbol} ({x}) against {y_symbol} ({y})",
        "x": x,
        "y": [y],
        "columns": [result["columns"][xi], result["columns"][yi]],
        "rows": [[row[xi], row[yi]] for row in result["rows"] if row[xi] is not None and row[yi] is not None],
    }


def series_charts(result: dict[str, Any], engine_chart: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The charts of a table: the engine's, or the price overlay when it shows several instruments' prices, and
    a return scatter when it holds two instruments' returns."""
    if result.get("kind") != "table" or not result.get("rows"):
        return [engine_chart] if engine_chart else []
    prices, returns = _series_columns(result)
    chart = result.get("chart") or {}
    overlay = len(prices) >= 2 and chart.get("type") == "line"
    blocks = [_overlay(result, chart["x"], prices[:3])] if overlay else [engine_chart] if engine_chart else []
    return blocks + ([_scatter(result, returns)] if len(returns) >= 2 else [])
