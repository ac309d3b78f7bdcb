"""``POST /api/backtest {instrument, strategy}``: run a backtest and return its result object.

The same edge as ``POST /api/query``: a signed-in user, a per-user rate (``backtest_rate_per_minute``), the
query time budget (``query_timeout_s``). 422 ``STRATEGY_INVALID`` carries every problem in ``details``
(``{step, expression, message, hint}``, ``step`` naming the strategy field); 404 for an unknown instrument or one
without bars; 504 ``BACKTEST_TIMEOUT`` past the budget; 429 past the rate.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from functions.query.shapes import BacktestResult
from shared.backtest import start_backtest
from shared.catalogue import instrument_bars, store_universe
from shared.settings import get_settings
from shared.web import accepts, check_rate, parse_body, require_user, returns


class BacktestRequest(BaseModel):
    instrument: str = Field(min_length=1, max_length=20)
    strategy: dict[str, Any]


@accepts(body=BacktestRequest)
@returns(BacktestResult)
async def backtest(request: Request) -> JSONResponse:
    """Backtest a strategy on an instrument's history.

    Body ``{instrument, strategy}``; returns metrics, trades, the equity curve, a summary and UI blocks
    (``docs/backtest.md``).
    """
    user = await require_user(request)
    settings = get_settings()
    await check_rate(user.id, "backtest", settings.backtest_rate_per_minute)
    body = await parse_body(request, BacktestRequest)
    instrument, bars, sample = instrument_bars(body.instrument)
    job = start_backtest(
        body.strategy,
        instrument,
        bars,
        timeout_s=settings.query_timeout_s,
        owner=user.id,
        universe=store_universe(),
    )
    result = await job.wait()
    payload = result.to_dict()
    payload["source"]["sample"] = sample
    return JSONResponse(payload)


routes: list[BaseRoute] = [Route("/api/backtest", backtest, methods=["POST"])]
