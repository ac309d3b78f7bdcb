"""The SSE adapter and the background run, in isolation, and the whole chat under Mangum (buffered)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from shared.assistant import BackgroundRun
from shared.assistant.loop import ChatEvent
from shared.web.sse import CONNECTED, PING, encode_event, sse_stream
from tests.chat.conftest import ChatApp, parse_frames
from tests.fake_anthropic import DEMO_ANSWER, demo
from tests.lambda_runtime import call_handler


async def _slow_events(count: int, gap_s: float) -> AsyncIterator[ChatEvent]:
    for i in range(count):
        await asyncio.sleep(gap_s)
        yield ChatEvent("text_delta", {"delta": str(i)})


def test_connected_first_then_pings_during_silence() -> None:
    async def collect() -> list[bytes]:
        return [chunk async for chunk in sse_stream(_slow_events(2, 0.25), ping_interval_s=0.1)]

    chunks = asyncio.run(collect())
    assert chunks[0] == CONNECTED
    assert chunks.count(PING) >= 2
    events = [c for c in chunks if c.startswith(b"event:")]
    assert events == [encode_event("text_delta", {"delta": "0"}), encode_event("text_delta", {"delta": "1"})]
    assert chunks.index(events[0]) > chunks.index(PING)  # the silence before the first event was filled


def test_events_are_single_line_json_and_never_nan() -> None:
    frame = encode_event("data_block", {"rows": [[1.5, float("nan"), float("inf")]], "text": "a\nb"})
    [(name, data)], rest = parse_frames(frame)
    assert name == "data_block" and rest == b""
    assert json.loads(data) == {"rows": [[1.5, None, None]], "text": "a\nb"}


def test_a_reader_that_leaves_does_not_stop_the_run() -> None:
    async def scenario() -> tuple[list[ChatEvent], list[str]]:
        produced: list[str] = []

        async def events() -> AsyncIterator[ChatEvent]:
            async for event in _slow_events(5, 0.02):
                produced.append(event.data["delta"])
                yield event

        run = BackgroundRun(events())
        stream = sse_stream(run.events())
        received = [await anext(stream), await anext(stream)]  # ": connected" and the first event
        await stream.aclose()  # the client disconnected
        await asyncio.wait_for(run.task, 5)
        return received, produced

    received, produced = asyncio.run(scenario())
    assert received[0] == CONNECTED
    assert produced == ["0", "1", "2", "3", "4"]


def _api_gateway_event(path: str, body: dict, headers: dict[str, str]) -> dict:
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"content-type": "application/json", **{k.lower(): v for k, v in headers.items()}},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api",
            "domainName": "example.execute-api.eu-central-1.amazonaws.com",
            "domainPrefix": "example",
            "http": {
                "method": "POST",
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "t",
            },
            "requestId": "req",
            "routeKey": "$default",
            "stage": "$default",
            "time": "28/Nov/2026:10:00:00 +0000",
            "timeEpoch": 1795860000000,
        },
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }


def test_under_mangum_the_whole_stream_comes_in_one_response(chat_app: ChatApp) -> None:
    from functions.chat.handler import handler

    chat_app.fake.set_script(demo)
    user = chat_app.client()
    conversation = user.conversation("NQ")
    event = _api_gateway_event(
        "/api/chat/stream", {"conversation_id": conversation, "message": "Last 10 days"}, user.headers
    )

    response = call_handler(handler, event, {})

    assert response["statusCode"] == 200
    assert response["headers"]["content-type"].startswith("text/event-stream")
    body = response["body"].encode()
    assert body.startswith(CONNECTED)
    frames, rest = parse_frames(body)
    assert rest == b""
    names = [name for name, _ in frames if name]
    assert names[:2] == ["message_saved", "title_update"] and names[-2:] == ["done", "persist"]
    assert {"tool_start", "tool_end", "data_block", "text_delta"} <= set(names)
    done = json.loads(next(data for name, data in frames if name == "done"))
    assert done["answer"].endswith(DEMO_ANSWER)
    assert user.messages(conversation)[-1]["id"] == done["message_id"]
