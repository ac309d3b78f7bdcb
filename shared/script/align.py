"""Computing a query's ``on(source, x)`` columns and lining them up with its bars (``shared.script.series``).

Each source's bars are built once, over their whole history (so windows warm up as on a chart), every ``x`` of
that source is computed on them, and the values join the query's frame:

- same bar size: an exact join on the bar's label (the trade date; the calendar period for weekly and longer;
  trade date and open minute intraday) — null where the other instrument has no such bar;
- a longer bar size: an as-of join on the last bar that had completed before the query's bar opened (a calendar
  period strictly before the bar's own period; an intraday bar whose end is at or before the bar's open).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from datetime import date
from itertools import groupby

import polars as pl

from shared.market import (
    CALENDAR_BUCKETS,
    INTRADAY_MINUTES,
    Instrument,
    is_calendar,
    is_intraday,
    trading_session,
)
from shared.script.bars import BarRequest, BarsInput, anchor_session, build_bars
from shared.script.compile import Compiler
from shared.script.declarations import EvalContext
from shared.script.plan import SideSeries, Source
from shared.script.registry import function_spec
from shared.script.universe import Universe

_LOCAL_CATEGORIES = frozenset({"core", "time", "calendar", "events", "session", "aggregate"})
"""Functions whose values on a trade date do not depend on earlier trade dates."""
_KEY = "__align_key"
_END = "__align_end"


def is_local(tree: ast.expr) -> bool:
    """Whether ``tree``'s value on a trade date depends only on that date's bars (so a period may be applied
    before it is computed: the same result from far fewer bars)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            spec = function_spec(node.func.id)
            if spec is None or spec.category not in _LOCAL_CATEGORIES:
                return False
    return True


def _dtype_of(frame: pl.LazyFrame) -> Callable[[pl.Expr], pl.DataType]:
    def dtype_of(expr: pl.Expr) -> pl.DataType:
        return frame.select(expr.alias("__probe")).collect_schema()["__probe"]

    return dtype_of


def _period_key(bar_size: str) -> pl.Expr:
    """The calendar period of a bar's trade date at ``bar_size`` (the date itself for daily bars), as days."""
    bucket = CALENDAR_BUCKETS.get(bar_size)  # type: ignore[call-overload]
    day = pl.col("date")
    return (day if bucket is None else day.dt.truncate(bucket)).cast(pl.Int32)


def _minute_key(day_start: int) -> pl.Expr:
    """Minutes since the epoch's first trading-day open: increasing through a trade date's session."""
    days = pl.col("date").cast(pl.Int32).cast(pl.Int64)
    return days * 1440 + (pl.col("minute").cast(pl.Int64) - day_start) % 1440


def _key(bar_size: str, query_size: str, day_start: int) -> pl.Expr:
    """The key the query's bars and a source's bars meet on (the query's period at a longer calendar size)."""
    if is_calendar(query_size) or is_calendar(bar_size):
        return _period_key(bar_size if is_calendar(bar_size) else query_size)
    return _minute_key(day_start)


def _side_frame(
    source: Source,
    series: list[SideSeries],
    bars: BarsInput,
    session_name: str | None,
    ctx: EvalContext,
    bounds: tuple[date | None, date | None],
) -> pl.LazyFrame:
    instrument = source.instrument
    # The query's own date bounds (set only when its period could be applied first) apply to another
    # instrument's bars too when every value read from them is local to its trade date.
    local = not source.higher and all(is_local(side.tree) for side in series)
    start, end = bounds if local else (None, None)
    session = None
    full = True
    if not source.higher and session_name is not None:
        session = instrument.sessions[session_name]
        full = session_name == instrument.default_session
    request = BarRequest(
        timeframe=source.bar_size,
        session=session,
        full_session=full,
        anchor=anchor_session(instrument),
        start=start,
        end=end,
    )
    frame, _ = build_bars(bars, request)
    compiler = Compiler(ctx, _dtype_of(frame))
    values = [compiler.compile(side.tree).alias(side.column) for side in series]
    return frame.select("date", *(["minute"] if is_intraday(source.bar_size) else []), *values)


def _join(
    frame: pl.LazyFrame, side: pl.LazyFrame, source: Source, query_size: str, day_start: int
) -> pl.LazyFrame:
    columns = [c for c in side.collect_schema().names() if c not in ("date", "minute")]
    side_key = _key(source.bar_size, query_size, day_start)
    keyed = frame.with_columns(side_key.alias(_KEY)).set_sorted(_KEY)
    if not source.higher:
        # The query's bars are in time order, so its keys are sorted; an as-of join with no tolerance is an
        # exact left join done as one merge pass (a hash join costs several times more on intraday bars).
        values = side.select(side_key.alias(_KEY), *columns)
        # Its bars are in its own time order: sorted by this key too when its trading day starts at the same time.
        same_day = trading_session(source.instrument).start_minute == day_start
        values = values.set_sorted(_KEY) if same_day or not is_intraday(query_size) else values.sort(_KEY)
        return keyed.join_asof(values, on=_KEY, strategy="backward", tolerance=0).drop(_KEY)
    if is_intraday(source.bar_size):
        # An intraday bar has completed when its end is at or before the query's bar opens.
        end = side_key + INTRADAY_MINUTES[source.bar_size]
        exact = True
    else:
        # A calendar bar has completed once a later period (trade date, week, month …) has begun.
        end, exact = side_key, False
    values = side.select(end.alias(_END), *columns).sort(_END)
    joined = keyed.join_asof(
        values, left_on=_KEY, right_on=_END, strategy="backward", allow_exact_matches=exact
    )
    return joined.drop(_KEY, _END, strict=False)


def join_series(
    frame: pl.LazyFrame,
    series: Iterable[SideSeries],
    instrument: Instrument,
    own_bars: BarsInput,
    universe: Universe | None,
    *,
    timeframe: str,
    session_name: str | None,
    context: Callable[[Instrument, str], EvalContext],
    bounds: tuple[date | None, date | None] = (None, None),
) -> pl.LazyFrame:
    """``frame`` (the query's bars) with one column per ``on()`` of the plan.

    ``context(instrument, bar_size)`` gives the evaluation context of a source's bars (its calendar);
    ``bounds`` the trade dates the query's own bars were cut to before building (None: all).
    """
    day_start = trading_session(instrument).start_minute

    def source_of(side: SideSeries) -> tuple[str, str]:
        return side.source.instrument.symbol, side.source.bar_size

    for _, group in groupby(sorted(series, key=source_of), key=source_of):
        members = list(group)
        source = members[0].source
        symbol = source.instrument.symbol
        if symbol == instrument.symbol:
            bars = own_bars
        elif universe is None:
            raise LookupError(f"no universe to read {symbol} from")
        else:
            bars = universe.bars(symbol)
        ctx = context(source.instrument, source.bar_size)
        side = _side_frame(source, members, bars, session_name, ctx, bounds)
        frame = _join(frame, side, source, timeframe, day_start)
    return frame
