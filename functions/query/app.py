"""``POST /api/query {instrument, query, explain?}``: run a Barb Script query and return its result object.

422 ``QUERY_INVALID`` carries every validation error in ``details`` (``{step, expression, message, hint}``);
404 for an unknown instrument or one without bars; 504 ``QUERY_TIMEOUT`` past the time budget; 429 past the
per-user rate. The engine's errors carry their own status and code (``shared.script.errors``); the app's one
handler renders them. The computation runs on the engine's pool thread and is awaited there: one hand-off.

A query may read other instruments (``on('ES', close)``: every instrument with bars is reachable) and a query
with a ``screen`` field runs over many instruments (``instrument`` is then ignored), one row each, ranked.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from functions.query import backtest
from functions.query.shapes import QueryResult
from shared.catalogue import any_sample, instrument_bars, store_universe
from shared.health_checks import SERVICE_CHECKS
from shared.script import Job, is_screen, start_query, start_screen
from shared.settings import get_settings
from shared.store import get_store
from shared.web import accepts, build_app, check_rate, parse_body, require_user, returns


class QueryRequest(BaseModel):
    instrument: str = Field(min_length=1, max_length=20)
    query: dict[str, Any]
    explain: bool = False


@accepts(body=QueryRequest)
@returns(QueryResult)
async def query(request: Request) -> JSONResponse:
    """Run a Barb Script query (`{instrument, query, explain?}`) and return its result object."""
    user = await require_user(request)
    settings = get_settings()
    await check_rate(user.id, "query", settings.query_rate_per_minute)
    body = await parse_body(request, QueryRequest)
    if is_screen(body.query):
        job = await _screen(body.query, user.id, settings.query_timeout_s)
    else:
        instrument, bars, _ = instrument_bars(body.instrument)
        job = start_query(
            body.query,
            instrument,
            bars,
            explain=body.explain,
            timeout_s=settings.query_timeout_s,
            owner=user.id,
            universe=store_universe(),
        )
    result = await job.wait()
    result["source"]["sample"] = any_sample(result["source"]["instruments"])
    return JSONResponse(result)


async def _screen(query: dict[str, Any], user_id: str, timeout_s: float) -> Job[dict[str, Any]]:
    """A screen's job; ``"screen": "workspace"`` means the user's workspace instruments."""
    if query.get("screen") == "workspace":
        query = {**query, "screen": await get_store().list_workspace(user_id)}
    return start_screen(query, store_universe(), timeout_s=timeout_s, owner=user_id)


routes: list[BaseRoute] = [Route("/api/query", query, methods=["POST"]), *backtest.routes]
app = build_app(routes, checks=SERVICE_CHECKS)
