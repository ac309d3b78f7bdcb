"""The tool loop: stream Claude's answer, run its tool calls, feed results back, until it answers.

``run_chat`` is transport-free: an async generator of :class:`ChatEvent` (``text_delta``, ``tool_start``,
``tool_end``, ``data_block``, ``error``) that fills a :class:`Turn` with everything to persist. Adapters
(SSE, buffered Mangum, tests) only forward the events.

- Several tool calls in one response run concurrently; each reports ``tool_end`` (and its card) when done.
- At most ``max_rounds`` model calls. The last one is sent with ``tool_choice: none`` and a note, so the
  model must answer with what it has (the tools stay declared, which keeps the cached prefix intact).
- A rejected query goes back as an ``is_error`` tool_result with every problem, so the model fixes it.
- The SDK retries 429/529/5xx and connection errors itself (with ``retry-after``); what is still failing
  ends the loop with an ``error`` event saying whether a retry may help.
- ``stop`` (an event the caller sets) ends the loop at once, even while waiting for the model; the text and
  the results produced so far stay in the turn.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal

import anthropic

from shared.assistant.pricing import cost_usd
from shared.assistant.tools import ToolOutcome, ToolRunner
from shared.assistant.wire import stream_message
from shared.store import NewToolCall, Usage

log = logging.getLogger(__name__)

FINAL_ROUND_NOTE = (
    "You have used every query round for this answer. Do not call tools now: answer with the results you "
    "have, and say what is still missing if anything."
)


EventName = Literal[
    "message_saved",
    "title_update",
    "text_delta",
    "tool_start",
    "tool_end",
    "data_block",
    "done",
    "persist",
    "error",
]
"""The chat stream's events, in the order they can come (payloads in API.md)."""


@dataclass(frozen=True)
class ChatEvent:
    """One event of the chat stream (names and payloads as in API.md)."""

    name: EventName
    data: dict[str, Any]


@dataclass(frozen=True)
class ChatError:
    """Why an answer ended early: a stable code, a human sentence, and whether retrying may help."""

    code: str
    message: str
    retryable: bool

    def event(self) -> ChatEvent:
        return ChatEvent("error", {"error": self.message, "code": self.code, "retryable": self.retryable})


@dataclass(frozen=True)
class ModelSettings:
    model: str
    max_tokens: int
    temperature: float
    max_rounds: int


@dataclass
class Turn:
    """Everything one answer is made of, filled while :func:`run_chat` runs."""

    parts: list[str] = field(default_factory=list)
    cards: list[dict[str, Any]] = field(default_factory=list)
    tool_calls: list[NewToolCall] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    stop_reason: str | None = None
    error: ChatError | None = None
    rounds: int = 0

    @property
    def answer(self) -> str:
        """The answer text; ``{{data:k}}`` marks where card ``k`` belongs."""
        return "".join(self.parts)

    @property
    def has_content(self) -> bool:
        return bool(self.answer.strip() or self.tool_calls)

    def add_usage(self, model: str, usage: dict[str, Any]) -> None:
        """Add one model call's usage (the API's ``usage`` object), priced with the model that served it."""
        part = Usage(
            input_tokens=usage.get("input_tokens") or 0,
            output_tokens=usage.get("output_tokens") or 0,
            cache_read_tokens=usage.get("cache_read_input_tokens") or 0,
            cache_write_tokens=usage.get("cache_creation_input_tokens") or 0,
        )
        self.usage = self.usage + part.model_copy(update={"cost_usd": cost_usd(model, part)})


def llm_error(exc: Exception) -> ChatError:
    """Map a failure of the Anthropic API (after the SDK's own retries) to a chat error."""
    if isinstance(exc, anthropic.RateLimitError):
        return ChatError(
            "LLM_RATE_LIMITED", "The language model is rate limited; try again in a minute.", True
        )
    if isinstance(exc, anthropic.APIConnectionError):
        return ChatError("LLM_UNAVAILABLE", "The language model could not be reached; try again.", True)
    if isinstance(exc, anthropic.AuthenticationError | anthropic.PermissionDeniedError):
        return ChatError("LLM_AUTH_FAILED", "The server's language-model key was refused.", False)
    if isinstance(exc, anthropic.APIStatusError):
        if exc.status_code >= 500 or exc.status_code in (408, 409):
            return ChatError(
                "LLM_UNAVAILABLE", "The language model is overloaded or unavailable; try again.", True
            )
        return ChatError(
            "LLM_REQUEST_REJECTED", f"The language model rejected the request: {exc.message}", False
        )
    if isinstance(exc, anthropic.APIError):
        return ChatError("LLM_ERROR", f"The language model failed: {exc.message}", True)
    return ChatError("INTERNAL", "The answer failed because of an internal error.", True)


