"""The instrument catalogue and the user's workspace (bars for charts: ``functions/instruments/bars.py``)."""

from __future__ import annotations

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

import functions
from functions.instruments import bars
from shared.catalogue import InstrumentView, describe, find_instrument, list_catalogue, require_instrument
from shared.errors import not_found
from shared.health_checks import SERVICE_CHECKS
from shared.store import get_store
from shared.web import accepts, build_app, parse_body, public, query_params, require_user, returns


class CatalogueParams(BaseModel):
    search: str | None = Field(default=None, max_length=100)
    category: str | None = Field(default=None, max_length=40)


class WorkspaceAdd(BaseModel):
    symbol: str = Field(min_length=1, max_length=20)


class InstrumentList(BaseModel):
    instruments: list[InstrumentView]


@public
@accepts(query=CatalogueParams)
@returns(InstrumentList)
async def catalogue(request: Request) -> JSONResponse:
    """The instrument catalogue (`?search=` substring of symbol or name, `?category=`), with data status."""
    params = query_params(request, CatalogueParams)
    entries = await list_catalogue(search=params.search, category=params.category)
    return JSONResponse({"instruments": [describe(e) for e in entries]})


@public
@returns(InstrumentView)
async def instrument(request: Request) -> JSONResponse:
    """One instrument: sessions, contract facts, calendar and the range of its data."""
    return JSONResponse(describe(await require_instrument(request.path_params["symbol"])))


@returns(InstrumentList)
async def workspace(request: Request) -> JSONResponse:
    """The instruments in the caller's workspace, in the order they were added."""
    user = await require_user(request)
    symbols = await get_store().list_workspace(user.id)
    entries = [e for e in [await find_instrument(s) for s in symbols] if e is not None]
    return JSONResponse({"instruments": [describe(e) for e in entries]})


@accepts(body=WorkspaceAdd)
@returns(InstrumentView, status=201)
async def add_to_workspace(request: Request) -> JSONResponse:
    """Add `{symbol}` to the caller's workspace (idempotent; 404 for an unknown symbol)."""
    user = await require_user(request)
    body = await parse_body(request, WorkspaceAdd)
    entry = await require_instrument(body.symbol)
    await get_store().add_to_workspace(user.id, entry.symbol)
    return JSONResponse(describe(entry), status_code=201)


@returns(None, status=204)
async def remove_from_workspace(request: Request) -> Response:
    """Remove a symbol from the caller's workspace."""
    user = await require_user(request)
    if not await get_store().remove_from_workspace(user.id, request.path_params["symbol"]):
        raise not_found(f"Instrument {request.path_params['symbol'].upper()!r} in your workspace")
    return Response(status_code=204)


routes: list[BaseRoute] = [
    Route("/api/instruments", catalogue, methods=["GET"]),
    Route("/api/instruments/{symbol}", instrument, methods=["GET"]),
    Route("/api/user-instruments", workspace, methods=["GET"]),
    Route("/api/user-instruments", add_to_workspace, methods=["POST"]),
    Route("/api/user-instruments/{symbol}", remove_from_workspace, methods=["DELETE"]),
    *bars.routes,
]
# On Lambda this function answers /api/openapi.json for the whole API (template.yaml routes it here).
app = build_app(routes, documented=functions.all_routes, checks=SERVICE_CHECKS)
