"""Server-Sent Events for any async iterator of events, streaming under uvicorn and buffered under Mangum.

Streaming: a ``: connected`` comment goes out at once (the first byte never waits for the model), then each
event as it comes (an item that is a list of events, a batch that was ready at once, goes out in one
chunk), and a ``: ping`` comment after every 15 s of silence so proxies keep the connection.
``X-Accel-Buffering: no`` and ``Cache-Control: no-cache`` stop proxies from holding chunks back.

Mangum (AWS Lambda behind API Gateway) cannot stream: when the request came through it (``aws.event`` in
the scope) the whole event stream is collected and returned as one response with the same body.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import AsyncIterator, Sequence
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

PING_INTERVAL_S = 15.0
CONNECTED = b": connected\n\n"
PING = b": ping\n\n"
HEADERS = {"Cache-Control": "no-cache, no-transform", "X-Accel-Buffering": "no"}
MEDIA_TYPE = "text/event-stream"


class ServerEvent(Protocol):
    """An event to send: its name and JSON payload (read-only, so frozen dataclasses qualify)."""

    @property
    def name(self) -> str: ...

    @property
    def data(self) -> dict[str, Any]: ...


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def encode_event(name: str, data: dict[str, Any]) -> bytes:
    """One SSE frame: ``event: <name>`` and the JSON payload on one ``data:`` line (NaN/inf become null)."""
    try:
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError:
        payload = json.dumps(_finite(data), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return f"event: {name}\ndata: {payload}\n\n".encode()


Events = AsyncIterator[ServerEvent] | AsyncIterator[Sequence[ServerEvent]]


async def sse_stream(events: Events, ping_interval_s: float = PING_INTERVAL_S) -> AsyncIterator[bytes]:
    """The SSE byte stream: ``: connected``, the events, and ``: ping`` after each quiet interval.

    ``events`` yields events, or batches of events (each batch is encoded into one chunk).
    """
    yield CONNECTED
    iterator = events.__aiter__()
    pending: asyncio.Future[Any] | None = None
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(iterator.__anext__())
            done, _ = await asyncio.wait((pending,), timeout=ping_interval_s)
            if not done:
                yield PING
                continue
            try:
                item = pending.result()
            except StopAsyncIteration:
                return
            pending = None
            if isinstance(item, Sequence):
                yield b"".join([encode_event(event.name, event.data) for event in item])
            else:
                yield encode_event(item.name, item.data)
    finally:
        if pending is not None and not pending.done():
            pending.cancel()


def is_mangum(request: Request) -> bool:
    """True when the request arrived through Mangum (it puts the Lambda event in the scope)."""
    return "aws.event" in request.scope


async def sse_response(request: Request, events: Events) -> Response:
    """Stream ``events`` as SSE; under Mangum, the whole stream in one buffered response."""
    if is_mangum(request):
        body = b"".join([chunk async for chunk in sse_stream(events)])
        return Response(body, media_type=MEDIA_TYPE, headers=HEADERS)
    return StreamingResponse(sse_stream(events), media_type=MEDIA_TYPE, headers=HEADERS)
