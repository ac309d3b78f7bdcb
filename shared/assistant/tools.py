"""The assistant's tools: their definitions for the model and their execution.

``run_query`` takes a Barb Script query and a short human title. Its description is the engine's reference
(``shared.script.reference.tool_reference``: the language rules and one line per function, generated from
the declarations the validator uses), so the model is told exactly what the validator accepts. Execution returns a :class:`ToolOutcome`: a compact
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

from shared.assistant.cards import model_text, result_card
from shared.market.instruments import Instrument
from shared.script import BarsInput, QueryFailed, QueryInvalid, QueryTimeout, run_query
from shared.script.reference import tool_reference

RUN_QUERY = "run_query"


@lru_cache(maxsize=1)
def tool_definitions() -> tuple[dict[str, Any], ...]:
    """The tools offered to the model (stable across requests, so they are part of the cached prefix)."""
    description = (
        "Run a Barb Script query over the instrument's bars and show the result to the user as a card "
        "(table and chart). You receive a compact summary; the user sees every row. Call it several times "
        "in one turn when the question needs several independent results.\n\n"
        f"{tool_reference()}"
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
