"""``GET /api/instruments/{symbol}/bars``: OHLCV for charts, columnar JSON, capped, cacheable with an ETag.

Bars are built by ``shared.market``'s resampler, as the engine's are. Daily bars are per exchange trade date
(the stored ``1d`` file when there is one, else one-minute bars grouped by ``trade_date``); weekly and longer
bars group trade dates and carry their first. Intraday bars are anchored at the default session's open (a 1h
chart of a CME future starts its bars at 18:00 New York time, a stock's at 09:30). ``time`` is epoch seconds:
the bar's open for intraday bars, 00:00 UTC of the (first) trade date for the others, which is how chart
libraries expect business days.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from datetime import UTC, date, datetime, timedelta

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from data_store import BarStore, DataStoreError
from shared.bars import get_bar_store
from shared.errors import BarbError, not_found
from shared.market import (
    BAR_SIZES,
    INTRADAY_MINUTES,
    OHLCV,
    BarSize,
    CalendarSize,
    Instrument,
    Session,
    calendar_bars,
    canonical_bar_size,
    daily_bars,
    get_instrument,
    intraday_bars,
    is_intraday,
)
from shared.web import accepts, public, query_params, returns

DEFAULT_LIMIT = 5_000
MAX_LIMIT = 20_000
COLUMNS = ["time", *OHLCV]

_CACHE_SIZE = 32
_cache_lock = threading.Lock()
_calendar_cache: OrderedDict[tuple[str, CalendarSize], pl.DataFrame] = OrderedDict()
"""Whole-history daily and longer frames keyed by (source file key, bar size); files never change."""
_MIDNIGHT = Session("00:00", "00:00")


class BarsResponse(BaseModel):
    """Bars as columns: ``data[name][i]`` is bar ``i``'s value of column ``name`` (``time`` in epoch seconds)."""

    symbol: str
    tf: BarSize
    columns: list[str]
    data: dict[str, list[float | int | None]]
    sample: bool
    truncated: bool


