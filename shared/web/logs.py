"""Logging: JSON lines in production, plain text in development; one access line per request."""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from shared.web.asgi import HttpMiddleware
from shared.web.requestid import current_request_id

access_log = logging.getLogger("barb.access")
_STANDARD_ATTRS = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and any ``extra`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": current_request_id(),
        }
        entry.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD_ATTRS})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class PlainFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        record.request_id = current_request_id()
        return super().format(record)


QUIET_LOGGERS = ("httpx", "httpx2", "httpcore", "httpcore2")


def configure_logging(*, json_lines: bool, level: str = "INFO") -> None:
    """Install Barb's handler on the root logger (idempotent: a second call replaces the first)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name("barb")
    if json_lines:
        handler.setFormatter(JsonFormatter())
        handler.formatter.converter = time.gmtime  # type: ignore[union-attr]
    else:
        handler.setFormatter(
            PlainFormatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
    root = logging.getLogger()
    root.handlers = [h for h in root.handlers if h.get_name() != "barb"] + [handler]
    root.setLevel(level)
    # HTTP clients log every request at INFO (the model client two per answer): the access line and the
    # answer's line already tell it, so only their warnings are kept.
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))


class AccessLogMiddleware(HttpMiddleware):
    """Logs method, path, status, latency and user id once per request, after the response ends."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        state = scope.setdefault("state", {})
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            latency_ms = round((time.perf_counter() - started) * 1000, 1)
            user_id = state.get("user_id") if isinstance(state, dict) else None
            access_log.info(
                "%s %s %s %.1fms user=%s",
                scope["method"],
                scope["path"],
                status,
                latency_ms,
                user_id or "-",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "latency_ms": latency_ms,
                    "user_id": user_id,
                },
            )
