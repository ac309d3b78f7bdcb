"""A scripted Anthropic Messages API server, for tests and for running the app end to end without a key.

It speaks the real wire format over HTTP, so the app talks to it through the real ``anthropic`` client
(``ANTHROPIC_BASE_URL``): streaming responses as Server-Sent Events (``message_start``,
``content_block_start``/``content_block_delta`` (``text_delta``, ``input_json_delta``)/``content_block_stop``,
``message_delta`` with the stop reason and usage including cache tokens, ``message_stop``), plain JSON
responses when ``stream`` is false, and error bodies with their status (429, 529, 500, …).

A test drives it with a *script*: replies consumed in order, or a function of the request (a
:class:`Scenario`). Every request body is recorded in ``requests`` so tests can assert what the app sent.

By hand::

    python -m tests.fake_anthropic --port 8765 --scenario demo

The ``demo`` scenario answers any question with a sentence, one ``run_query`` call (the last 10 daily bars
with their change in %), then a final answer streamed slowly (about 2 s) so a browser test can press Stop.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route


@dataclass(frozen=True)
class Text:
    """A text block, streamed in ``chunk``-character deltas with ``delay_s`` between them."""

    text: str
    chunk: int = 12
    delay_s: float = 0.0


@dataclass(frozen=True)
class ToolUse:
    """A tool_use block; its input JSON is streamed in small ``input_json_delta`` pieces."""

    name: str
    input: dict[str, Any]
    id: str | None = None


@dataclass(frozen=True)
class Reply:
    """One model response. ``stop_reason`` defaults to ``tool_use`` when it holds a tool call."""

    blocks: tuple[Text | ToolUse, ...]
    stop_reason: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    cache_read_tokens: int | None = None
    cache_write_tokens: int | None = None
    model: str | None = None


@dataclass(frozen=True)
class Failure:
    """An error response: ``status`` with Anthropic's error body (``overloaded_error`` for 529, …)."""

    status: int
    message: str = "scripted failure"
    retry_after_ms: int | None = 1


Step = Reply | Failure
Scenario = Callable[[dict[str, Any]], Step]

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}


def reply(*blocks: Text | ToolUse | str, **kwargs: Any) -> Reply:
    """A :class:`Reply` where a plain string is a :class:`Text` block."""
    return Reply(tuple(Text(b) if isinstance(b, str) else b for b in blocks), **kwargs)


# -- request helpers (for scenarios) -------------------------------------------------------------------
def last_user_content(request: dict[str, Any]) -> list[dict[str, Any]]:
    """The content blocks of the request's last user message (a string becomes one text block)."""
    for message in reversed(request.get("messages", [])):
        if message["role"] == "user":
            content = message["content"]
            return [{"type": "text", "text": content}] if isinstance(content, str) else content
    return []


def tool_results(request: dict[str, Any]) -> list[dict[str, Any]]:
    """The tool_result blocks the request ends with (answers to the previous round's tool calls)."""
    return [b for b in last_user_content(request) if b.get("type") == "tool_result"]


def tools_allowed(request: dict[str, Any]) -> bool:
    """False when the request offers no tools or forbids them with ``tool_choice: none``."""
    return bool(request.get("tools")) and (request.get("tool_choice") or {}).get("type") != "none"


