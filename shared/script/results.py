"""The result object of a query (BARB_SCRIPT.md §5), built from the executed frame.

Everything here is deterministic: the same query on the same bars gives byte-identical JSON (``elapsed_ms``
aside). Dates are ``YYYY-MM-DD``, times ``HH:MM``; NaN and ±infinity become ``null``.
"""

from __future__ import annotations

import ast
import calendar
import math
from typing import Any

import polars as pl

from shared.script.execute import Execution
from shared.script.plan import BASE_COLUMNS, ColumnInfo, Plan
from shared.script.registry import function_spec

MAX_ROWS = 10_000
_SUMMARY_COLUMNS = 4


def _column_type(dtype: pl.DataType) -> str:
    if dtype == pl.Date or isinstance(dtype, pl.Datetime):
        return "date"
    if dtype == pl.Time:
        return "time"
    if dtype == pl.Boolean:
        return "boolean"
    if dtype.is_integer():
        return "integer"
    if dtype.is_float() or dtype.is_decimal():
        return "number"
    return "text"


def default_order(
    columns: list[str], types: dict[str, str], group_keys: list[str], map_columns: list[str]
) -> list[str]:
    """``date``, ``time``, group keys, ``map`` columns in declaration order, OHLC, volume, then the rest."""
    ordered: list[str] = []
    for bucket in (
        [c for c in columns if types[c] == "date"],
        [c for c in columns if types[c] == "time"],
        group_keys,
        map_columns,
        list(BASE_COLUMNS),
        columns,
    ):
        ordered += [c for c in bucket if c in columns and c not in ordered]
    return ordered


def _display(frame: pl.DataFrame) -> pl.DataFrame:
    """Dates and times as text, non-finite floats as null: the JSON-ready frame."""
    exprs = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if dtype == pl.Date:
            exprs.append(col.dt.strftime("%Y-%m-%d"))
        elif isinstance(dtype, pl.Datetime):
            exprs.append(col.dt.strftime("%Y-%m-%d %H:%M"))
        elif dtype == pl.Time:
            exprs.append(col.dt.strftime("%H:%M"))
        elif dtype.is_float():
            exprs.append(pl.when(col.is_finite()).then(col).otherwise(None))
        elif dtype.is_decimal():
            exprs.append(col.cast(pl.Float64))
        elif dtype.is_nested() or dtype == pl.Object:
            exprs.append(col.cast(pl.String, strict=False))
        else:
            exprs.append(col)
    return frame.select(exprs) if exprs else frame


