"""Calendar flags computed from the trade date with date arithmetic (no look-ahead: the calendar is known).

Holidays: when the engine passes ``ctx.extras["calendar"]`` — an iterable of full-close dates (``datetime.date``)
or of holiday records with ``.date`` and ``.kind`` (only ``kind == "closed"`` counts), such as
``shared.market.holidays.Holiday`` — a flag that falls on a closed day moves to the previous trading day (monthly
options expiring on a Good Friday expire the Thursday before) and month boundaries skip closed days. Without it,
only weekends are skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from functools import lru_cache

import polars as pl

from shared.market import Holiday
from shared.script.declarations import Category, EvalContext, FunctionSpec
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


_DayRule = Callable[[date, frozenset[date]], date]
"""The flagged day of the month that starts on the given date, with the closed days of the calendar."""


def _expiration(first: date, closed: frozenset[date]) -> date:
    return _trading_day_on_or_before(_third_friday(first), closed)


def _first_trading_day(first: date, closed: frozenset[date]) -> date:
    return _trading_day_on_or_after(first, closed)


def _last_trading_day(first: date, closed: frozenset[date]) -> date:
    return _trading_day_on_or_before(_last_day(first), closed)


@lru_cache(maxsize=16)
def _special_days(rule: _DayRule, quarterly: bool, closed: frozenset[date]) -> pl.Series:
    """The day ``rule`` picks in every month over the years 1900–2100 (if ``quarterly``, in March, June,
    September and December only)."""
    months = (first for first in _month_starts() if not quarterly or first.month % 3 == 0)
    return pl.Series([rule(first, closed) for first in months], dtype=pl.Date)


def _calendar_flag(name: str, rule: _DayRule, description: str, quarterly: bool = False) -> FunctionSpec:
    """``name()``: true on the trade dates ``rule`` picks (see :func:`_special_days`)."""

    def impl(ctx: EvalContext) -> pl.Expr:
        days = _special_days(rule, quarterly, _closed_days(ctx))
        return require_date(ctx.date_col, name).cast(pl.Date).is_in(days.implode())

    return category.function(name=name, description=description, example=f"{name}()", returns="boolean")(impl)


is_opex = _calendar_flag(
    "is_opex",
    _expiration,
    "Monthly options expiration day: the third Friday of the month (the trading day before it when "
    "that Friday is a holiday).",
)
is_quad_witching = _calendar_flag(
    "is_quad_witching",
    _expiration,
    "Quarterly expiration (quad witching): the opex day of March, June, September and December.",
    quarterly=True,
)
is_month_start = _calendar_flag(
    "is_month_start",
    _first_trading_day,
    "First trading day of the month (weekends and known holidays skipped).",
)
is_month_end = _calendar_flag(
    "is_month_end", _last_trading_day, "Last trading day of the month (weekends and known holidays skipped)."
)
is_quarter_end = _calendar_flag(
    "is_quarter_end",
    _last_trading_day,
    "Last trading day of March, June, September or December.",
    quarterly=True,
)
