"""``POST /api/query {instrument, query, explain?}``: run a Barb Script query and return its result object.

422 ``QUERY_INVALID`` carries every validation error in ``details`` (``{step, expression, message, hint}``);
404 for an unknown instrument or one without bars; 504 ``QUERY_TIMEOUT`` past the time budget; 429 past the
per-user rate.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from functions.query import backtest
from shared.bars import get_bar_store
from shared.market.instruments import get_instrument
from shared.script import QueryFailed, QueryInvalid, QueryTimeout, StoreBars, run_query
from shared.settings import get_settings
from shared.web.app import build_app
from shared.web.auth import require_user
from shared.web.errors import ApiError, not_found
from shared.web.ratelimit import check_rate
from shared.web.requests import parse_body


class QueryRequest(BaseModel):
    instrument: str = Field(min_length=1, max_length=20)
    query: dict[str, Any]
    explain: bool = False


_FAILED_STATUS = {"NO_DATA": 404, "DATA_UNAVAILABLE": 503, "QUERY_INTERNAL": 500, "QUERY_TOO_LARGE": 422}


async def query(request: Request) -> JSONResponse:
    user = await require_user(request)
    settings = get_settings()
    check_rate(user.id, "query", settings.query_rate_per_minute)
    body = await parse_body(request, QueryRequest)
    instrument = get_instrument(body.instrument)
    if instrument is None:
        raise not_found(f"Instrument {body.instrument.upper()!r}")
    store = get_bar_store()
    if instrument.symbol not in store.symbols():
        raise ApiError(404, "NO_DATA", f"There are no bars for {instrument.symbol} yet.")
    bars = StoreBars(store, instrument.symbol)
    try:
        result = await run_in_threadpool(
            run_query, body.query, instrument, bars, explain=body.explain, timeout_s=settings.query_timeout_s
        )
    except QueryInvalid as exc:
        count = len(exc.errors)
        raise ApiError(
            422,
            "QUERY_INVALID",
            f"The query has {count} problem{'s' if count != 1 else ''}: {exc.errors[0].message}"
            + (" (and more)" if count > 1 else ""),
            details=[e.to_dict() for e in exc.errors],
        ) from None
    except QueryTimeout as exc:
        raise ApiError(504, "QUERY_TIMEOUT", str(exc)) from None
    except QueryFailed as exc:
        raise ApiError(_FAILED_STATUS.get(exc.code, 422), exc.code, exc.message) from None
    result["source"]["sample"] = store.is_sample(instrument.symbol)
    return JSONResponse(result)


routes: list[BaseRoute] = [Route("/api/query", query, methods=["POST"]), *backtest.routes]
app = build_app(routes)
