"""Calendar flags computed from the trade date with date arithmetic (no look-ahead: the calendar is known).

Holidays: when the engine passes ``ctx.extras["calendar"]`` — an iterable of full-close dates (``datetime.date``)
or of holiday records with ``.date`` and ``.kind`` (only ``kind == "closed"`` counts), such as
``shared.market.holidays.Holiday`` — a flag that falls on a closed day moves to the previous trading day (monthly
options expiring on a Good Friday expire the Thursday before) and month boundaries skip closed days. Without it,
only weekends are skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

import polars as pl

from shared.market import Holiday
from shared.script.declarations import Category, EvalContext
from shared.script.functions._shared import require_date

category = Category("calendar", "Calendar", known_in_advance=True)

_YEARS = range(1900, 2101)
_FRIDAY = 4


def _closed_days(ctx: EvalContext) -> frozenset[date]:
    entries: Iterable[Holiday | date] = ctx.extras.get("calendar") or ()
    closed: set[date] = set()
    for entry in entries:
        if isinstance(entry, Holiday):
            if entry.kind == "closed":
                closed.add(entry.date)
        else:
            closed.add(entry)
    return frozenset(closed)


def _trading_day_on_or_before(day: date, closed: frozenset[date]) -> date:
    while day.weekday() >= 5 or day in closed:
        day -= timedelta(days=1)
    return day


def _trading_day_on_or_after(day: date, closed: frozenset[date]) -> date:
    while day.weekday() >= 5 or day in closed:
        day += timedelta(days=1)
    return day


def _month_starts() -> Iterable[date]:
    return (date(year, month, 1) for year in _YEARS for month in range(1, 13))


def _last_day(first: date) -> date:
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return following - timedelta(days=1)


def _third_friday(first: date) -> date:
    return first + timedelta(days=(_FRIDAY - first.weekday()) % 7 + 14)


@lru_cache(maxsize=16)
def _special_days(kind: str, closed: frozenset[date]) -> pl.Series:
    """Every date of ``kind`` over the years 1900–2100."""
    if kind == "opex":
        days = [_trading_day_on_or_before(_third_friday(m), closed) for m in _month_starts()]
    elif kind == "quad_witching":
        days = [
            _trading_day_on_or_before(_third_friday(m), closed) for m in _month_starts() if m.month % 3 == 0
        ]
    elif kind == "month_start":
        days = [_trading_day_on_or_after(m, closed) for m in _month_starts()]
    elif kind == "month_end":
        days = [_trading_day_on_or_before(_last_day(m), closed) for m in _month_starts()]
    elif kind == "quarter_end":
        days = [_trading_day_on_or_before(_last_day(m), closed) for m in _month_starts() if m.month % 3 == 0]
    else:
        raise ValueError(f"unknown calendar flag {kind!r}")
    return pl.Series(days, dtype=pl.Date)


def _flag(ctx: EvalContext, kind: str, name: str) -> pl.Expr:
    return (
        require_date(ctx.date_col, name).cast(pl.Date).is_in(_special_days(kind, _closed_days(ctx)).implode())
    )


@category.function(
    description="Monthly options expiration day: the third Friday of the month (the trading day before it when "
    "that Friday is a holiday).",
    example="is_opex()",
    returns="boolean",
)
def is_opex(ctx: EvalContext) -> pl.Expr:
    return _flag(ctx, "opex", "is_opex")


@category.function(
    description="Quarterly expiration (quad witching): the opex day of March, June, September and December.",
    example="is_quad_witching()",
    returns="boolean",
)
def is_quad_witching(ctx: EvalContext) -> pl.Expr:
    return _flag(ctx, "quad_witching", "is_quad_witching")


@category.function(
    description="First trading day of the month (weekends and known holidays skipped).",
    example="is_month_start()",
    returns="boolean",
)
def is_month_start(ctx: EvalContext) -> pl.Expr:
    return _flag(ctx, "month_start", "is_month_start")


@category.function(
    description="Last trading day of the month (weekends and known holidays skipped).",
    example="is_month_end()",
    returns="boolean",
)
def is_month_end(ctx: EvalContext) -> pl.Expr:
    return _flag(ctx, "month_end", "is_month_end")


@category.function(
    description="Last trading day of March, June, September or December.",
    example="is_quarter_end()",
    returns="boolean",
)
def is_quarter_end(ctx: EvalContext) -> pl.Expr:
    return _flag(ctx, "quarter_end", "is_quarter_end")
