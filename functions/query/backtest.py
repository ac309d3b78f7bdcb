"""``POST /api/backtest {instrument, strategy}``: run a backtest and return its result object.

The same edge as ``POST /api/query``: a signed-in user, a per-user rate (``backtest_rate_per_minute``), the
query time budget (``query_timeout_s``). 422 ``STRATEGY_INVALID`` carries every problem in ``details``
(``{step, expression, message, hint}``, ``step`` naming the strategy field); 404 for an unknown instrument or one
without bars; 504 ``BACKTEST_TIMEOUT`` past the budget; 429 past the rate.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from shared.backtest import BacktestTimeout, StrategyInvalid, run_backtest
from shared.bars import get_bar_store
from shared.market.instruments import get_instrument
from shared.script import QueryFailed, StoreBars
from shared.settings import get_settings
from shared.web.auth import require_user
from shared.web.errors import ApiError, not_found
from shared.web.ratelimit import check_rate
from shared.web.requests import parse_body


class BacktestRequest(BaseModel):
    instrument: str = Field(min_length=1, max_length=20)
    strategy: dict[str, Any]


_FAILED_STATUS = {"NO_DATA": 404, "QUERY_INTERNAL": 500, "BACKTEST_INTERNAL": 500, "QUERY_TOO_LARGE": 422}


async def backtest(request: Request) -> JSONResponse:
    """Backtest a strategy on an instrument's history.

    Body ``{instrument, strategy}``; returns metrics, trades, the equity curve, a summary and UI blocks
    (``docs/backtest.md``).
    """
    user = await require_user(request)
    settings = get_settings()
    check_rate(user.id, "backtest", settings.backtest_rate_per_minute)
    body = await parse_body(request, BacktestRequest)
    instrument = get_instrument(body.instrument)
    if instrument is None:
        raise not_found(f"Instrument {body.instrument.upper()!r}")
    store = get_bar_store()
    if instrument.symbol not in store.symbols():
        raise ApiError(404, "NO_DATA", f"There are no bars for {instrument.symbol} yet.")
    bars = StoreBars(store, instrument.symbol)
    try:
        result = await run_in_threadpool(
            run_backtest, body.strategy, instrument, bars, timeout_s=settings.query_timeout_s
        )
    except StrategyInvalid as exc:
        count = len(exc.errors)
        raise ApiError(
            422,
            "STRATEGY_INVALID",
            f"The strategy has {count} problem{'s' if count != 1 else ''}: {exc.errors[0].message}"
            + (" (and more)" if count > 1 else ""),
            details=[e.to_dict() for e in exc.errors],
        ) from None
    except BacktestTimeout as exc:
        raise ApiError(504, "BACKTEST_TIMEOUT", str(exc)) from None
    except QueryFailed as exc:
        raise ApiError(_FAILED_STATUS.get(exc.code, 422), exc.code, exc.message) from None
    payload = result.to_dict()
    payload["source"]["sample"] = store.is_sample(instrument.symbol)
    return JSONResponse(payload)


routes: list[BaseRoute] = [Route("/api/backtest", backtest, methods=["POST"])]
