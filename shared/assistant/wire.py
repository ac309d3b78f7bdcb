"""The loop's Messages API call, with less work per call than ``client.messages.create``.

Every call of the loop sends the same large tool definitions, and every event of the answer comes back
through the SDK's typed parsing. Two things are done here instead:

- the request body is encoded by :func:`encode_request` (the tool definitions, the largest part, once per
  process) and sent as bytes through the SDK's ``post``: the SDK still adds the headers, retries 429, 529,
  5xx and connection errors (honouring ``retry-after``) and raises its status errors, but no longer
  deep-copies and re-encodes the body;
- the response's events are plain dicts (:class:`RawEvents`): the SDK's typed events cost a pydantic
  validation each. An ``error`` event in the stream still raises the SDK's status error.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from functools import lru_cache
from typing import Any

import anthropic

from shared.assistant.tools import tool_definitions

MESSAGES_PATH = "/v1/messages"


@lru_cache(maxsize=1)
def _tools_json() -> str:
    return json.dumps(list(tool_definitions()), ensure_ascii=False, separators=(",", ":"))


def encode_request(params: dict[str, Any]) -> bytes:
    """A streaming Messages API request body: ``params`` and the tool definitions (:func:`tool_definitions`)."""
    fields = [f'"tools":{_tools_json()}', '"stream":true']
    fields += [
        f"{json.dumps(name)}:{json.dumps(value, ensure_ascii=False, separators=(',', ':'))}"
        for name, value in params.items()
    ]
    return ("{" + ",".join(fields) + "}").encode()


class RawEvents(anthropic.AsyncStream[dict[str, Any]]):
    """A Messages API event stream whose events are the JSON objects the API sent."""

    async def __stream__(self) -> AsyncIterator[dict[str, Any]]:
        observer = self._observer
        if observer is not None:
            observer.begin()
        try:
            async for sse in self._iter_events():
                if sse.event == "error":
                    try:
                        body: Any = sse.json()
                        message = f"{body}"
                    except ValueError:
                        body = sse.data
                        message = sse.data or f"Error code: {self.response.status_code}"
                    raise self._client._make_status_error(message, body=body, response=self.response)
                if sse.event is None or sse.event == "ping" or not sse.data:
                    continue
                yield sse.json()
            if observer is not None:
                observer.end("read")
        except Exception as exc:
            if observer is not None:
                observer.end("failed", exc)
            raise
        finally:
            await self.response.aclose()


async def stream_message(client: anthropic.AsyncAnthropic, params: dict[str, Any]) -> RawEvents:
    """Start a streaming Messages API call (``params`` as in ``messages.create``, without ``tools``)."""
    return await client.post(
        MESSAGES_PATH,
        cast_to=anthropic.types.Message,
        content=encode_request(params),
        stream=True,
        stream_cls=RawEvents,
    )
