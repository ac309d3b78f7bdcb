"""Request ids: taken from ``X-Request-Id`` (or the Lambda request id under Mangum), else generated.

The id lives in a context variable so log lines and error bodies anywhere in the request can read it.
This is a pure ASGI middleware: ``BaseHTTPMiddleware`` would break context-variable propagation and
streaming responses.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

from starlette.types import Message, Receive, Scope, Send

from shared.web.asgi import HttpMiddleware

_request_id: ContextVar[str] = ContextVar("request_id", default="-")
_VALID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def current_request_id() -> str:
    """The id of the request being served ("-" outside a request)."""
    return _request_id.get()


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            return candidate if _VALID.match(candidate) else None
    context = scope.get("aws.context")
    return getattr(context, "aws_request_id", None)


class RequestIdMiddleware(HttpMiddleware):
    """Sets the request id for the request and echoes it in the ``X-Request-Id`` response header."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = _incoming_id(scope) or uuid.uuid4().hex
        token = _request_id.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k != b"x-request-id"]
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _request_id.reset(token)
