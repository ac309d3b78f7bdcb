"""The conversation as the model sees it: replayed history, a sliding window, a rolling summary.

Earlier turns are replayed with their real tool calls: the stored ``tool_use_id``, input and the compact
result the model read then (``output_summary``), so the model knows which queries produced which figures.
An answer becomes ``assistant[tool_use…] → user[tool_result…] → assistant[text]`` (its text without card
markers). Consecutive messages of one role are merged, so a question left without an answer (a failed
call) never breaks the alternation the API requires.

Turns older than the window are folded into a rolling summary stored on the conversation
(``save_summary``) and given to the model in the system prompt's context block, never as a made-up
assistant message. A token budget drops the oldest replayed turns if a window is still too large.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import Any

import anthropic

from shared.store import Message

log = logging.getLogger(__name__)

MARKER = re.compile(r"\s*\{\{data:\d+\}\}\s*")
SUMMARY_TRIGGER_TURNS = 12
"""Summarize once this many turns (questions) follow the summary."""
KEEP_TURNS = 6
"""Turns kept verbatim when summarizing."""
HISTORY_TOKEN_BUDGET = 40_000
CHARS_PER_TOKEN = 3.5
_STATUS_NOTES = {
    "partial": "[This answer was stopped by the user.]",
    "error": "[This answer was cut short by an error.]",
}


def estimate_tokens(value: Any) -> int:
    """A cheap token estimate (JSON characters / 3.5), good enough for budgeting."""
    return int(len(json.dumps(value, ensure_ascii=False)) / CHARS_PER_TOKEN) + 1


def _text(text: str) -> dict[str, Any]:
    return {"type": "text", "text": text}


def _answer_messages(message: Message) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if message.tool_calls:
        out.append(
            {
                "role": "assistant",
                "content": [
                    {"type": "tool_use", "id": c.tool_use_id, "name": c.tool_name, "input": c.input}
                    for c in message.tool_calls
                ],
            }
        )
        out.append(
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": c.tool_use_id,
                        "content": c.output_summary or c.error or "(no result)",
                        **({"is_error": True} if c.error else {}),
                    }
                    for c in message.tool_calls
                ],
            }
        )
    text = MARKER.sub("\n\n", message.content).strip()
    note = _STATUS_NOTES.get(message.status)
    if note:
        text = f"{text}\n\n{note}".strip()
    if text:
        out.append({"role": "assistant", "content": [_text(text)]})
    return out


def _merge(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Merge consecutive messages of one role; drop leading assistant messages."""
    merged: list[dict[str, Any]] = []
    for message in messages:
        if not merged and message["role"] != "user":
            continue
        if merged and merged[-1]["role"] == message["role"]:
            merged[-1] = {"role": message["role"], "content": [*merged[-1]["content"], *message["content"]]}
        else:
            merged.append({"role": message["role"], "content": list(message["content"])})
    return merged


def after_summary(messages: list[Message], summary_through: str | None) -> list[Message]:
    """The messages the rolling summary does not cover."""
    if summary_through is None:
        return messages
    for index, message in enumerate(messages):
        if message.id == summary_through:
            return messages[index + 1 :]
    return messages


def _turns(messages: list[Message]) -> list[list[Message]]:
    """Split into turns, each starting at a user message."""
    turns: list[list[Message]] = []
    for message in messages:
        if message.role == "user" or not turns:
            turns.append([message])
        else:
            turns[-1].append(message)
    return turns


def replay(
    messages: list[Message], *, summary_through: str | None, budget_tokens: int = HISTORY_TOKEN_BUDGET
) -> list[dict[str, Any]]:
    """API messages for the stored conversation (its last message is the new question)."""
    turns = _turns(after_summary(messages, summary_through))
    rendered = [
        [
            msg
            for m in turn
            for msg in (
                [{"role": "user", "content": [_text(m.content)]}] if m.role == "user" else _answer_messages(m)
            )
        ]
        for turn in turns
    ]
    kept: list[list[dict[str, Any]]] = []
    used = 0
    for turn in reversed(rendered):
        cost = estimate_tokens(turn)
        if kept and used + cost > budget_tokens:
            log.info("history budget reached: %d older turns not replayed", len(rendered) - len(kept))
            break
        kept.append(turn)
        used += cost
    return _merge([m for turn in reversed(kept) for m in turn])


@dataclass(frozen=True)
class SummaryWork:
    """Turns to fold into the rolling summary, and the id of the last message they cover."""

    previous: str | None
    messages: list[Message]
    through_id: str


def summary_due(
    messages: list[Message], summary_through: str | None, previous: str | None
) -> SummaryWork | None:
    """What to summarize when more than :data:`SUMMARY_TRIGGER_TURNS` turns follow the summary."""
    turns = _turns(after_summary(messages, summary_through))
    if len(turns) <= SUMMARY_TRIGGER_TURNS:
        return None
    folded = [m for turn in turns[:-KEEP_TURNS] for m in turn]
    return SummaryWork(previous, folded, folded[-1].id)


SUMMARY_INSTRUCTION = (
    "Summarize this conversation between a trader and Barb, a trading-data analyst, for Barb's own memory. "
    "In 4–8 sentences, in the trader's language: the questions asked, the queries' key figures with their "
    "session and period, conclusions and the trader's stated preferences (thresholds, sessions, periods). "
    "Do not add anything that is not in the conversation."
)


def _transcript(work: SummaryWork) -> str:
    lines = []
    if work.previous:
        lines.append(f"Summary of the part before:\n{work.previous}\n")
    for message in work.messages:
        lines.append(f"{message.role}: {MARKER.sub(' ', message.content).strip()}")
        for call in message.tool_calls:
            lines.append(f"  [query {call.title or call.tool_name}: {call.output_summary or call.error}]")
    return "\n".join(lines)


async def summarize(client: anthropic.AsyncAnthropic, model: str, work: SummaryWork) -> str:
    """The new rolling summary (one non-streaming model call)."""
    response = await client.messages.create(
        model=model,
        max_tokens=800,
        extra_body={"temperature": 0},
        messages=[
            {
                "role": "user",
                "content": f"{SUMMARY_INSTRUCTION}\n\n<conversation>\n{_transcript(work)}\n</conversation>",
            }
        ],
    )
    return "".join(b.text for b in response.content if b.type == "text").strip()