class BarsParams(BaseModel):
    """Query parameters; ``from``/``to`` are dates (trade dates, inclusive), ISO date-times or epoch seconds."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    tf: BarSize = "daily"
    """A bar size or one of its aliases (``1d``, ``hourly``…), answered with the bar size."""
    start: str | None = Field(default=None, alias="from", max_length=40)
    end: str | None = Field(default=None, alias="to", max_length=40)
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)

    @field_validator("tf", mode="before")
    @classmethod
    def _known_bar_size(cls, value: object) -> BarSize:
        size = canonical_bar_size(value) if isinstance(value, str) else None
        if size is None:
            raise ValueError(f"unknown bar size {value!r}; use one of {', '.join(BAR_SIZES)}")
        return size

    @field_validator("start", "end")
    @classmethod
    def _parsable(cls, value: str | None) -> str | None:
        if value is not None:
            parse_bound(value)
        return value


def parse_bound(value: str) -> date | datetime:
    """A date, or a UTC date-time from ISO text or epoch seconds."""
    value = value.strip()
    if value.isdigit():
        return datetime.fromtimestamp(int(value), UTC)
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{value!r} is not a date, an ISO date-time or epoch seconds") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@public
@accepts(query=BarsParams)
@returns(BarsResponse)
async def bars(request: Request) -> Response:
    """OHLCV bars for charts, columnar (`?tf=daily|weekly|1h|…&from=&to=&limit=`), cacheable with an ETag."""
    symbol = request.path_params["symbol"].strip().upper()
    params = query_params(request, BarsParams)
    store = get_bar_store()
    instrument = get_instrument(symbol)
    sizes = await run_in_threadpool(store.bar_sizes, symbol)
    if not sizes:
        if instrument is None:
            raise not_found(f"Instrument {symbol!r}")
        raise BarbError(404, "NO_DATA", f"{symbol} has no bars yet.")
    manifest = store.manifest()
    keys = [manifest.instruments[symbol].bars[size].key for size in sizes]
    etag = 'W/"' + hashlib.sha256(repr((keys, params.model_dump())).encode()).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=60"}
    if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    try:
        frame, truncated = await run_in_threadpool(load_bars, store, symbol, instrument, params)
    except DataStoreError as exc:
        raise BarbError(503, "DATA_UNAVAILABLE", f"Bars for {symbol} are unavailable right now.") from exc
    body = {
        "symbol": symbol,
        "tf": params.tf,
        "columns": COLUMNS,
        "data": {name: frame[name].to_list() for name in COLUMNS},
        "sample": store.is_sample(symbol),
        "truncated": truncated,
    }
    return JSONResponse(body, headers=headers)


def load_bars(
    store: BarStore, symbol: str, instrument: Instrument | None, params: BarsParams
) -> tuple[pl.DataFrame, bool]:
    """The bars for the request (columns :data:`COLUMNS`) and whether the limit cut older ones off."""
    start = parse_bound(params.start) if params.start else None
    end = parse_bound(params.end) if params.end else None
    if is_intraday(params.tf):
        frame = _intraday(store, symbol, instrument, INTRADAY_MINUTES[params.tf], start, end, params.limit)
    else:
        frame = _calendar(store, symbol, params.tf)
        if start is not None:
            frame = frame.filter(pl.col("date") >= _as_date(start))
        if end is not None:
            frame = frame.filter(pl.col("date") <= _as_date(end))
        frame = frame.with_columns(pl.col("date").cast(pl.Datetime("ms")).dt.epoch("s").alias("time"))
    truncated = frame.height > params.limit
    return frame.tail(params.limit).select(COLUMNS), truncated


def _calendar(store: BarStore, symbol: str, size: CalendarSize) -> pl.DataFrame:
    """Whole-history bars per trade date (or week, month…) with a ``date`` column, memoised per file."""
    source_size = "1d" if "1d" in store.bar_sizes(symbol) else "1m"
    path = store.path(symbol, source_size)
    assert path is not None
    cache_key = (str(path), size)
    with _cache_lock:
        cached = _calendar_cache.get(cache_key)
        if cached is not None:
            _calendar_cache.move_to_end(cache_key)
            return cached
    scan = pl.scan_parquet(path).select("trade_date", *OHLCV)
    daily = daily_bars(scan) if source_size == "1m" else scan
    frame = calendar_bars(daily.rename({"trade_date": "date"}), size).collect()
    with _cache_lock:
        _calendar_cache[cache_key] = frame
        if len(_calendar_cache) > _CACHE_SIZE:
            _calendar_cache.popitem(last=False)
    return frame


def _intraday(
    store: BarStore,
    symbol: str,
    instrument: Instrument | None,
    minutes: int,
    start: date | datetime | None,
    end: date | datetime | None,
    limit: int,
) -> pl.DataFrame:
    scan = store.scan(symbol, "1m")
    if scan is None:
        raise BarbError(404, "NO_DATA", f"{symbol} has no one-minute bars; ask for tf=daily.")
    if start is None:
        start = _window_start(store, symbol, minutes * limit, end)
    scan = scan.filter(_bound_filter(start, ">="))
    if end is not None:
        scan = scan.filter(_bound_filter(end, "<="))
    anchor = _MIDNIGHT if instrument is None else instrument.sessions[instrument.default_session]
    columns = scan.select("ts", "trade_date", "minute", *OHLCV)
    frame = intraday_bars(columns, minutes, anchor, open_ts=True).collect()
    return frame.with_columns(pl.col("ts").dt.epoch("s").alias("time"))


def _window_start(store: BarStore, symbol: str, minutes: int, end: date | datetime | None) -> datetime:
    """A start far enough back to hold ``minutes`` of bars before ``end`` (or the last bar), from the
    file's average bar density, so the default chart does not read the whole history."""
    bar_file = store.manifest().bar_file(symbol, "1m")
    assert bar_file is not None
    last = bar_file.last if end is None else _as_datetime(end)
    span_minutes = max((bar_file.last - bar_file.first).total_seconds() / 60, 1)
    density = max(bar_file.rows / span_minutes, 1e-3)  # bars per calendar minute
    return last - timedelta(minutes=1.5 * minutes / density + 7 * 1440)


def _bound_filter(bound: date | datetime, op: str) -> pl.Expr:
    column, value = ("ts", bound) if isinstance(bound, datetime) else ("trade_date", bound)
    return pl.col(column) >= value if op == ">=" else pl.col(column) <= value


def _as_date(bound: date | datetime) -> date:
    return bound.date() if isinstance(bound, datetime) else bound


def _as_datetime(bound: date | datetime) -> datetime:
    if isinstance(bound, datetime):
        return bound
    return datetime.combine(bound, datetime.min.time(), UTC) + timedelta(days=1)


routes: list[BaseRoute] = [Route("/api/instruments/{symbol}/bars", bars, methods=["GET"])]