def clean(value: Any) -> Any:
    """A JSON-safe scalar (NaN/inf → None)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def table_block(frame: pl.DataFrame, formats: dict[str, ColumnInfo], order: list[str]) -> dict[str, Any]:
    """``columns`` and at most :data:`MAX_ROWS` ``rows`` of a frame, with ``truncated``/``total_rows`` when cut."""
    frame = frame.select(order)
    columns = []
    for name, dtype in frame.schema.items():
        column = {"name": name, "type": _column_type(dtype)}
        info = formats.get(name)
        if info is not None and info.format and column["type"] in ("integer", "number"):
            column["format"] = info.format
        columns.append(column)
    total = frame.height
    rows = [list(r) for r in _display(frame.head(MAX_ROWS)).rows()]
    block: dict[str, Any] = {"columns": columns, "rows": rows}
    if total > MAX_ROWS:
        block["truncated"] = True
        block["total_rows"] = total
    return block


def _num(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "null" if value is None else str(value).lower()
    if isinstance(value, float):
        return f"{round(value, 4):.10g}"
    return str(value)


_NAMES = {
    "weekday": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "month": ("", *calendar.month_name[1:]),
}
"""Display names of formatted keys (``dayofweek()`` counts from Monday = 0, ``month()`` from January = 1)."""


def _shown(column: dict[str, Any], value: Any) -> str:
    """A value as the model should read it: a weekday or month key by its name, as the UI shows it."""
    names = _NAMES.get(column.get("format", ""))
    if names is not None and isinstance(value, int) and 0 <= value < len(names) and names[value]:
        return names[value]
    return _num(value)


def _row_text(columns: list[dict[str, Any]], row: list[Any], keep: list[str]) -> str:
    return ", ".join(
        f"{c['name']}={_shown(c, v)}" for c, v in zip(columns, row, strict=True) if c["name"] in keep
    )


def _stats_text(frame: pl.DataFrame, names: list[str]) -> list[str]:
    lines = []
    for name in names[:_SUMMARY_COLUMNS]:
        dtype = frame.schema[name]
        if not (dtype.is_integer() or dtype.is_float()):
            continue
        col = frame.get_column(name)
        finite = col.filter(col.is_finite()) if dtype.is_float() else col.drop_nulls()
        if finite.len() == 0:
            continue
        lines.append(
            f"{name}: min {_num(finite.min())}, max {_num(finite.max())}, mean {_num(finite.mean())}"
        )
    return lines


def summarize(
    kind: str, block: dict[str, Any], frame: pl.DataFrame, execution: Execution, value: Any = None
) -> str:
    """A short deterministic description of the result for the model."""
    scanned = f"from {execution.rows_scanned} bars"
    if kind == "scalar":
        return f"Result: {_num(value)} ({scanned})"
    if kind == "values":
        return "Result: " + ", ".join(f"{k}={_num(v)}" for k, v in value.items()) + f" ({scanned})"
    rows, columns = block["rows"], block["columns"]
    total = block.get("total_rows", len(rows))
    if kind == "grouped":
        keys = execution.group_keys
        lines = [f"{total} groups by {', '.join(keys)} ({scanned})"]
        measures = [c["name"] for c in columns if c["name"] not in keys]
        lines += _stats_text(frame, measures)
        target = next(
            (m for m in measures if frame.schema[m].is_integer() or frame.schema[m].is_float()), None
        )
        if target is not None and rows:
            index = [c["name"] for c in columns].index(target)
            valued = [
                r for r in rows if isinstance(r[index], (int, float)) and not isinstance(r[index], bool)
            ]
            if valued:
                best = max(valued, key=lambda r: r[index])
                worst = min(valued, key=lambda r: r[index])
                lines.append(f"highest {target}: {_row_text(columns, best, [*keys, target])}")
                lines.append(f"lowest {target}: {_row_text(columns, worst, [*keys, target])}")
        return "\n".join(lines)
    lines = [f"{total} rows ({scanned})" + (f", showing the first {len(rows)}" if total > len(rows) else "")]
    lines += _stats_text(frame, execution.map_columns)
    keep = ["date", "time", *execution.map_columns] if execution.map_columns else [c["name"] for c in columns]
    if rows:
        lines.append(f"first: {_row_text(columns, rows[0], keep)}")
    if len(rows) > 1:
        lines.append(f"last: {_row_text(columns, rows[-1], keep)}")
    return "\n".join(lines)


def _chart(
    kind: str, columns: list[dict[str, Any]], execution: Execution, intraday: bool
) -> dict[str, Any] | None:
    names = [c["name"] for c in columns]
    numeric = [c["name"] for c in columns if c["type"] in ("number", "integer")]
    if kind == "grouped" and execution.group_keys:
        measures = [n for n in numeric if n not in execution.group_keys]
        return {"type": "bar", "x": execution.group_keys[0], "y": measures} if measures else None
    if kind != "table" or "date" not in names:
        return None
    x = "time" if intraday and "time" in names and "date" not in names else "date"
    computed = [n for n in execution.map_columns if n in numeric]
    if computed:
        return {"type": "line", "x": x, "y": computed[:3]}
    if all(c in names for c in ("open", "high", "low", "close")):
        return {"type": "candles", "x": x, "y": ["open", "high", "low", "close"]}
    return None


def _warnings(plan: Plan, execution: Execution, block: dict[str, Any] | None) -> list[str]:
    out = []
    if execution.rows_scanned == 0:
        out.append("No bars matched the session and period: the data may not cover them.")
    lookahead = set()
    for step in plan.steps:
        trees = [t for _, t in step.map] + ([step.where] if step.where is not None else [])
        for tree in trees:
            for node in ast.walk(tree):
                name = getattr(getattr(node, "func", None), "id", None)
                spec = function_spec(name) if name else None
                if spec is not None and spec.lookahead and spec.kind != "aggregate":
                    lookahead.add(spec.name)
    if lookahead:
        names = ", ".join(f"{n}()" for n in sorted(lookahead))
        out.append(
            f"{names} look{'s' if len(lookahead) == 1 else ''} at later bars (not usable for trading rules)."
        )
    if block is not None and block.get("truncated"):
        out.append(
            f"Showing the first {len(block['rows'])} of {block['total_rows']} rows; add a limit or a select."
        )
    return out


def build_result(
    plan: Plan, execution: Execution, elapsed_ms: float, *, explain: bool = False
) -> dict[str, Any]:
    """The §5 result object of an executed plan."""
    last = plan.steps[-1]
    frame = execution.frame
    kind = plan.kind
    types = {name: _column_type(dtype) for name, dtype in frame.schema.items()}
    if last.step.columns is not None:
        order = list(last.step.columns)
    else:
        order = default_order(frame.columns, types, execution.group_keys, execution.map_columns)
    result: dict[str, Any] = {"kind": kind}
    block: dict[str, Any] | None = None
    value: Any = None
    block = table_block(frame, last.outputs, order)
    result.update(block)
    if kind == "scalar":
        value = clean(block["rows"][0][0]) if block["rows"] else None
        result["value"] = value
    elif kind == "values":
        row = block["rows"][0] if block["rows"] else [None] * len(block["columns"])
        value = {c["name"]: clean(v) for c, v in zip(block["columns"], row, strict=True)}
        result["values"] = value
    result["summary"] = summarize(kind, block, frame, execution, value)
    result["chart"] = _chart(kind, block["columns"], execution, plan.intraday)
    result["source"] = {
        "bars": execution.source,
        "rows_scanned": execution.rows_scanned,
        "period": list(execution.period) if execution.period else None,
        "session": plan.session_name,
        "instruments": list(execution.instruments),
    }
    result["warnings"] = _warnings(plan, execution, block if kind in ("table", "grouped") else None)
    if explain and execution.fed is not None:
        fed = execution.fed
        fed_types = {name: _column_type(dtype) for name, dtype in fed.schema.items()}
        fed_order = default_order(fed.columns, fed_types, [], [n for n, _ in last.map])
        result["explain"] = table_block(fed, last.mapped, fed_order)
    result["query"] = plan.query.to_dict()
    result["elapsed_ms"] = round(elapsed_ms, 1)
    return result
