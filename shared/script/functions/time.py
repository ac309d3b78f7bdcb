"""Calendar parts of the trade date and the time of day of intraday bars.

Date parts read the frame's date column (``ctx.date_col``: the trade date in the first step, the first date-typed
column in later steps), so a Sunday-evening CME bar is Monday. Time-of-day parts read ``minute`` (minutes since
midnight in the display time zone, bar open): they are declared ``intraday`` (an error on daily and longer bars, and
in later steps) and are null if evaluated there anyway.
"""

from __future__ import annotations

import polars as pl

from shared.script.declarations import Category, EvalContext
from shared.script.functions._shared import missing, require_date

category = Category("time", "Time (trade date: a Sunday evening is Monday)")


def _minute_of_day(ctx: EvalContext) -> pl.Expr | None:
    return pl.col("minute").cast(pl.Int64) if ctx.intraday else None


@category.function(description="Year of the trade date.", example="year()", returns="integer")
def year(ctx: EvalContext) -> pl.Expr:
    return require_date(ctx.date_col, "year").dt.year().cast(pl.Int64)


@category.function(
    description="Quarter 1–4 of the trade date.",
    example="quarter()",
    returns="integer",
)
def quarter(ctx: EvalContext) -> pl.Expr:
    return require_date(ctx.date_col, "quarter").dt.quarter().cast(pl.Int64)


@category.function(
    description="Month 1–12 of the trade date (shown as the month name).",
    example="month()",
    returns="integer",
    format="month",
)
def month(ctx: EvalContext) -> pl.Expr:
    return require_date(ctx.date_col, "month").dt.month().cast(pl.Int64)


@category.function(
    description="ISO week number 1–53 of the trade date.",
    example="week()",
    returns="integer",
)
def week(ctx: EvalContext) -> pl.Expr:
    return require_date(ctx.date_col, "week").dt.week().cast(pl.Int64)


@category.function(
    description="Day of the month 1–31 of the trade date.",
    example="day_of_month()",
    returns="integer",
    aliases=("day",),
)
def day_of_month(ctx: EvalContext) -> pl.Expr:
    return require_date(ctx.date_col, "day_of_month").dt.day().cast(pl.Int64)


@category.function(
    description="Weekday of the trade date, 0 = Monday … 6 = Sunday (shown as the day name).",
    example="dayofweek()",
    returns="integer",
    format="weekday",
    synonyms=("weekday", "day_of_week"),
)
def dayofweek(ctx: EvalContext) -> pl.Expr:
    return require_date(ctx.date_col, "dayofweek").dt.weekday().cast(pl.Int64) - 1


@category.function(
    description="The trade date (compare with 'YYYY-MM-DD').",
    example="date() >= '2024-03-01'",
    returns="date",
)
def date(ctx: EvalContext) -> pl.Expr:
    return require_date(ctx.date_col, "date").cast(pl.Date)


@category.function(
    description="Hour 0–23 of the bar's open time (display time zone).",
    example="hour()",
    returns="integer",
    intraday=True,
)
def hour(ctx: EvalContext) -> pl.Expr:
    minutes = _minute_of_day(ctx)
    return missing(pl.Int64) if minutes is None else minutes // 60


@category.function(
    description="Minute 0–59 of the bar's open time.",
    example="minute()",
    returns="integer",
    intraday=True,
)
def minute(ctx: EvalContext) -> pl.Expr:
    minutes = _minute_of_day(ctx)
    return missing(pl.Int64) if minutes is None else minutes % 60


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
