"""Operator actions guarded by ``ADMIN_TOKEN``: ``POST /api/admin/reload-data``."""

from __future__ import annotations

import hmac
import logging
from typing import Any

from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from shared.bars import get_bar_store
from shared.errors import BarbError
from shared.health_checks import SERVICE_CHECKS
from shared.settings import get_settings
from shared.web import bearer_token, build_app, returns

log = logging.getLogger("barb.admin")

_SECRET_LIKE = ("token", "key", "auth", "secret", "password")


def require_admin(request: Request) -> None:
    """Accept only ``Authorization: Bearer <ADMIN_TOKEN>``, compared in constant time.

    A token in the query string is refused outright (400) even when it is right: URLs end up in access
    logs, proxies and browser history.
    """
    if any(part in name.lower() for name in request.query_params for part in _SECRET_LIKE):
        raise BarbError(
            400,
            "TOKEN_IN_QUERY",
            "Send the admin token in the Authorization header (Bearer), never in the URL.",
        )
    expected = get_settings().secret("admin_token")
    if not expected:
        raise BarbError(503, "ADMIN_DISABLED", "Admin actions are disabled: ADMIN_TOKEN is not configured.")
    presented = bearer_token(request)
    if presented is None:
        raise BarbError(401, "AUTH_MISSING", "Send Authorization: Bearer <ADMIN_TOKEN>.")
    if not hmac.compare_digest(presented.encode(), expected.encode()):
        raise BarbError(401, "AUTH_INVALID", "The admin token is not valid.")


class Reloaded(BaseModel):
    reloaded: bool
    instruments: list[str]
    """The symbols whose files changed."""
    generation: int
    version: dict[str, str | None]
    """``{old, new}`` manifest versions."""
    changed: list[dict[str, Any]]
    """``{symbol, bar_size, old, new}`` per changed file."""
    status: str
    reason: str | None


@returns(Reloaded)
async def reload_data(request: Request) -> JSONResponse:
    """Revalidate the manifest now and make every worker drop its in-memory bar caches.

    Returns the new generation, the manifest version (old → new), the changed files per instrument and
    bar size, and the bucket's health after the revalidation.
    """
    require_admin(request)
    result = await run_in_threadpool(get_bar_store().reload)
    instruments = sorted({change["symbol"] for change in result["changed"]})
    log.info(
        "reload-data: generation %s, version %s, changed %s",
        result["generation"],
        result["version"],
        instruments,
    )
    return JSONResponse({"reloaded": True, "instruments": instruments, **result})


routes: list[BaseRoute] = [Route("/api/admin/reload-data", reload_data, methods=["POST"])]
app = build_app(routes, checks=SERVICE_CHECKS)