def _estimate_tokens(value: Any) -> int:
    return max(1, len(json.dumps(value, ensure_ascii=False)) // 4)


# -- the server --------------------------------------------------------------------------------------
@dataclass
class FakeAnthropic:
    """The scripted server. Use as a context manager to run it on a free port in a background thread."""

    script: Iterable[Step] | Scenario = field(default_factory=list)
    host: str = "127.0.0.1"
    port: int = 0
    requests: list[dict[str, Any]] = field(default_factory=list)
    timings: list[tuple[str, float, float]] = field(default_factory=list)
    """Per response: the request's first user text, and when it arrived and was fully sent (monotonic)."""
    _steps: Iterator[Step] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _cached_prefixes: set[str] = field(default_factory=set)
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None

    # script control
    def set_script(self, script: Iterable[Step] | Scenario) -> None:
        """Replace the script (and forget recorded requests)."""
        with self._lock:
            self.script = script
            self._steps = None
            self.requests.clear()
            self.timings.clear()

    def _next_step(self, request: dict[str, Any]) -> Step:
        with self._lock:
            self.requests.append(request)
            if callable(self.script):
                scenario = self.script
            else:
                if self._steps is None:
                    self._steps = iter(list(self.script))
                step = next(self._steps, None)
                if step is None:
                    return Failure(500, "the fake model's script is exhausted", retry_after_ms=None)
                return step
        return scenario(request)

    # HTTP
    def app(self) -> Starlette:
        """The ASGI app (``POST /v1/messages``)."""
        return Starlette(routes=[Route("/v1/messages", self._messages, methods=["POST"])])

    async def _messages(self, request: Request) -> Response:
        arrived = time.monotonic()
        body = await request.json()
        step = self._next_step(body)
        if isinstance(step, Failure):
            return _failure_response(step)
        message_id = f"msg_{uuid.uuid4().hex[:24]}"
        usage = self._usage(body, step)
        model = step.model or body.get("model", "claude-sonnet-4-6")
        blocks = [_with_id(b) for b in step.blocks]
        stop_reason = step.stop_reason or (
            "tool_use" if any(isinstance(b, ToolUse) for b in blocks) else "end_turn"
        )
        if body.get("stream"):
            events = self._timed(
                _question(body), arrived, _stream_events(message_id, model, blocks, stop_reason, usage)
            )
            return StreamingResponse(
                events, media_type="text/event-stream", headers={"request-id": message_id}
            )
        return JSONResponse(
            {
                "id": message_id,
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": [_block_json(b) for b in blocks],
                "stop_reason": stop_reason,
                "stop_sequence": None,
                "usage": usage,
            },
            headers={"request-id": message_id},
        )

    async def _timed(self, key: str, arrived: float, chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        async for chunk in chunks:
            yield chunk
        with self._lock:
            self.timings.append((key, arrived, time.monotonic()))

    def _usage(self, body: dict[str, Any], step: Reply) -> dict[str, int]:
        """Usage like the real API: a system prompt with ``cache_control`` is written once, then read."""
        system = body.get("system") or ""
        prefix_tokens = _estimate_tokens([body.get("tools"), system])
        key = json.dumps([body.get("tools"), system], sort_keys=True)
        cacheable = isinstance(system, list) and any("cache_control" in b for b in system)
        with self._lock:
            hit = key in self._cached_prefixes
            if cacheable:
                self._cached_prefixes.add(key)
        cache_read = prefix_tokens if cacheable and hit else 0
        cache_write = prefix_tokens if cacheable and not hit else 0
        output = sum(_estimate_tokens(b.text if isinstance(b, Text) else b.input) for b in step.blocks)
        return {
            "input_tokens": step.input_tokens
            if step.input_tokens is not None
            else _estimate_tokens(body.get("messages")),
            "output_tokens": step.output_tokens if step.output_tokens is not None else output,
            "cache_read_input_tokens": step.cache_read_tokens
            if step.cache_read_tokens is not None
            else cache_read,
            "cache_creation_input_tokens": step.cache_write_tokens
            if step.cache_write_tokens is not None
            else cache_write,
        }

    # lifecycle
    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the server first"
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> FakeAnthropic:
        config = uvicorn.Config(
            self.app(), host=self.host, port=self.port, log_level="warning", lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake Anthropic server did not start")
            time.sleep(0.01)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None and self._thread is not None
        self._server.should_exit = True
        self._thread.join(timeout=10)


def _with_id(block: Text | ToolUse) -> Text | ToolUse:
    if isinstance(block, ToolUse) and block.id is None:
        return ToolUse(block.name, block.input, f"toolu_{uuid.uuid4().hex[:24]}")
    return block


def _block_json(block: Text | ToolUse) -> dict[str, Any]:
    if isinstance(block, Text):
        return {"type": "text", "text": block.text}
    return {"type": "tool_use", "id": block.id, "name": block.name, "input": block.input}


def _sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


async def _stream_events(
    message_id: str, model: str, blocks: list[Text | ToolUse], stop_reason: str, usage: dict[str, int]
) -> AsyncIterator[bytes]:
    start_usage = {**usage, "output_tokens": 1}
    yield _sse(
        "message_start",
        {
            "type": "message_start",
            "message": {
                "id": message_id,
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": [],
                "stop_reason": None,
                "stop_sequence": None,
                "usage": start_usage,
            },
        },
    )
    for index, block in enumerate(blocks):
        if isinstance(block, Text):
            yield _sse(
                "content_block_start",
                {
                    "type": "content_block_start",
                    "index": index,
                    "content_block": {"type": "text", "text": ""},
                },
            )
            for start in range(0, len(block.text), max(1, block.chunk)):
                if block.delay_s:
                    await asyncio.sleep(block.delay_s)
                delta = {"type": "text_delta", "text": block.text[start : start + block.chunk]}
                yield _sse(
                    "content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}
                )
        else:
            head = {"type": "tool_use", "id": block.id, "name": block.name, "input": {}}
            yield _sse(
                "content_block_start", {"type": "content_block_start", "index": index, "content_block": head}
            )
            raw = json.dumps(block.input)
            for start in range(0, len(raw), 20):
                delta = {"type": "input_json_delta", "partial_json": raw[start : start + 20]}
                yield _sse(
                    "content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}
                )
        yield _sse("content_block_stop", {"type": "content_block_stop", "index": index})
    yield _sse(
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": stop_reason, "stop_sequence": None},
            "usage": {"output_tokens": usage["output_tokens"]},
        },
    )
    yield _sse("message_stop", {"type": "message_stop"})


def _failure_response(failure: Failure) -> JSONResponse:
    headers = {"request-id": f"req_{uuid.uuid4().hex[:24]}"}
    if failure.retry_after_ms is not None:
        headers["retry-after-ms"] = str(failure.retry_after_ms)
    body = {
        "type": "error",
        "error": {"type": _ERROR_TYPES.get(failure.status, "api_error"), "message": failure.message},
    }
    return JSONResponse(body, status_code=failure.status, headers=headers)


# -- scenarios -----------------------------------------------------------------------------------------
DEMO_QUERY: dict[str, Any] = {
    "from": "daily",
    "period": "last_10",
    "map": {"chg_pct": "change_pct(close)"},
}
DEMO_ANSWER = (
    "Here are the last 10 daily bars with their change from the previous close. "
    "The table shows each session's open, high, low and close next to the change in percent, "
    "so you can see at a glance which days moved the most. "
    "Ask me to compare this with RTH only, or to look further back, if you want more context."
)


def demo(request: dict[str, Any]) -> Step:
    """A sentence, one ``run_query`` call, then a slowly streamed answer (about 2 s, so Stop can be pressed)."""
    if tool_results(request) or not tools_allowed(request):
        return reply(Text(DEMO_ANSWER, chunk=6, delay_s=2.0 / (len(DEMO_ANSWER) / 6)))
    return reply(
        Text("Let me pull the last 10 daily bars. ", delay_s=0.02),
        ToolUse("run_query", {"query": DEMO_QUERY, "title": "Last 10 daily bars"}),
    )


def echo(request: dict[str, Any]) -> Step:
    """Answers every request with a short text and no tool calls."""
    texts = [b.get("text", "") for b in last_user_content(request) if b.get("type") == "text"]
    return reply("You asked: " + " ".join(texts))


def _question(request: dict[str, Any]) -> str:
    """The text of the request's first user message (the question that started the exchange)."""
    for message in request.get("messages", []):
        if message["role"] == "user":
            content = message["content"]
            blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
            return " ".join(b.get("text", "") for b in blocks if b.get("type") == "text")
    return ""


SCENARIOS: dict[str, Scenario] = {"demo": demo, "echo": echo}


def main(argv: list[str] | None = None) -> None:
    """Run the scripted server by hand."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default="demo")
    args = parser.parse_args(argv)
    fake = FakeAnthropic(script=SCENARIOS[args.scenario])
    print(f"fake Anthropic ({args.scenario}) on http://{args.host}:{args.port}", flush=True)
    uvicorn.run(fake.app(), host=args.host, port=args.port, log_level="warning", lifespan="off")


if __name__ == "__main__":
    main()
