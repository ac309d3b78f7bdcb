"""The app factory every function uses: its routes plus the shared web layer."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from shared.background import background_work
from shared.settings import get_settings
from shared.web import local_auth
from shared.web.errors import EXCEPTION_HANDLERS
from shared.web.guards import BodyLimitMiddleware, ServerErrorMiddleware
from shared.web.health import Check, health_routes
from shared.web.logs import AccessLogMiddleware, configure_logging
from shared.web.openapi import openapi_document, public
from shared.web.requestid import RequestIdMiddleware
from shared.web.security import SecurityHeadersMiddleware


def common_routes(
    app_routes: list[BaseRoute],
    documented: Callable[[], list[BaseRoute]] | None = None,
    checks: Mapping[str, Check] | None = None,
) -> list[BaseRoute]:
    """Routes every app serves: health (running ``checks``), public config, an OpenAPI document and, in local
    mode, the local sign-in. The document covers ``documented()`` (built on first request) or else the app's
    own routes."""
    routes: list[BaseRoute] = [*health_routes(checks or {})]
    if get_settings().auth_mode == "local":
        routes += local_auth.routes

    @functools.cache
    def document() -> dict[str, object]:
        described = documented() if documented else app_routes
        return openapi_document([*described, *routes], version=get_settings().version)

    @public
    async def openapi(request: Request) -> JSONResponse:
        """This API's OpenAPI document."""
        return JSONResponse(document())

    return [*routes, Route("/api/openapi.json", openapi, methods=["GET"])]


def build_app(
    routes: list[BaseRoute],
    *,
    fallback: list[BaseRoute] | None = None,
    documented: Callable[[], list[BaseRoute]] | None = None,
    checks: Mapping[str, Check] | None = None,
) -> Starlette:
    """A Starlette app serving ``routes`` and the common routes behind Barb's middleware stack.

    ``fallback`` routes are matched last, after the common ones (the SPA's catch-all shell). ``documented``
    gives the routes ``/api/openapi.json`` describes when they are more than this app's own (the function
    that answers it on Lambda documents the whole API). ``checks`` are what ``/health`` runs (the function
    layer's ``shared.health_checks.SERVICE_CHECKS``; none in a bare app).

    Outermost first: request id (so everything below can log and return it), access log, CORS, the
    last-resort 500 handler, then the body size limit.
    """
    settings = get_settings()
    configure_logging(json_lines=settings.env == "production", level=settings.log_level)
    middleware = [
        Middleware(RequestIdMiddleware),
        Middleware(SecurityHeadersMiddleware),
        Middleware(AccessLogMiddleware),
        Middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origin_list,
            allow_methods=["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=["authorization", "content-type", "x-request-id"],
            expose_headers=["x-request-id", "retry-after", "etag"],
            max_age=600,
        ),
        Middleware(ServerErrorMiddleware),
        Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes),
    ]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await background_work().drain(settings.shutdown_grace_s)

    return Starlette(
        routes=[*routes, *common_routes(routes, documented, checks), *(fallback or [])],
        lifespan=lifespan,
        middleware=middleware,
        exception_handlers=EXCEPTION_HANDLERS,
    )
