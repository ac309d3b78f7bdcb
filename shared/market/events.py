"""Scheduled market events (macro releases, oil reports, options expirations) and their dates.

Dates come from rules, or from tables where no rule exists (FOMC decisions, kept in ``fomc.txt``; bitcoin
halvings); a table is complete for its years only (:func:`table_years`). Holiday adjustments use the CME
equity-index calendar (``CME_EQUITY``), which closes on the federal holidays and the national days of mourning
that move these releases and the equity options expirations.
Events marked ``approximate`` follow a rule of thumb and can be a day or two off the official release.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from importlib import resources
from typing import Literal, NamedTuple

from pydantic import BaseModel

from shared.market.calendar import is_trading_day, next_trading_day, previous_trading_day
from shared.market.holidays import easter_sunday, nth_weekday
from shared.market.instruments import Instrument

EventGroup = Literal["macro", "oil", "crypto", "options", "stocks", "calendar"]
Impact = Literal["high", "medium", "low"]

_US = "CME_EQUITY"
# Every instrument sees these groups in addition to its own ``events``.
ALWAYS_GROUPS: tuple[EventGroup, ...] = ("calendar",)


class MarketEvent(BaseModel, frozen=True):
    """An event type. ``time`` is the usual release time in America/New_York, when there is one."""

    id: str
    name: str
    group: EventGroup
    impact: Impact
    schedule: str
    time: str | None = None
    computable: bool = False
    approximate: bool = False


class EventOccurrence(NamedTuple):
    """One dated occurrence of an event."""

    date: date
    event: MarketEvent


def _read_fomc_table() -> tuple[date, ...]:
    """The FOMC decisions of ``fomc.txt`` (a data file beside this module: the table is data, not code)."""
    text = resources.files(__package__).joinpath("fomc.txt").read_text(encoding="utf-8")
    rows = (line.split() for line in text.splitlines() if line.strip() and not line.startswith("#"))
    return tuple(date.fromisoformat(f"{year}-{day}") for year, *days in rows for day in days)


class _Table(NamedTuple):
    """Dates listed by hand, and the years the list is complete for (outside them the dates are unknown)."""

    dates: tuple[date, ...]
    years: range


_FOMC = _read_fomc_table()
FOMC_YEARS = range(min(_FOMC).year, max(_FOMC).year + 1)

_TABLES: dict[str, _Table] = {
    "fomc": _Table(_FOMC, FOMC_YEARS),
    # From bitcoin's first block (2009) to the year before the next halving, due in 2028.
    "btc_halving": _Table(
        (date(2012, 11, 28), date(2016, 7, 9), date(2020, 5, 11), date(2024, 4, 20)), range(2009, 2028)
    ),
}


def _months(start: date, end: date) -> Iterator[tuple[int, int]]:
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _weekdays(start: date, end: date, weekday: int) -> Iterator[date]:
    day = start + timedelta(days=(weekday - start.weekday()) % 7)
    while day <= end:
        yield day
        day += timedelta(days=7)


def _on_or_before_trading_day(day: date) -> date:
    return day if is_trading_day(_US, day) else previous_trading_day(_US, day)


def opex_date(year: int, month: int) -> date:
    """Monthly equity options expiration: the third Friday, or the trading day before when it is a holiday."""
    return _on_or_before_trading_day(nth_weekday(year, month, 4, 3))


def vix_expiration_date(year: int, month: int) -> date:
    """VIX expiration of ``month``: 30 days before the next month's SPX expiration (itself holiday-adjusted),
    moved to the trading day before when that Wednesday is a holiday."""
    next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
    return _on_or_before_trading_day(opex_date(next_year, next_month) - timedelta(days=30))


def nfp_date(year: int, month: int) -> date:
    """Employment report: the first Friday of the month (approximate).

    A first Friday on New Year's Day moves to the next Friday; one on another federal holiday (July 3 observed)
    moves to the Thursday before. BLS occasionally picks the second Friday when the first comes too early.
    """
    first_friday = nth_weekday(year, month, 4, 1)
    if first_friday == date(year, 1, 1):
        return first_friday + timedelta(days=7)
    return _on_or_before_trading_day(first_friday) if _federal_holiday(first_friday) else first_friday


def _federal_holiday(day: date) -> bool:
    # Good Friday closes the markets but not the federal government: releases still come out.
    return not is_trading_day(_US, day) and day.weekday() < 5 and day != _good_friday(day.year)


def _good_friday(year: int) -> date:
    return easter_sunday(year) - timedelta(days=2)


def cpi_date(year: int, month: int) -> date:
    """CPI release, approximated as the Wednesday of the (Monday-based) week containing the 13th."""
    thirteenth = date(year, month, 13)
    return thirteenth + timedelta(days=2 - thirteenth.weekday())


def month_end_date(year: int, month: int) -> date:
    """The last trading day of the month."""
    last = date(year, month, _stdlib_calendar.monthrange(year, month)[1])
    return _on_or_before_trading_day(last)


def _nth_business_day(year: int, month: int, n: int) -> date:
    day = next_trading_day(_US, date(year, month, 1))
    for _ in range(n - 1):
        day = next_trading_day(_US, day + timedelta(days=1))
    return day


def _monthly(
    rule: Callable[[int, int], date], months: tuple[int, ...] | None = None
) -> Callable[[date, date], list[date]]:
    def dates(start: date, end: date) -> list[date]:
        found = (rule(y, m) for y, m in _months(start, end) if months is None or m in months)
        return [d for d in found if start <= d <= end]

    return dates


def _weekly(weekday: int, shift_on_holiday_week: bool) -> Callable[[date, date], list[date]]:
    """Weekly releases; a federal holiday earlier in the same week (or on the day) pushes them one day later."""

    def dates(start: date, end: date) -> list[date]:
        result = []
        # Start a day early: a release shifted by a holiday can move into the range.
        for day in _weekdays(start - timedelta(days=1), end, weekday):
            monday = day - timedelta(days=day.weekday())
            week = [monday + timedelta(days=i) for i in range(day.weekday() + 1)]
            if shift_on_holiday_week and any(_federal_holiday(d) for d in week):
                day += timedelta(days=1)
            elif not shift_on_holiday_week and _federal_holiday(day):
                day = _on_or_before_trading_day(day)
            if start <= day <= end:
                result.append(day)
        return result

    return dates


def _from_table(event_id: str) -> Callable[[date, date], list[date]]:
    def dates(start: date, end: date) -> list[date]:
        return [d for d in _TABLES[event_id].dates if start <= d <= end]

    return dates


_RULES: dict[str, Callable[[date, date], list[date]]] = {
    "fomc": _from_table("fomc"),
    "nfp": _monthly(nfp_date),
    "cpi": _monthly(cpi_date),
    "jobless_claims": _weekly(3, shift_on_holiday_week=False),
    "ism_manufacturing": _monthly(lambda y, m: _nth_business_day(y, m, 1)),
    "ism_services": _monthly(lambda y, m: _nth_business_day(y, m, 3)),
    "eia_crude": _weekly(2, shift_on_holiday_week=True),
    "api_crude": _weekly(1, shift_on_holiday_week=True),
    "baker_hughes": _weekly(4, shift_on_holiday_week=False),
    "btc_halving": _from_table("btc_halving"),
    "opex": _monthly(opex_date),
    "quad_witching": _monthly(opex_date, months=(3, 6, 9, 12)),
    "vix_expiration": _monthly(vix_expiration_date),
    "month_end": _monthly(month_end_date),
}
_APPROXIMATE = {"nfp", "cpi", "eia_crude", "api_crude", "baker_hughes", "ism_services"}

# (id, name, group, impact, schedule, time)
_DEFINITIONS: tuple[tuple[str, str, EventGroup, Impact, str, str | None], ...] = (
    ("fomc", "FOMC Rate Decision", "macro", "high", "8x/year (table)", "14:00"),
    ("nfp", "Non-Farm Payrolls", "macro", "high", "1st Friday", "08:30"),
    ("cpi", "CPI", "macro", "high", "monthly, mid-month", "08:30"),
    ("pce", "PCE Price Index", "macro", "high", "monthly, month-end", "08:30"),
    ("ppi", "PPI", "macro", "medium", "monthly", "08:30"),
    ("gdp", "GDP", "macro", "medium", "quarterly", "08:30"),
    ("retail_sales", "Retail Sales", "macro", "medium", "monthly", "08:30"),
    ("ism_manufacturing", "ISM Manufacturing PMI", "macro", "medium", "1st business day", "10:00"),
    ("ism_services", "ISM Services PMI", "macro", "medium", "3rd business day", "10:00"),
    ("consumer_confidence", "Consumer Confidence", "macro", "medium", "last Tuesday", "10:00"),
    ("michigan_sentiment", "Michigan Sentiment", "macro", "medium", "monthly", "10:00"),
    ("durable_goods", "Durable Goods Orders", "macro", "medium", "monthly", "08:30"),
    ("jobless_claims", "Initial Jobless Claims", "macro", "low", "Thursday", "08:30"),
    ("industrial_production", "Industrial Production", "macro", "low", "monthly", "09:15"),
    ("eia_crude", "EIA Crude Inventories", "oil", "high", "Wednesday", "10:30"),
    ("opec", "OPEC Meeting", "oil", "high", "~6x/year", None),
    ("api_crude", "API Crude Stock", "oil", "medium", "Tuesday", "16:30"),
    ("baker_hughes", "Baker Hughes Rig Count", "oil", "low", "Friday", "13:00"),
    ("btc_halving", "Bitcoin Halving", "crypto", "high", "~4 years (table)", None),
    ("etf_flows", "Bitcoin ETF Flows", "crypto", "medium", "daily", "16:00"),
    ("token_unlocks", "Token Unlocks", "crypto", "medium", "varies", None),
    ("earnings", "Earnings", "stocks", "high", "quarterly", None),
    ("dividends_ex", "Ex-Dividend", "stocks", "medium", "varies", None),
    ("index_rebalance", "Index Rebalance", "stocks", "medium", "varies", None),
    ("quad_witching", "Quad Witching", "options", "high", "3rd Friday of Mar/Jun/Sep/Dec", "16:00"),
    ("opex", "Options Expiration", "options", "medium", "3rd Friday", "16:00"),
    (
        "vix_expiration",
        "VIX Expiration",
        "options",
        "medium",
        "Wednesday 30 days before next SPX opex",
        "09:00",
    ),
    ("month_end", "Month End", "calendar", "low", "last trading day of the month", None),
)

EVENTS: dict[str, MarketEvent] = {
    row[0]: MarketEvent(
        id=row[0],
        name=row[1],
        group=row[2],
        impact=row[3],
        schedule=row[4],
        time=row[5],
        computable=row[0] in _RULES,
        approximate=row[0] in _APPROXIMATE,
    )
    for row in _DEFINITIONS
}


def get_event(event_id: str) -> MarketEvent | None:
    """The event with this id (case-insensitive), or None."""
    return EVENTS.get(event_id.strip().lower())


def events_for_instrument(instrument: Instrument) -> list[MarketEvent]:
    """Events relevant to ``instrument``: its event groups plus the groups every instrument sees."""
    groups = set(instrument.events) | set(ALWAYS_GROUPS)
    return [e for e in EVENTS.values() if e.group in groups]


def event_dates(event_id: str, start: date, end: date) -> list[date]:
    """Dates of ``event_id`` from ``start`` to ``end`` inclusive, sorted.

    Raises ValueError for an unknown id or an event without computable dates (e.g. ``earnings``). FOMC dates are
    known only for the years of the table (``FOMC_YEARS``).
    """
    event = get_event(event_id)
    if event is None:
        raise ValueError(f"unknown event {event_id!r}; known: {', '.join(sorted(EVENTS))}")
    if not event.computable:
        raise ValueError(f"event {event.id!r} has no computable dates ({event.schedule})")
    return sorted(_RULES[event.id](start, end))


def table_years(event_id: str) -> range | None:
    """The years a table event's dates are complete for (``fomc``: ``FOMC_YEARS``); None for an event
    computed by a rule, which covers every year."""
    table = _TABLES.get(event_id.strip().lower())
    return table.years if table else None


def upcoming_events(instrument: Instrument, today: date, days: int = 14) -> list[EventOccurrence]:
    """Computable events for ``instrument`` from ``today`` through ``today + days``, by date then impact."""
    end = today + timedelta(days=days)
    rank = {"high": 0, "medium": 1, "low": 2}
    found = [
        EventOccurrence(d, e)
        for e in events_for_instrument(instrument)
        if e.computable
        for d in event_dates(e.id, today, end)
    ]
    return sorted(found, key=lambda o: (o.date, rank[o.event.impact], o.event.id))
