"""Calendar parts of the trade date and the time of day of intraday bars.

Date parts read the frame's date column (``ctx.date_col``: the trade date in the first step, the first date-typed
column in later steps), so a Sunday-evening CME bar is Monday. Time-of-day parts read ``minute`` (minutes since
midnight in the display time zone, bar open): they are declared ``intraday`` (an error on daily and longer bars, and
in later steps) and are null if evaluated there anyway.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from shared.script.declarations import Category, EvalContext, FunctionSpec
from shared.script.functions._shared import missing, require_date

category = Category("time", "Time (trade date: a Sunday evening is Monday)", known_in_advance=True)


def _date_part(
    name: str, part: Callable[[pl.Expr], pl.Expr], description: str, **declaration: Any
) -> FunctionSpec:
    """A whole-number part of the trade date (``part`` takes the date column), declared as ``name()``."""

    def impl(ctx: EvalContext) -> pl.Expr:
        return part(require_date(ctx.date_col, name)).cast(pl.Int64)

    return category.function(
        name=name, description=description, example=f"{name}()", returns="integer", **declaration
    )(impl)


year = _date_part("year", lambda d: d.dt.year(), "Year of the trade date.")
quarter = _date_part("quarter", lambda d: d.dt.quarter(), "Quarter 1–4 of the trade date.")
month = _date_part(
    "month", lambda d: d.dt.month(), "Month 1–12 of the trade date (shown as the month name).", format="month"
)
week = _date_part("week", lambda d: d.dt.week(), "ISO week number 1–53 of the trade date.")
day_of_month = _date_part(
    "day_of_month", lambda d: d.dt.day(), "Day of the month 1–31 of the trade date.", aliases=("day",)
)
dayofweek = _date_part(
    "dayofweek",
    lambda d: d.dt.weekday() - 1,
    "Weekday of the trade date, 0 = Monday … 6 = Sunday (shown as the day name).",
    format="weekday",
    synonyms=("weekday", "day_of_week"),
)


@category.function(
    description="The trade date (compare with 'YYYY-MM-DD').",
    example="date() >= '2024-03-01'",
    returns="date",
)
def date(ctx: EvalContext) -> pl.Expr:
    return require_date(ctx.date_col, "date").cast(pl.Date)


def _minute_of_day(ctx: EvalContext) -> pl.Expr | None:
    return pl.col("minute").cast(pl.Int64) if ctx.intraday else None


def _clock_part(name: str, part: Callable[[pl.Expr], pl.Expr], description: str) -> FunctionSpec:
    """A whole-number part of the bar's open time (``part`` takes the minutes since midnight)."""

    def impl(ctx: EvalContext) -> pl.Expr:
        minutes = _minute_of_day(ctx)
        return missing(pl.Int64) if minutes is None else part(minutes)

    return category.function(
        name=name, description=description, example=f"{name}()", returns="integer", intraday=True
    )(impl)


hour = _clock_part("hour", lambda m: m // 60, "Hour 0–23 of the bar's open time (display time zone).")
minute = _clock_part("minute", lambda m: m % 60, "Minute 0–59 of the bar's open time.")


@category.function(
    description="Open time of the bar, HH:MM in the display time zone (compare with 'HH:MM').",
    example="time() < '10:00'",
    returns="time",
    intraday=True,
)
def time(ctx: EvalContext) -> pl.Expr:
    minutes = _minute_of_day(ctx)
    if minutes is None:
        return missing(pl.Time)
    return (minutes * 60_000_000_000).cast(pl.Time)
