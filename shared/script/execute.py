"""Running a validated plan over bars, in the fixed order of the language.

``session → from (build bars) → map → period → where → group_by + select → sort → limit → columns``

``map`` (and ``where``) see the history before the period, as a chart does: they are computed over every bar
and the period is applied afterwards, so ``rsi(close, 14)`` or ``prev(close)`` on the first bar of a period equal
their full-history values. When every function a step uses is row-wise or works within one trade date
(core, time, calendar, event and session functions, aggregates), the period is applied first instead: the result
is the same and far fewer bars are read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import polars as pl

from shared.market import Holiday, Instrument, holidays, is_intraday
from shared.script.align import is_local, join_series
from shared.script.bars import BarRequest, BarsInput, anchor_session, build_bars
from shared.script.compile import Compiler
from shared.script.declarations import EvalContext
from shared.script.plan import Plan, StepPlan
from shared.script.universe import Universe
from shared.script.validate import sort_column

_IN_PERIOD = "__in_period"
_CALENDAR_YEARS = (1970, 2060)
_KEEP = "__keep"


@dataclass
class StepOutput:
    """What one step produced."""

    frame: pl.DataFrame
    fed: pl.DataFrame | None = None
    """The rows that fed the aggregates (after ``where``), when asked for."""


@dataclass
class Execution:
    """The final frame plus what the result metadata reports."""

    frame: pl.DataFrame
    source: str
    rows_scanned: int
    instruments: tuple[str, ...]
    """The query's instrument, then the others it read (``on()``)."""
    period: tuple[str, str] | None
    fed: pl.DataFrame | None = None
    map_columns: list[str] = field(default_factory=list)
    group_keys: list[str] = field(default_factory=list)


def _is_local(step: StepPlan) -> bool:
    trees = [tree for _, tree in step.map] + ([step.where] if step.where is not None else [])
    return all(is_local(tree) for tree in trees)


def _dtype_of(frame: pl.LazyFrame) -> Callable[[pl.Expr], pl.DataType]:
    def dtype_of(expr: pl.Expr) -> pl.DataType:
        return frame.select(expr.alias("__probe")).collect_schema()["__probe"]

    return dtype_of


@lru_cache(maxsize=16)
def _calendar(calendar: str) -> tuple[Holiday, ...]:
    """The exchange's holidays and early closes over every year bar data can cover (for calendar functions)."""
    return tuple(
        h for year in range(_CALENDAR_YEARS[0], _CALENDAR_YEARS[1] + 1) for h in holidays(calendar, year)
    )


def _bars_context(instrument: Instrument, bar_size: str) -> EvalContext:
    """The context of an expression over ``instrument``'s bars of ``bar_size``."""
    extras = {"calendar": _calendar(instrument.calendar), "instrument": instrument}
    return EvalContext(timeframe=bar_size, intraday=is_intraday(bar_size), extras=extras)


def _context(plan: Plan, step: StepPlan, instrument: Instrument) -> EvalContext:
    if step.first:
        return _bars_context(instrument, plan.timeframe)
    extras = {"calendar": _calendar(instrument.calendar), "instrument": instrument}
    date_col = next((name for name, info in step.inputs.items() if info.type == "date"), None)
    keys = (date_col,) if date_col else ()
    return EvalContext(timeframe="step", intraday=False, session_keys=keys, date_col=date_col, extras=extras)


def _apply_map(frame: pl.LazyFrame, step: StepPlan, ctx: EvalContext, mask: pl.Expr | None) -> pl.LazyFrame:
    for name, tree in step.map:
        compiler = Compiler(ctx, _dtype_of(frame), mask=mask)
        frame = frame.with_columns(compiler.compile(tree).alias(name))
    return frame


def _where(frame: pl.LazyFrame, step: StepPlan, ctx: EvalContext, mask: pl.Expr | None) -> pl.Expr:
    if step.where is None:
        return pl.lit(True)
    expr = Compiler(ctx, _dtype_of(frame), mask=mask).compile(step.where)
    return expr.fill_null(False)


def _aggregate(frame: pl.DataFrame, plan: Plan, step: StepPlan, ctx: EvalContext) -> pl.DataFrame:
    lazy = frame.lazy()
    compiler = Compiler(ctx, _dtype_of(lazy))
    exprs = [compiler.compile(tree).alias(name) for name, tree in step.select]
    if step.step.group_by:
        keys = list(step.step.group_by)
        out = lazy.group_by(keys).agg(exprs).sort(keys, nulls_last=True)
    else:
        out = lazy.select(exprs)
    return out.collect()


def _sort_limit(frame: pl.DataFrame, step: StepPlan) -> pl.DataFrame:
    if step.step.sort:
        cols = [sort_column(c, step.outputs) or c for c, _ in step.step.sort]
        frame = frame.sort(
            cols, descending=[d for _, d in step.step.sort], nulls_last=True, maintain_order=True
        )
    if step.step.limit is not None:
        frame = frame.head(step.step.limit)
    return frame


