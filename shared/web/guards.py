"""Middleware that keeps every failure inside the API's error shape: body size limit and a last-resort 500."""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import BarbError
from shared.web.asgi import HttpMiddleware
from shared.web.errors import error_response

log = logging.getLogger("barb.web")


class BodyLimitMiddleware(HttpMiddleware):
    """Refuses request bodies over ``max_bytes`` with 413, by Content-Length or while the body streams in."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        super().__init__(app)
        self.max_bytes = max_bytes

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                response = error_response(self._too_large())
                await response(scope, receive, send)
                return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise self._too_large()
            return message

        await self.app(scope, limited_receive, send)

    def _too_large(self) -> BarbError:
        return BarbError(
            413, "PAYLOAD_TOO_LARGE", f"The request body is larger than {self.max_bytes // 1024} KB."
        )


class ServerErrorMiddleware(HttpMiddleware):
    """Turns an unhandled exception into a logged 500 in the API's shape.

    It sits inside the request-id middleware (unlike Starlette's own outermost one), so the 500 carries the
    request id in its body and header, and the log line names it.
    """

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            response = error_response(
                BarbError(500, "INTERNAL_ERROR", "Something went wrong on our side; it was logged.")
            )
            await response(scope, receive, send)
