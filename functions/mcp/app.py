"""``/mcp``: Barb as an MCP server over Streamable HTTP (stateless, JSON responses), for any AI client.

Callers send the same ``Authorization: Bearer <token>`` the REST API takes; a missing or invalid token is the
API's 401. Tool calls count against the same per-user rates as ``/api/query`` and ``/api/backtest``. The
tools, the resource and the prompt live in ``shared.mcp``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel
from starlette.routing import BaseRoute, Route

from shared.health_checks import SERVICE_CHECKS
from shared.mcp import HttpEndpoint, build_server
from shared.web import build_app, check_rate, require_user, returns


class JsonRpcResponse(BaseModel):
    jsonrpc: Literal["2.0"]
    id: int | str | None
    result: dict[str, Any] | None = None
    """A tool call's ``{content, structuredContent, isError}``."""
    error: dict[str, Any] | None = None


class McpEndpoint(HttpEndpoint):
    """MCP (Streamable HTTP, stateless): one JSON-RPC message in, its JSON-RPC answer out.

    The body is an MCP JSON-RPC request (``{"jsonrpc": "2.0", "id", "method", "params"}``: ``initialize``,
    ``tools/list``, ``tools/call``…), sent with ``Accept: application/json, text/event-stream``.

    The tools ``list_instruments``, ``describe_instrument``, ``barb_reference``, ``run_query`` and
    ``run_backtest``, the resource ``barb://reference`` and the prompt ``how_to_ask_barb`` (docs/api.md).
    """

    __name__ = "mcp"  # the OpenAPI operation's name (a function endpoint's would be its own)


endpoint = returns(JsonRpcResponse)(McpEndpoint(build_server(check_rate), require_user))
routes: list[BaseRoute] = [Route("/mcp", endpoint, methods=["POST"])]
app = build_app(routes, checks=SERVICE_CHECKS)