def _with_time(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Add the ``time`` column (bar open, display time) next to ``minute``, which functions read."""
    nanos = pl.col("minute").cast(pl.Int64) * 60_000_000_000
    return frame.with_columns(nanos.cast(pl.Time).alias("time"))


def _public(frame: pl.DataFrame, plan: Plan) -> pl.DataFrame:
    """The frame without the engine's working columns (``on()`` values are reached through ``map``)."""
    hidden = {"minute", *(side.column for side in plan.series)}
    return frame.drop([c for c in frame.columns if c in hidden or c.startswith("__")])


def _first_step(
    plan: Plan, instrument: Instrument, bars: BarsInput, universe: Universe | None, explain: bool
) -> tuple[StepOutput, dict[str, Any]]:
    step = plan.steps[0]
    ctx = _context(plan, step, instrument)
    local = _is_local(step)
    period = plan.period
    absolute = period is not None and period.last_n is None and period.relative is None
    early_dates = local and absolute and (plan.intraday or plan.timeframe == "daily")
    request = BarRequest(
        timeframe=plan.timeframe,
        session=plan.session,
        full_session=plan.full_session,
        anchor=anchor_session(instrument),
        start=period.start if early_dates and period else None,
        end=period.end if early_dates and period else None,
    )
    frame, source = build_bars(bars, request)
    if plan.series:
        frame = join_series(
            frame,
            plan.series,
            instrument,
            bars,
            universe,
            timeframe=plan.timeframe,
            session_name=plan.session_name,
            context=_bars_context,
            bounds=(request.start, request.end),
        )
    mask = None
    if period is not None and local:
        frame = frame.filter(period.mask())
    elif period is not None:
        frame = frame.with_columns(period.mask().alias(_IN_PERIOD))
        mask = pl.col(_IN_PERIOD)
    frame = _apply_map(frame, step, ctx, mask)
    frame = frame.with_columns(_where(frame, step, ctx, mask).alias(_KEEP))
    if mask is not None:
        frame = frame.filter(mask).drop(_IN_PERIOD)
    if plan.intraday:
        frame = _with_time(frame)
    stats_query = frame.select(
        pl.len().alias("n"), pl.col("date").min().alias("lo"), pl.col("date").max().alias("hi")
    )
    base, stats = pl.collect_all([frame, stats_query])
    kept = base.filter(pl.col(_KEEP)).drop(_KEEP)
    row = stats.row(0, named=True)
    meta = {
        "source": source,
        "rows_scanned": int(row["n"]),
        "period": None if row["lo"] is None else (row["lo"].isoformat(), row["hi"].isoformat()),
    }
    return _finish(plan, step, ctx, kept, explain), meta


def _finish(plan: Plan, step: StepPlan, ctx: EvalContext, kept: pl.DataFrame, explain: bool) -> StepOutput:
    if step.select:
        out = _aggregate(kept, plan, step, ctx)
        return StepOutput(_sort_limit(out, step), fed=_public(kept, plan) if explain else None)
    return StepOutput(_sort_limit(_public(kept, plan), step))


def _later_step(
    plan: Plan, step: StepPlan, instrument: Instrument, frame: pl.DataFrame, explain: bool
) -> StepOutput:
    ctx = _context(plan, step, instrument)
    lazy = _apply_map(frame.lazy(), step, ctx, None)
    kept = lazy.filter(_where(lazy, step, ctx, None)).collect()
    return _finish(plan, step, ctx, kept, explain)


def execute(
    plan: Plan,
    instrument: Instrument,
    bars: BarsInput,
    *,
    explain: bool = False,
    universe: Universe | None = None,
) -> Execution:
    """Run every step of ``plan``; raises Polars errors as they come (the caller wraps them).

    ``universe`` gives the bars of the other instruments the plan's ``on()`` values read.
    """
    output, meta = _first_step(plan, instrument, bars, universe, explain and len(plan.steps) == 1)
    for i, step in enumerate(plan.steps[1:], start=1):
        output = _later_step(plan, step, instrument, output.frame, explain and i == len(plan.steps) - 1)
    last = plan.steps[-1]
    frame = output.frame
    if last.step.columns is not None:
        frame = frame.select(list(last.step.columns))
    return Execution(
        frame=frame,
        source=meta["source"],
        rows_scanned=meta["rows_scanned"],
        instruments=plan.instruments(instrument.symbol),
        period=meta["period"],
        fed=output.fed,
        map_columns=[name for name, _ in last.map if name in frame.columns],
        group_keys=[key for key in last.step.group_by if key in frame.columns],
    )
