"""Engine results in two shapes: full data cards for the UI and a compact text for the model.

A card is ``{tool_call_id, title, query, blocks, source, warnings}``. Blocks (what the SPA renders):

- ``table``: ``{columns: [{name, type, format?}], rows: [[...]], truncated?, total_rows?}``;
- ``bar-chart`` / ``line-chart`` / ``scatter``: ``{x, y: [names], columns, rows, title?}`` with only the x and y
  columns (``series_cards``: a screen's ranking, a price overlay, a return scatter);
- ``candles``: ``{columns, rows}`` with the date/time and OHLC columns;
- ``metrics-grid``: ``{items: [{label, value, type?, format?}]}`` for scalar and several-value results.

The model never sees rows: it gets the engine's deterministic ``summary`` (a few hundred tokens even for a
100 000-row result) plus where the numbers came from, so it can say which session and period it used.
"""

from __future__ import annotations

from typing import Any

from shared.assistant.series_cards import is_screen_result, screen_blocks, series_charts

MODEL_TEXT_LIMIT = 6000
"""Characters of result text the model receives per tool call (the engine's summary is far smaller)."""

_CHART_BLOCKS = {"bar": "bar-chart", "line": "line-chart"}
_CANDLE_COLUMNS = ("date", "time", "open", "high", "low", "close")


def _project(result: dict[str, Any], names: list[str]) -> tuple[list[dict[str, Any]], list[list[Any]]]:
    columns = result.get("columns") or []
    index = {c["name"]: i for i, c in enumerate(columns)}
    picked = [index[n] for n in names if n in index]
    return [columns[i] for i in picked], [[row[i] for i in picked] for row in result.get("rows") or []]


def _chart_block(result: dict[str, Any]) -> dict[str, Any] | None:
    chart = result.get("chart")
    if not chart or not result.get("rows"):
        return None
    if chart.get("type") == "candles":
        columns, rows = _project(result, list(_CANDLE_COLUMNS))
        return {"type": "candles", "columns": columns, "rows": rows}
    block_type = _CHART_BLOCKS.get(chart.get("type", ""))
    if block_type is None:
        return None
    y = list(chart.get("y") or [])
    columns, rows = _project(result, [chart["x"], *y])
    return {"type": block_type, "x": chart["x"], "y": y, "columns": columns, "rows": rows}


def _table_block(result: dict[str, Any]) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "table",
        "columns": result.get("columns") or [],
        "rows": result.get("rows") or [],
    }
    if result.get("truncated"):
        block["truncated"] = True
        block["total_rows"] = result.get("total_rows")
    return block


def _metric(label: str, value: Any, column: dict[str, Any] | None) -> dict[str, Any]:
    item: dict[str, Any] = {"label": label, "value": value}
    if column:
        item.update({k: column[k] for k in ("type", "format") if column.get(k)})
    return item


def _metrics_block(result: dict[str, Any]) -> dict[str, Any]:
    columns = result.get("columns") or []
    by_name = {c["name"]: c for c in columns}
    if result.get("kind") == "scalar":
        label = columns[0]["name"] if columns else "value"
        items = [_metric(label, result.get("value"), columns[0] if columns else None)]
    elif isinstance(result.get("values"), dict):
        items = [_metric(name, value, by_name.get(name)) for name, value in result["values"].items()]
    else:
        first = (result.get("rows") or [[]])[0]
        items = [_metric(c["name"], v, c) for c, v in zip(columns, first, strict=False)]
    return {"type": "metrics-grid", "items": items}


def result_blocks(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The UI blocks of one engine result: its charts (the engine's suggestion, or one for many series), then the data."""
    if result.get("kind") in ("scalar", "values"):
        return [_metrics_block(result)]
    if is_screen_result(result):
        return screen_blocks(result, _table_block(result))
    return [*series_charts(result, _chart_block(result)), _table_block(result)]


def result_card(result: dict[str, Any], *, tool_call_id: str, title: str) -> dict[str, Any]:
    """The data card of one ``run_query`` call, as sent in ``data_block`` and stored with the answer."""
    return {
        "tool_call_id": tool_call_id,
        "title": title,
        "query": result.get("query"),
        "blocks": result_blocks(result),
        "source": result.get("source"),
        "warnings": result.get("warnings") or [],
    }


def _source_line(source: dict[str, Any] | None) -> str | None:
    if not source:
        return None
    parts = []
    if source.get("bars"):
        parts.append(f"{source['bars']} bars")
    parts.append(f"session {source.get('session') or 'all (no session filter)'}")
    period = source.get("period")
    if period:
        parts.append(f"period {period[0]} to {period[1]}")
    if source.get("rows_scanned") is not None:
        parts.append(f"{source['rows_scanned']} bars scanned")
    return "Source: " + ", ".join(parts) + "."


CARD_NOTE = "The user sees the full result as a card under your text; do not repeat the table."
"""How the chat's model is told where the rows went."""


def model_text(result: dict[str, Any], *, note: str = CARD_NOTE) -> str:
    """The compact tool result the model reads: the engine's summary, its source, any warnings and ``note``."""
    lines = [
        str(
            result.get("summary")
            or f"{result.get('kind', 'result')} with {len(result.get('rows') or [])} rows"
        )
    ]
    source = _source_line(result.get("source"))
    if source:
        lines.append(source)
    lines += [f"Warning: {w}" for w in result.get("warnings") or []]
    lines.append(note)
    text = "\n".join(lines)
    return text if len(text) <= MODEL_TEXT_LIMIT else text[: MODEL_TEXT_LIMIT - 20] + "\n[summary cut]"
