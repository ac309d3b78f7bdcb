"""The system prompt: who Barb is, its rules, worked examples, the instrument and today's context.

The prompt is a list of system blocks ordered from the most to the least stable, so Anthropic's prompt
cache (tools → system → messages) keeps hitting: the rules and examples are the same for every
conversation, the instrument block for every conversation on that instrument, and only the last block
(today's date, the data range, upcoming events, the rolling summary of older turns) changes. It is built
for every request, so the date and the data range are never stale.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from typing import Any

from shared.market import Instrument

CACHE = {"type": "ephemeral"}


@dataclass(frozen=True)
class Example:
    """A worked example: a trader's question and the queries that answer it (the same as in tests/assistant/questions.yaml)."""

    id: str
    question: str
    queries: tuple[dict[str, Any], ...]


def _load_examples() -> tuple[Example, ...]:
    """The worked examples of ``examples.json`` (a data file beside this module, one example a line)."""
    text = resources.files(__package__).joinpath("examples.json").read_text(encoding="utf-8")
    return tuple(Example(e["id"], e["question"], tuple(e["queries"])) for e in json.loads(text))


EXAMPLES = _load_examples()

RULES = """\
You are Barb, a trading-data analyst. Traders ask about market history; you answer by writing Barb Script
queries, running them with the run_query tool on the instrument's bars, and explaining the results.

<rules>
- Every number you state must come from a tool result in this conversation. Never estimate, recall or invent
  figures. If you have no result for something, run a query, or say that you cannot compute it.
- Say which session (RTH, ETH or the whole trading day), bar size and period each result is based on; every
  tool result ends with a "Source:" line that tells you.
- When a key parameter is ambiguous and changes the answer (what counts as a "big" gap, which session, which
  period), ask one short question instead of guessing. When a common convention is obvious, use it and say so.
- Answer general market-knowledge questions (what RTH is, how options expiration works) directly, without a
  query. Say plainly when something cannot be computed from OHLCV bars (order flow, news, fundamentals) and
  suggest what can.
- Never present a trade idea as certain and never give personal financial advice: describe what history shows,
  with the number of cases, and say that the past does not guarantee the future. Warn when a result rests on
  fewer than about 30 cases.
- Answer in the user's language. Be concise: one lead sentence, the key numbers, one or two observations.
  Each result appears to the user as a card (table and chart) where you called the tool, so do not repeat
  tables or list every row.
- To test a trading rule, use run_backtest. If the user gives no exit (stop, target or time limit) or no
  direction, ask for it, or state the default you chose. Comment on the number of trades, drawdown and how the
  result compares with buy and hold; be sceptical of very high win rates or profit factors.
- If a query is rejected, read every error and hint, fix the query and call the tool again. Use several
  calls in one turn when the question has independent parts (RTH vs the whole day, two periods).
- Read other instruments and longer bar sizes with on('ES', x) / on('daily', x) inside one query; to rank or
  compare many instruments on one measure, use a screen. Say which instruments a result read.
- pct(...) already returns a percentage (0–100). dayofweek() is 0 = Monday … 4 = Friday.
- If the data is synthetic sample data (see <context>), say so whenever you give figures.
- Give each query a short title (3–6 words, in the user's language) describing what the result shows.
</rules>"""


def _examples_text() -> str:
    lines = ["<examples>"]
    for example in EXAMPLES:
        lines.append(f"Q: {example.question}")
        lines += [f"run_query: {json.dumps(q, ensure_ascii=False)}" for q in example.queries]
    lines.append("</examples>")
    return "\n".join(lines)


def _session_text(name: str, start: str, end: str, default: bool) -> str:
    wraps = " (opens the evening before its trade date)" if end <= start else ""
    return f"{name} {start}–{end}{wraps}" + (" [default]" if default else "")


def instrument_text(instrument: Instrument) -> str:
    """The instrument block: what the symbol is, its sessions, tick and point value, calendar."""
    sessions = ", ".join(
        _session_text(name, s.start, s.end, name == instrument.default_session)
        for name, s in instrument.sessions.items()
    )
    lines = [
        "<instrument>",
        f"{instrument.symbol}: {instrument.name} ({instrument.type}, {instrument.exchange}, {instrument.currency}).",
        f"All times are {instrument.timezone}. Sessions: {sessions}.",
        "A query without `session` covers the whole trading day; `daily` bars without a session use the "
        "exchange's settlement close when the data has it.",
        f"Tick size {instrument.tick_size:g} = {instrument.tick_value:g} {instrument.currency}; "
        f"one point = {instrument.point_value:g} {instrument.currency}.",
        f"Trading calendar: {instrument.calendar} (holidays and early closes are already reflected in the bars).",
    ]
    if instrument.notes:
        lines.append(f"Notes: {instrument.notes}")
    lines.append("</instrument>")
    return "\n".join(lines)


@dataclass(frozen=True)
class PromptContext:
    """What changes from request to request: the date, the data, the calendar ahead, older turns."""

    today: date
    data_range: tuple[datetime, datetime] | None = None
    is_sample: bool = False
    events: tuple[str, ...] = ()
    """Upcoming scheduled events, one line each (``2026-12-04 Nonfarm payrolls (high impact, 08:30)``)."""
    holidays: tuple[str, ...] = ()
    """Upcoming closures and early closes, one line each."""
    summary: str | None = None
    """Rolling summary of the turns older than the replayed history."""


def context_text(ctx: PromptContext) -> str:
    """The per-request block: today, the data range, sample flag, upcoming events and holidays, summary."""
    lines = ["<context>", f"Today is {ctx.today.isoformat()} ({ctx.today.strftime('%A')})."]
    if ctx.data_range:
        first, last = ctx.data_range
        lines.append(f"Data available: {first.date().isoformat()} to {last.date().isoformat()}.")
    else:
        lines.append("No bar data is available for this instrument yet; say so if asked for figures.")
    if ctx.is_sample:
        lines.append(
            "The data is SYNTHETIC SAMPLE DATA generated for demonstration, not real market history: "
            "say so whenever you give figures."
        )
    if ctx.holidays:
        lines.append("Upcoming closures and early closes: " + "; ".join(ctx.holidays) + ".")
    if ctx.events:
        lines.append("Upcoming scheduled events: " + "; ".join(ctx.events) + ".")
    lines.append("</context>")
    if ctx.summary:
        lines += [
            "<conversation-summary>",
            "Summary of the earlier part of this conversation (older turns are not repeated below; "
            "their figures may be stale, re-run a query if you need them exactly):",
            ctx.summary,
            "</conversation-summary>",
        ]
    return "\n".join(lines)


def build_system(instrument: Instrument, ctx: PromptContext) -> list[dict[str, Any]]:
    """The system blocks, most stable first, with cache breakpoints after the stable ones."""
    return [
        {"type": "text", "text": f"{RULES}\n\n{_examples_text()}", "cache_control": CACHE},
        {"type": "text", "text": instrument_text(instrument), "cache_control": CACHE},
        {"type": "text", "text": context_text(ctx)},
    ]
