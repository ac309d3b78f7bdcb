"""The assistant's tools: their definitions for the model and their execution.

``run_query`` takes a Barb Script query and a short human title. Its description carries the language's
rules and a function reference generated from the engine's declarations (``shared.script.registry``), so
the model is told exactly what the validator accepts. Execution returns a :class:`ToolOutcome`: a compact
text for the model (the engine's summary, or every validation error with its hint so the model can fix the
query) and, on success, the data card for the UI.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from anyio import to_thread

import shared.script.functions  # noqa: F401 - importing it fills the registry
from shared.assistant.cards import model_text, result_card
from shared.market.instruments import Instrument
from shared.script import BarsInput, QueryFailed, QueryInvalid, QueryTimeout, run_query
from shared.script.registry import REGISTRY, FunctionSpec

RUN_QUERY = "run_query"

_CATEGORY_TITLES = {
    "core": "Core",
    "lag": "Lag (previous/next rows)",
    "window": "Rolling windows and moving averages",
    "cumulative": "Cumulative",
    "pattern": "Patterns and streaks",
    "aggregate": "Aggregates (for select, or broadcast inside map/where)",
    "time": "Time and date",
    "calendar": "Trading calendar",
    "price": "Price and candles (implicit OHLC)",
    "oscillator": "Oscillators",
    "volatility": "Volatility",
    "trend": "Trend",
    "volume": "Volume",
    "session": "Session-anchored",
}

LANGUAGE_RULES = """\
Barb Script: one JSON object. Fields (all optional):
- session: a session of the instrument (e.g. "RTH", "ETH"); none = the whole trading day.
- from: bar size, one of 1m 5m 15m 30m 1h 2h 4h daily weekly monthly quarterly yearly (default daily).
  daily = one bar per trade date (a CME Sunday evening belongs to Monday); intraday bins start at the session open.
- period: "2024", "2024-03", "2024-03-15", a range "2023:2024-06" (either side open: "2023:"), "last_year",
  "last_month", "last_week", "last_N" (last N trading days). No default: omit it to use all data.
