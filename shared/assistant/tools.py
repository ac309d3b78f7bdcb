"""The assistant's tools (``run_query``, ``run_backtest``): their definitions for the model and their execution.

``run_query`` takes a Barb Script query and a short human title. Its description is the engine's reference
(``shared.script.reference.tool_reference``: the language rules and one line per function, generated from
the declarations the validator uses), so the model is told exactly what the validator accepts.
``run_backtest`` (definition and execution from ``shared.backtest``) simulates a strategy written with Barb
Script rules and returns metrics, equity curve, trades and a price chart as blocks. Execution returns a :class:`ToolOutcome`: a compact
text for the model (the engine's summary, or every validation error with its hint so the model can fix the
query) and, on success, the data card for the UI.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from anyio import to_thread

from shared.assistant.cards import model_text, result_card
from shared.backtest import BACKTEST_TOOL, RUN_BACKTEST, run_backtest_tool
from shared.market import Instrument
from shared.script import (
    BarsInput,
    QueryError,
    QueryInvalid,
    Universe,
    is_screen,
    start_query,
    start_screen,
    tool_reference,
)

RUN_QUERY = "run_query"
WORKSPACE = "workspace"
"""``"screen": "workspace"``: the screen covers the user's workspace instruments (resolved here, per user)."""


@lru_cache(maxsize=1)
def tool_definitions() -> tuple[dict[str, Any], ...]:
    """The tools offered to the model (stable across requests, so they are part of the cached prefix)."""
    description = (
        "Run a Barb Script query over the instrument's bars and show the result to the user as a card "
        "(table and chart). You receive a compact summary; the user sees every row. Call it several times "
        "in one turn when the question needs several independent results. In a screen, "
        f'"screen": "{WORKSPACE}" means the instruments of the user\'s workspace ("my instruments").\n\n'
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
    return (run_query_tool, BACKTEST_TOOL)


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


def _title(tool_input: dict[str, Any], fallback: str) -> str:
    title = tool_input.get("title")
    return title.strip() if isinstance(title, str) and title.strip() else fallback


@dataclass(frozen=True)
class EngineTools:
    """The production :class:`ToolRunner`: ``run_query`` and ``run_backtest`` on the conversation's instrument.

    Both engines are CPU-bound; they run in the engine's pool (the backtest's cards are drawn in a worker
    thread too) so the event loop keeps streaming.
    """

    instrument: Instrument
    bars: BarsInput
    timeout_s: float
    universe: Universe | None = None
    """Where ``on('ES', …)`` finds other instruments (the bar store in production)."""
    workspace: Callable[[], Awaitable[list[str]]] | None = None
    """The user's workspace symbols, read when a screen asks for ``"workspace"``."""

    async def __call__(self, name: str, tool_input: dict[str, Any], tool_call_id: str) -> ToolOutcome:
        if name == RUN_QUERY:
            return await self._query(tool_input, tool_call_id)
        if name == RUN_BACKTEST:
            return await self._backtest(tool_input, tool_call_id)
        message = f"Unknown tool {name!r}; the tools are {RUN_QUERY} and {RUN_BACKTEST}."
        return ToolOutcome(message, True, "unknown tool")

    async def _query(self, tool_input: dict[str, Any], tool_call_id: str) -> ToolOutcome:
        query = tool_input.get("query")
        if isinstance(query, str):
            with contextlib.suppress(json.JSONDecodeError):
                query = json.loads(query)
        if not isinstance(query, dict):
            message = "`query` must be a JSON object (the Barb Script query)."
            return ToolOutcome(message, True, message)
        if query.get("screen") == WORKSPACE:
            symbols = await self.workspace() if self.workspace is not None else []
            if not symbols:
                message = (
                    'The user\'s workspace has no instruments: name them in "screen" (a list) or use "all".'
                )
                return ToolOutcome(message, True, "empty workspace")
            query = {**query, "screen": symbols}
        try:
            if is_screen(query) and self.universe is not None:
                job = start_screen(query, self.universe, timeout_s=self.timeout_s)
            else:
                job = start_query(
                    query, self.instrument, self.bars, timeout_s=self.timeout_s, universe=self.universe
                )
            result = await job.wait()
        except QueryInvalid as exc:
            return ToolOutcome(exc.fix_request(RUN_QUERY), True, "\n".join(e.bullet() for e in exc.errors))
        except QueryError as exc:
            return ToolOutcome(f"The query failed: {exc.message}", True, exc.message)
        card = result_card(result, tool_call_id=tool_call_id, title=_title(tool_input, "Query"))
        return ToolOutcome(model_text(result), card=card)

    async def _backtest(self, tool_input: dict[str, Any], tool_call_id: str) -> ToolOutcome:
        try:
            summary, blocks = await to_thread.run_sync(self._run_backtest, tool_input)
        except QueryInvalid as exc:
            return ToolOutcome(exc.fix_request(RUN_BACKTEST), True, "\n".join(e.bullet() for e in exc.errors))
        except QueryError as exc:
            return ToolOutcome(f"The backtest failed: {exc.message}", True, exc.message)
        card = {
            "tool_call_id": tool_call_id,
            "title": _title(tool_input, "Backtest"),
            "strategy": tool_input.get("strategy"),
            "blocks": blocks,
        }
        return ToolOutcome(summary, card=card)

    def _run_backtest(self, tool_input: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        return run_backtest_tool(
            tool_input, self.instrument, bars=self.bars, timeout_s=self.timeout_s, universe=self.universe
        )
