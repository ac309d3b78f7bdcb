"""The ``period`` field: parsing, checking and turning it into a filter on trade dates."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

import polars as pl

_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_LAST_N = re.compile(r"^last_(\d+)$")
_RELATIVE = {"last_year": "-1y", "last_month": "-1mo", "last_week": "-1w"}
MAX_LAST_N = 100_000

PERIOD_FORMS = (
    "'YYYY', 'YYYY-MM', 'YYYY-MM-DD', a range 'A:B' of those with either side open ('2023:', ':2024-06'), "
    "'last_year', 'last_month', 'last_week' or 'last_N' (the last N trading days, e.g. 'last_20')"
)


@dataclass(frozen=True)
class Period:
    """A parsed period: a closed date range (either side open), a relative span, or the last N trade dates."""

    start: date | None = None
    end: date | None = None
    relative: str | None = None
    """A Polars duration such as ``-1y`` counted back from the last trade date in the data."""
    last_n: int | None = None

    def mask(self, date_col: str = "date") -> pl.Expr:
        """A boolean expression selecting the bars inside the period (evaluated on the bar frame)."""
        col = pl.col(date_col)
        if self.last_n is not None:
            return col >= col.unique().sort().tail(self.last_n).min()
        if self.relative is not None:
            return col > col.max().dt.offset_by(self.relative)
        cond = pl.lit(True)
        if self.start is not None:
            cond = cond & (col >= pl.lit(self.start))
        if self.end is not None:
            cond = cond & (col <= pl.lit(self.end))
        return cond


def parse_date_bound(text: str, *, end: bool) -> date:
    """``YYYY``/``YYYY-MM``/``YYYY-MM-DD`` → the first (or, with ``end``, the last) day it covers.

    Raises ``ValueError`` with a readable message for a malformed or impossible date.
    """
    match = _DATE.match(text.strip())
    if not match:
        raise ValueError(f"'{text}' is not a date; use YYYY, YYYY-MM or YYYY-MM-DD")
    year = int(match.group(1))
    month_text, day_text = match.group(2), match.group(3)
    if month_text is None:
        return date(year, 12, 31) if end else date(year, 1, 1)
    month = int(month_text)
    if not 1 <= month <= 12:
        raise ValueError(f"'{text}' has month {month}; months are 01…12")
    last_day = calendar.monthrange(year, month)[1]
    if day_text is None:
        return date(year, month, last_day if end else 1)
    day = int(day_text)
    if not 1 <= day <= last_day:
        raise ValueError(
            f"'{text}' is not a real date: {calendar.month_name[month]} {year} has {last_day} days"
        )
    return date(year, month, day)


def parse_period(text: str) -> Period:
    """Parse a ``period`` value; raises ``ValueError`` with a message naming the problem."""
    value = text.strip().lower()
    if value in _RELATIVE:
        return Period(relative=_RELATIVE[value])
    match = _LAST_N.match(value)
    if match:
        n = int(match.group(1))
        if not 1 <= n <= MAX_LAST_N:
            raise ValueError(f"'{text}': N must be between 1 and {MAX_LAST_N}")
        return Period(last_n=n)
    if ":" in value:
        left, right = (part.strip() for part in value.split(":", 1))
        if not left and not right:
            raise ValueError(f"'{text}' has neither a start nor an end")
        start = parse_date_bound(left, end=False) if left else None
        stop = parse_date_bound(right, end=True) if right else None
        if start and stop and start > stop:
            raise ValueError(f"'{text}' starts after it ends")
        return Period(start=start, end=stop)
    if _DATE.match(value):
        return Period(start=parse_date_bound(value, end=False), end=parse_date_bound(value, end=True))
    raise ValueError(f"'{text}' is not a period")
