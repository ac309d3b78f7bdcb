"""The HTTP edge every function shares: the app factory, auth, errors, OpenAPI, rate limits, SSE and the SPA."""

from shared.web.app import build_app
from shared.web.auth import bearer_token, require_user
from shared.web.openapi import accepts, public, returns
from shared.web.ratelimit import check_rate
from shared.web.requests import parse_body, query_params
from shared.web.spa import spa_routes
from shared.web.sse import sse_response

__all__ = [
    "accepts",
    "bearer_token",
    "build_app",
    "check_rate",
    "parse_body",
    "public",
    "query_params",
    "require_user",
    "returns",
    "spa_routes",
    "sse_response",
]
