"""``GET /health`` and ``GET /api/config``: what every app answers without a token."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Literal

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from shared.settings import get_settings
from shared.web.openapi import public, returns

log = logging.getLogger("barb.health")
Check = Callable[[], Awaitable[tuple[str, str | None]]]
"""A named check of ``/health``: ``(status, reason)``; ``degraded`` keeps the service up (200), ``down`` (or an
exception) makes it 503. The function layer hands them to ``build_app``."""


class CheckResult(BaseModel):
    status: Literal["ok", "degraded", "down"]
    reason: str | None = None


class Health(BaseModel):
    status: Literal["ok", "degraded", "down"]
    checks: dict[str, CheckResult]
    version: str


class ClientConfig(BaseModel):
    auth: Literal["local", "supabase"]
    llm_configured: bool
    version: str
    chat_stream_url: str | None = None
    """Where the SPA opens the chat stream when another origin serves it (a Lambda Function URL)."""
    supabase_url: str | None = None
    supabase_publishable_key: str | None = None


def health_endpoint(checks: Mapping[str, Check]) -> Callable[[Request], Awaitable[JSONResponse]]:
    """``GET /health`` running ``checks`` in order."""

    @public
    @returns(Health, also=(503,))
    async def health(request: Request) -> JSONResponse:
        """Whether the service can serve: `ok`, `degraded` (200, with reasons) or `down` (503)."""
        results: dict[str, dict[str, str]] = {}
        for name, check in checks.items():
            try:
                status, reason = await check()
            except Exception as exc:
                log.warning("health check %s failed: %s", name, exc)
                status, reason = "down", str(exc) or type(exc).__name__
            results[name] = {"status": status} | ({"reason": reason} if reason else {})
        statuses = {c["status"] for c in results.values()}
        overall = "down" if "down" in statuses else "degraded" if "degraded" in statuses else "ok"
        body = {"status": overall, "checks": results, "version": get_settings().version}
        return JSONResponse(body, status_code=503 if overall == "down" else 200)

    return health


@public
@returns(ClientConfig)
async def config(request: Request) -> JSONResponse:
    """What the SPA needs before sign-in: which sign-in to show, whether the chat can answer, and where the
    chat stream is served when it is not this API (``chat_stream_url``)."""
    settings = get_settings()
    body: dict[str, object] = {
        "auth": settings.auth_mode,
        "llm_configured": settings.llm_configured,
        "version": settings.version,
    }
    if settings.chat_stream_url:
        body["chat_stream_url"] = settings.chat_stream_url.rstrip("/")
    if settings.auth_mode == "supabase":
        body |= {
            "supabase_url": settings.supabase_url,
            "supabase_publishable_key": settings.supabase_publishable_key,
        }
    return JSONResponse(body)


def health_routes(checks: Mapping[str, Check]) -> list[Route]:
    """``GET /health`` (running ``checks``) and ``GET /api/config``."""
    return [
        Route("/health", health_endpoint(checks), methods=["GET"]),
        Route("/api/config", config, methods=["GET"]),
    ]
