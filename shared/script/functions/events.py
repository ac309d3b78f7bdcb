"""Event days from the events calendar (``shared.market``): FOMC decisions, CPI, NFP, oil reports, OPEX, ….

The dates are the calendar's (US release days, adjusted on the US holiday calendar), placed on the instrument's
trading days: an event on a day the instrument does not trade (the Sunday FOMC decision of 2020-03-15) counts on
its next trading day, the first session that trades on it. Distances count the instrument's trading days, so they
do not depend on which bars a query kept. An event taken from a table (FOMC, bitcoin halvings) is null on trade
dates outside the years its table covers: there the answer is not known, which is not the same as "no".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
import polars as pl

from shared.market import EVENTS, Instrument, event_dates, table_years, trading_days
from shared.script.declarations import Arg, Category, EvalContext, FunctionSpec
from shared.script.functions._shared import require_date

category = Category("events", "Event days (known in advance: the events calendar)", known_in_advance=True)

_SPAN = (date(1970, 1, 1), date(2060, 12, 31))
"""The dates rules are computed over: every year bar data can cover."""
_US_CALENDAR = "CME"
"""The trading calendar when the engine names no instrument (the one the events calendar adjusts dates on)."""

_USABLE = tuple(sorted(event.id for event in EVENTS.values() if event.computable))
_REFUSED = tuple(
    (event.id, f"has no computable dates (its schedule: {event.schedule})")
    for event in EVENTS.values()
    if not event.computable
)


def _label(event_id: str) -> str:
    years = table_years(event_id)
    if years is not None:
        return f"{event_id} ({years[0]}–{years[-1]})"
    return f"{event_id}~" if EVENTS[event_id].approximate else event_id


COVERAGE = (
    f"Events: {', '.join(_label(e) for e in _USABLE)}. ~ = rule of thumb, may be a day or two off; (years) = "
    "table, null outside them; others exact. An event on a closed day counts on the next trading day."
)
"""What the event functions cover, in every one of their descriptions."""


def _event() -> Arg:
    return Arg("event", "string", choices=_USABLE, refused=_REFUSED)


@dataclass(frozen=True)
class _EventDays:
    """One event on one trading calendar, as day numbers (days since 1970-01-01)."""

    trading: np.ndarray
    """The calendar's trading days, sorted."""
    positions: np.ndarray
    """Indexes into ``trading`` of the event's trade dates, sorted and unique."""
    first: int
    last: int
    """The days the dates are known for (a table's years; the whole span for a rule)."""


def _day_numbers(days: Sequence[date]) -> np.ndarray:
    return np.array(days, dtype="datetime64[D]").astype(np.int64)


@lru_cache(maxsize=8)
def _trading(calendar: str) -> np.ndarray:
    return _day_numbers(trading_days(calendar, *_SPAN))


@lru_cache(maxsize=64)
def _event_days(event_id: str, calendar: str) -> _EventDays:
    trading = _trading(calendar)
    raw = _day_numbers(event_dates(event_id, *_SPAN))
    positions = np.unique(np.searchsorted(trading, raw, side="left"))
    years = table_years(event_id)
    known = (_SPAN[0], _SPAN[1]) if years is None else (date(years[0], 1, 1), date(years[-1], 12, 31))
    first, last = (int(n) for n in _day_numbers(known))
    return _EventDays(trading, positions[positions < len(trading)], first, last)


def _days_of(ctx: EvalContext, event_id: str) -> _EventDays:
    instrument = ctx.extras.get("instrument")
    calendar = instrument.calendar if isinstance(instrument, Instrument) else _US_CALENDAR
    return _event_days(event_id.strip().lower(), calendar)


def _known(ctx: EvalContext, name: str, event: _EventDays) -> tuple[pl.Expr, pl.Expr]:
    """The frame's trade date as a day number, and whether the event's dates are known on it."""
    day = require_date(ctx.date_col, name).cast(pl.Date).cast(pl.Int64)
    return day, day.is_between(event.first, event.last)


Counter = Callable[["_EventDays", np.ndarray], np.ndarray]
"""Trading days from each date (day numbers) to the event, NaN where there is none."""


def _since(event: _EventDays, days: np.ndarray) -> np.ndarray:
    # The last trading day on or before each date, and the last event on or before that.
    index = np.searchsorted(event.trading, days, side="right") - 1
    previous = np.searchsorted(event.positions, index, side="right") - 1
    found = previous >= 0
    return np.where(found, index - event.positions[np.where(found, previous, 0)], np.nan)


def _until(event: _EventDays, days: np.ndarray) -> np.ndarray:
    # The first trading day on or after each date, and the first event on or after that.
    index = np.searchsorted(event.trading, days, side="left")
    following = np.searchsorted(event.positions, index, side="left")
    found = following < len(event.positions)
    last = max(len(event.positions) - 1, 0)
    return np.where(found, event.positions[np.minimum(following, last)] - index, np.nan)


@category.function(
    args=(_event(),),
    description=f"True on the event's trade dates, e.g. is_event('fomc') on FOMC decision days. {COVERAGE}",
    example="is_event('fomc')",
    returns="boolean",
)
def is_event(ctx: EvalContext, event_id: str) -> pl.Expr:
    event = _days_of(ctx, event_id)
    day, known = _known(ctx, "is_event", event)
    dates = pl.Series(event.trading[event.positions], dtype=pl.Int64)
    return pl.when(known).then(day.is_in(dates.implode()))


def _distance(name: str, count: Counter, description: str, example: str) -> FunctionSpec:
    """Declare ``name(event)``: trading days between each trade date and the event, by ``count``."""

    def impl(ctx: EvalContext, event_id: str) -> pl.Expr:
        event = _days_of(ctx, event_id)
        day, known = _known(ctx, name, event)

        def run(columns: Sequence[pl.Series]) -> pl.Series:
            days = columns[0].fill_null(0).to_numpy()
            return pl.Series(count(event, days), dtype=pl.Float64, nan_to_null=True)

        counted = pl.map_batches([day], run, return_dtype=pl.Float64, is_elementwise=True)
        return pl.when(known).then(counted.cast(pl.Int64))

    return category.function(
        name=name,
        args=(_event(),),
        description=f"{description} {COVERAGE}",
        example=example,
        returns="integer",
    )(impl)


days_to_event = _distance(
    "days_to_event",
    _until,
    "Trading days until the event's next trade date (0 on the day, 1 the day before); null when no later date "
    "is known.",
    "days_to_event('cpi')",
)
days_since_event = _distance(
    "days_since_event",
    _since,
    "Trading days since the event's last trade date (0 on the day, 1 the day after); null before the first "
    "known date.",
    "days_since_event('fomc')",
)