- map: {name: expression} new columns, evaluated in order. Names must not be function names or date/time.
- where: boolean expression that keeps rows (null counts as false).
- group_by: column name(s) from the bars or map (never an expression: put it in map first).
- select: aggregate(s): "mean(r)", ["count()", "mean(r)"] or {"alias": "pct(green())"}. Default count() when grouped.
- sort: "col", "col desc" or a list. limit: 1…100000 (after sort). columns: output columns and their order.
- steps: a list of step objects; step 1 may use session/period/from; each step's output feeds the next.
Order of execution is fixed: session → from → map → period → where → group_by+select → sort → limit → columns.
map sees the history before the period (indicators are warmed up like on a chart); period limits what
reaches where, the aggregates and the output. An aggregate inside map/where is computed over the period's
bars and broadcast.
Expressions: Python-like: + - * / // % **, comparisons (chains allowed), and/or/not, `in [..]`, calls with
positional or keyword arguments. Columns: open high low close volume, map names; later steps see the
previous step's columns. Compare date() with 'YYYY-MM-DD' and time() with 'HH:MM'. Use == (never =).
Division by zero gives null. pct(cond) returns a percentage 0–100. dayofweek(): 0 = Monday … 4 = Friday.
Functions marked [future] look at later bars (fine for statistics, never as a trading signal)."""


def _function_line(spec: FunctionSpec) -> str:
    flags = " [future]" if spec.lookahead and spec.kind == "series" else ""
    aliases = f" (alias {', '.join(spec.aliases)})" if spec.aliases else ""
    return f"- {spec.signature}{aliases}{flags}: {spec.description} e.g. {spec.example}"


@lru_cache(maxsize=1)
def function_reference() -> str:
    """Every declared function, grouped by category, one line each (generated from the registry)."""
    specs = {spec.name: spec for spec in REGISTRY.values()}
    lines: list[str] = []
    for category, title in _CATEGORY_TITLES.items():
        members = sorted((s for s in specs.values() if s.category == category), key=lambda s: s.name)
        if members:
            lines.append(f"{title}:")
            lines += [_function_line(s) for s in members]
    return "\n".join(lines)


@lru_cache(maxsize=1)
def tool_definitions() -> tuple[dict[str, Any], ...]:
    """The tools offered to the model (stable across requests, so they are part of the cached prefix)."""
    description = (
        "Run a Barb Script query over the instrument's bars and show the result to the user as a card "
        "(table and chart). You receive a compact summary; the user sees every row. Call it several times "
        "in one turn when the question needs several independent results.\n\n"
        f"{LANGUAGE_RULES}\n\nFunctions:\n{function_reference()}"
    )
    run_query_tool = {
        "name": RUN_QUERY,
        "description": description,
        "input_schema": {
            "type": "object",
            "properties": {
                "query": {"type": "object", "description": "The Barb Script query (a JSON object)."},
                "title": {
                    "type": "string",
                    "description": "3–6 words in the user's language naming what the result shows.",
                },
            },
            "required": ["query", "title"],
        },
    }
    return (run_query_tool,)


@dataclass(frozen=True)
class ToolOutcome:
    """The result of one tool call, in every shape that is needed downstream."""

    content: str
    """What the model reads as the tool_result."""
    is_error: bool = False
    error: str | None = None
    """A short human sentence for the UI and the stored tool call."""
    card: dict[str, Any] | None = None
    """The data card for the UI (successful queries only)."""


class ToolRunner(Protocol):
    """Executes one tool call; must never raise for a bad input (it reports it in the outcome)."""

    async def __call__(self, name: str, tool_input: dict[str, Any], tool_call_id: str) -> ToolOutcome: ...


def _invalid_text(exc: QueryInvalid) -> str:
    lines = ["The query is invalid; nothing was run. Fix every problem and call run_query again:"]
    for err in exc.errors:
        item = err.to_dict() if hasattr(err, "to_dict") else dict(err)
        line = f"- {item.get('step')}: {item.get('message')}"
        if item.get("expression"):
            line += f" (in `{item['expression']}`)"
        if item.get("hint"):
            line += f". Hint: {item['hint']}"
        lines.append(line)
    return "\n".join(lines)


@dataclass(frozen=True)
class QueryTools:
    """The production :class:`ToolRunner`: runs ``run_query`` on the conversation's instrument."""

    instrument: Instrument
    bars: BarsInput
    timeout_s: float

    async def __call__(self, name: str, tool_input: dict[str, Any], tool_call_id: str) -> ToolOutcome:
        if name != RUN_QUERY:
            return ToolOutcome(f"Unknown tool {name!r}; the only tool is {RUN_QUERY}.", True, "unknown tool")
        query, title = tool_input.get("query"), tool_input.get("title")
        if isinstance(query, str):
            with contextlib.suppress(json.JSONDecodeError):
                query = json.loads(query)
        if not isinstance(query, dict):
            message = "`query` must be a JSON object (the Barb Script query)."
            return ToolOutcome(message, True, message)
        title = title if isinstance(title, str) and title.strip() else "Query"
        try:
            result = await to_thread.run_sync(self._run, query)
        except QueryInvalid as exc:
            text = _invalid_text(exc)
            return ToolOutcome(text, True, text.split("\n", 1)[1] if "\n" in text else text)
        except (QueryFailed, QueryTimeout) as exc:
            message = str(exc)
            return ToolOutcome(f"The query failed: {message}", True, message)
        card = result_card(result, tool_call_id=tool_call_id, title=title.strip())
        return ToolOutcome(model_text(result), card=card)

    def _run(self, query: dict[str, Any]) -> dict[str, Any]:
        return run_query(query, self.instrument, self.bars, timeout_s=self.timeout_s)