def _with_cache_breakpoint(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A copy whose last content block carries ``cache_control``, so later rounds reuse the prefix."""
    if not messages:
        return messages
    last = messages[-1]
    content = last["content"]
    blocks = [{"type": "text", "text": content}] if isinstance(content, str) else list(content)
    blocks[-1] = {**blocks[-1], "cache_control": {"type": "ephemeral"}}
    return [*messages[:-1], {**last, "content": blocks}]


@dataclass
class ToolCallRequest:
    """A tool_use block of a response."""

    id: str
    name: str
    input: dict[str, Any]


@dataclass
class ModelResponse:
    """One response assembled from the raw stream events (cheaper than the SDK's snapshot helper)."""

    model: str = ""
    usage: dict[str, Any] | None = None
    stop_reason: str | None = None
    blocks: list[dict[str, Any]] = field(default_factory=list)

    def apply(self, event: dict[str, Any]) -> str | None:
        """Fold one stream event (as sent by the API) into the response; returns its text delta, if any."""
        kind = event["type"]
        if kind == "content_block_delta":
            delta = event["delta"]
            block = self.blocks[event["index"]]
            if delta["type"] == "text_delta":
                text: str = delta["text"]
                block["text"] += text
                return text
            if delta["type"] == "input_json_delta":
                block["json"] += delta["partial_json"]
        elif kind == "content_block_start":
            head = event["content_block"]
            if head["type"] == "tool_use":
                self.blocks.append({"type": "tool_use", "id": head["id"], "name": head["name"], "json": ""})
            else:
                self.blocks.append({"type": head["type"], "text": head.get("text") or ""})
        elif kind == "message_start":
            message = event["message"]
            self.model, self.usage = message["model"], dict(message.get("usage") or {})
        elif kind == "message_delta":
            self.stop_reason = event["delta"].get("stop_reason")
            if self.usage is not None:
                self.usage.update({k: v for k, v in (event.get("usage") or {}).items() if v is not None})
        return None

    def tool_calls(self) -> list[ToolCallRequest]:
        calls = []
        for block in self.blocks:
            if block["type"] == "tool_use":
                try:
                    parsed = json.loads(block["json"]) if block["json"].strip() else {}
                except json.JSONDecodeError:
                    parsed = {}
                calls.append(
                    ToolCallRequest(block["id"], block["name"], parsed if isinstance(parsed, dict) else {})
                )
        return calls

    def content(self) -> list[dict[str, Any]]:
        """The response as request blocks for the next round (only the fields the API accepts back)."""
        text = [{"type": "text", "text": b["text"]} for b in self.blocks if b["type"] == "text" and b["text"]]
        tools = [
            {"type": "tool_use", "id": c.id, "name": c.name, "input": c.input} for c in self.tool_calls()
        ]
        return [*text, *tools]


_END = object()


async def _until_stopped(stream: Any, stop: asyncio.Event) -> AsyncIterator[Any]:
    """The stream's events until it ends or ``stop`` is set (whichever comes first).

    One task reads the stream into a queue and one waits for ``stop``: two tasks per model call rather
    than a task and a wait per event. A failure of the stream is raised here.
    """
    queue: asyncio.Queue[Any] = asyncio.Queue()

    async def read() -> None:
        try:
            async for event in stream:
                queue.put_nowait(event)
        except Exception as exc:
            queue.put_nowait(exc)
        queue.put_nowait(_END)

    async def watch() -> None:
        await stop.wait()
        queue.put_nowait(_END)

    reader, watcher = asyncio.ensure_future(read()), asyncio.ensure_future(watch())
    try:
        while (item := await queue.get()) is not _END and not stop.is_set():
            if isinstance(item, Exception):
                raise item
            yield item
    finally:
        watcher.cancel()
        if not reader.done():
            reader.cancel()
            await asyncio.wait((reader,))  # the reader leaves the stream before it is closed


def _title(tool_input: dict[str, Any]) -> str:
    title = tool_input.get("title")
    return title.strip() if isinstance(title, str) and title.strip() else "Query"


async def _timed(runner: ToolRunner, block: ToolCallRequest) -> tuple[ToolCallRequest, ToolOutcome, int]:
    started = time.perf_counter()
    try:
        outcome = await runner(block.name, block.input, block.id)
    except Exception:
        log.exception("tool %s failed", block.name)
        outcome = ToolOutcome("The tool failed with an internal error.", True, "internal error")
    return block, outcome, round((time.perf_counter() - started) * 1000)


async def _run_tools(
    tool_uses: list[ToolCallRequest], runner: ToolRunner, turn: Turn
) -> AsyncIterator[ChatEvent | dict[str, Any]]:
    """Run the tool calls concurrently; yields their events, then their tool_result blocks (in call order)."""
    for block in tool_uses:
        data = {
            "tool_call_id": block.id,
            "tool_name": block.name,
            "title": _title(block.input),
            "input": block.input,
        }
        yield ChatEvent("tool_start", data)
    results: dict[str, dict[str, Any]] = {}
    for finished in asyncio.as_completed([_timed(runner, b) for b in tool_uses]):
        block, outcome, duration_ms = await finished
        results[block.id] = {
            "type": "tool_result",
            "tool_use_id": block.id,
            "content": outcome.content,
            **({"is_error": True} if outcome.is_error else {}),
        }
        turn.tool_calls.append(
            NewToolCall(
                tool_use_id=block.id,
                tool_name=block.name,
                title=_title(block.input),
                input=block.input,
                output_summary=outcome.content,
                error=outcome.error,
                duration_ms=duration_ms,
            )
        )
        yield ChatEvent(
            "tool_end",
            {
                "tool_call_id": block.id,
                "tool_name": block.name,
                "duration_ms": duration_ms,
                "error": outcome.error,
            },
        )
        if outcome.card is not None:
            turn.parts.append(f"\n\n{{{{data:{len(turn.cards)}}}}}\n\n")
            turn.cards.append(outcome.card)
            yield ChatEvent("data_block", {"tool_call_id": block.id, **outcome.card})
    for block in tool_uses:
        yield results[block.id]


async def run_chat(
    client: anthropic.AsyncAnthropic,
    *,
    system: list[dict[str, Any]],
    messages: list[dict[str, Any]],
    tools: ToolRunner,
    settings: ModelSettings,
    turn: Turn,
    stop: asyncio.Event,
) -> AsyncIterator[ChatEvent]:
    """Answer the conversation in ``messages`` (ending with the user's question); see the module doc."""
    messages = list(messages)
    for round_number in range(1, settings.max_rounds + 1):
        turn.rounds = round_number
        params: dict[str, Any] = {
            "model": settings.model,
            "max_tokens": settings.max_tokens,
            "temperature": settings.temperature,
            "system": system,
            "messages": _with_cache_breakpoint(messages),
        }
        if round_number == settings.max_rounds:
            params["tool_choice"] = {"type": "none"}
        response = ModelResponse()
        try:
            async with await stream_message(client, params) as stream:
                async for event in _until_stopped(stream, stop):
                    delta = response.apply(event)
                    if delta:
                        turn.parts.append(delta)
                        yield ChatEvent("text_delta", {"delta": delta})
        except anthropic.APIError as exc:
            log.warning("model call failed: %s", exc)
            turn.error = llm_error(exc)
            yield turn.error.event()
            return
        if response.usage is not None:  # a cut call still bills its input
            turn.add_usage(response.model, response.usage)
        if stop.is_set():
            turn.stop_reason = "stopped"
            return
        tool_uses = response.tool_calls()
        if response.stop_reason != "tool_use" or not tool_uses or round_number == settings.max_rounds:
            turn.stop_reason = response.stop_reason
            return
        messages.append({"role": "assistant", "content": response.content()})
        results: list[dict[str, Any]] = []
        async for item in _run_tools(tool_uses, tools, turn):
            if isinstance(item, ChatEvent):
                yield item
            else:
                results.append(item)
        if round_number + 1 == settings.max_rounds:
            results.append({"type": "text", "text": FINAL_ROUND_NOTE})
        messages.append({"role": "user", "content": results})
        if stop.is_set():
            turn.stop_reason = "stopped"
            return
