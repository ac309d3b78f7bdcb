"""Holiday rules per trading calendar: full closes and early closes for a year.

Calendars:
- CME Group (CME, CBOT, NYMEX, COMEX) has one calendar per product class, because CME closes classes
  differently on the same day: ``CME_EQUITY`` (equity index), ``CME_RATES`` (Treasuries), ``CME_FX``,
  ``CME_ENERGY``, ``CME_METALS`` and ``CME_GRAINS``; ``CME`` is the group-wide calendar (crypto, and CME futures
  of any other class). All of them follow the same US holiday rules; they differ only where
  ``_CLASS_RULES`` and ``_SPECIAL_DAYS`` say so.
- ``ICEUS`` and ``NYSE`` follow the same US rules.
- ``EUREX`` and ``ICEEUR`` follow European rules.

Modelling choices (each fixes a flaw of the earlier system or states a simplification):
- A holiday is a date with no trade date. CME Globex often trades a short morning session on a Monday holiday
  (MLK, Presidents, Memorial, Juneteenth, Labor Day) and on July 4 / Thanksgiving; those trades are booked to
  the next trade date and there is no settlement on the holiday, so the holiday is ``closed`` here and
  imported bars from that morning roll to the next trading day (see ``calendar.assign_trade_date_and_minute``).
- New Year's Day on a Saturday is not observed (no close on Dec 31 of the previous year); on a Sunday it is
  observed on Monday Jan 2. Other fixed US holidays move Saturday → Friday, Sunday → Monday.
- Juneteenth is a US market holiday from 2022 only.
- Good Friday is always closed. In years when a major report came out on Good Friday CME ran an abbreviated
  interest-rate/equity (and FX) morning; it is not modelled (those bars roll to Monday).
- Early closes (US): the day after Thanksgiving and Christmas Eve when it is Monday–Thursday, and the day before
  Independence Day (Monday–Thursday) for equity index, grains, crypto, NYSE and ICE US only: CME's rates, FX,
  energy and metals trade a full day then. New Year's Eve is a full session (no early close).
- Special days (``_SPECIAL_DAYS``), as CME's notices of the time set them per class: Hurricane Sandy closed
  equity index futures on 2012-10-29/30 (they stopped at 08:15 CT) and rates closed at 11:00 CT on the 29th; the
  national day of mourning for G. H. W. Bush (2018-12-05) closed equity index (a short morning to 08:30 CT) and
  rates; the one for J. Carter (2025-01-09) closed equity index (08:30 CT) and closed rates and grains at 12:15 CT.
  Every other CME class traded normally on those days. NYSE and ICE US were shut on all four.
- Eurex: closed on New Year's Day, Good Friday, Easter Monday, Labour Day (May 1), Dec 24, 25, 26 and 31
  (weekdays; no weekend substitution). No early closes.
- ICE Futures Europe: closed on New Year's Day and Christmas Day (weekend → next weekday, as UK bank holidays)
  and Good Friday; early close on Dec 24 and Dec 31 (weekdays).

Each calendar has one early-close time (``early_close_time``); a special day may set its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal, NamedTuple
from zoneinfo import ZoneInfo

HolidayKind = Literal["closed", "early_close"]

# CME product class (an instrument's ``category``) → its calendar. Other categories use ``CME``.
CME_CLASS_CALENDARS: Mapping[str, str] = {
    "index": "CME_EQUITY",
    "treasury": "CME_RATES",
    "currency": "CME_FX",
    "energy": "CME_ENERGY",
    "metals": "CME_METALS",
    "agriculture": "CME_GRAINS",
}
CME_CALENDARS = frozenset({"CME", *CME_CLASS_CALENDARS.values()})
US_CALENDARS = CME_CALENDARS | {"ICEUS", "NYSE"}
EU_CALENDARS = frozenset({"EUREX", "ICEEUR"})
CALENDARS = US_CALENDARS | EU_CALENDARS

NEW_YORK = ZoneInfo("America/New_York")
CHICAGO = ZoneInfo("America/Chicago")
LONDON = ZoneInfo("Europe/London")


class Holiday(NamedTuple):
    """A full close (``close_time`` None) or an early close (``close_time`` in America/New_York)."""

    date: date
    name: str
    kind: HolidayKind
    close_time: time | None = None


class EarlyClose(NamedTuple):
    """An early-close time in a given zone."""

    time: time
    zone: ZoneInfo


# Early-close halts per calendar on the day after Thanksgiving, July 3 and Christmas Eve (CME's in Chicago
# time, as published in CME holiday notices). Small year-to-year variations are not modelled.
_EARLY_CLOSE = {
    "CME": EarlyClose(time(12, 15), CHICAGO),
    "CME_EQUITY": EarlyClose(time(12, 15), CHICAGO),
    "CME_FX": EarlyClose(time(12, 15), CHICAGO),
    "CME_RATES": EarlyClose(time(12, 15), CHICAGO),
    "CME_ENERGY": EarlyClose(time(12, 45), CHICAGO),
    "CME_METALS": EarlyClose(time(12, 45), CHICAGO),
    "CME_GRAINS": EarlyClose(time(12, 5), CHICAGO),
    "NYSE": EarlyClose(time(13, 0), NEW_YORK),
    # ICE US softs stop around midday on early-close days (approximation across coffee, cocoa, sugar).
    "ICEUS": EarlyClose(time(12, 0), NEW_YORK),
    "ICEEUR": EarlyClose(time(12, 30), LONDON),
}

# Calendars that close early on July 3 (Monday–Thursday). CME's rates, FX, energy and metals trade a full day.
_JULY_3_EARLY = frozenset({"CME", "CME_EQUITY", "CME_GRAINS", "NYSE", "ICEUS"})


class SpecialDay(NamedTuple):
    """A one-off day: the calendars with no trade date and those that closed early (time in Chicago)."""

    date: date
    name: str
    closed: frozenset[str]
    early: Mapping[str, time]


# The US cash venues we model were shut on every special day.
_CASH_SHUT = frozenset({"NYSE", "ICEUS"})
_SANDY = "Hurricane Sandy"
_SPECIAL_DAYS = (
    SpecialDay(date(2012, 10, 29), _SANDY, _CASH_SHUT | {"CME_EQUITY"}, {"CME_RATES": time(11, 0)}),
    SpecialDay(date(2012, 10, 30), _SANDY, _CASH_SHUT | {"CME_EQUITY"}, {}),
    SpecialDay(
        date(2018, 12, 5),
        "National Day of Mourning (George H. W. Bush)",
        _CASH_SHUT | {"CME_EQUITY", "CME_RATES"},
        {},
    ),
    SpecialDay(
        date(2025, 1, 9),
        "National Day of Mourning (Jimmy Carter)",
        _CASH_SHUT | {"CME_EQUITY"},
        {"CME_RATES": time(12, 15), "CME_GRAINS": time(12, 15)},
    ),
)


def early_close_time(calendar: str) -> EarlyClose | None:
    """The usual early-close time of ``calendar``; None if the calendar has no early closes."""
    return _EARLY_CLOSE.get(calendar.upper())


def easter_sunday(year: int) -> date:
    """Western (Gregorian) Easter Sunday, anonymous Gregorian algorithm."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The ``n``-th ``weekday`` (Monday = 0) of a month; ``n = -1`` is the last one."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _us_observed(d: date) -> date:
    """Saturday → Friday before, Sunday → Monday after."""
    if d.weekday() == 5:
        return d - timedelta(days=1)
    if d.weekday() == 6:
        return d + timedelta(days=1)
    return d


def _next_weekday(d: date) -> date:
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


def _us_holidays(calendar: str, year: int) -> list[Holiday]:
    closed: list[tuple[date, str]] = []
    new_year = date(year, 1, 1)
    # Saturday New Year is not observed: the Friday before belongs to the old year and trades normally.
    if new_year.weekday() != 5:
        closed.append((_us_observed(new_year), "New Year's Day"))
    closed += [
        (nth_weekday(year, 1, 0, 3), "Martin Luther King Jr. Day"),
        (nth_weekday(year, 2, 0, 3), "Presidents' Day"),
        (easter_sunday(year) - timedelta(days=2), "Good Friday"),
        (nth_weekday(year, 5, 0, -1), "Memorial Day"),
    ]
    if year >= 2022:
        closed.append((_us_observed(date(year, 6, 19)), "Juneteenth"))
    thanksgiving = nth_weekday(year, 11, 3, 4)
    closed += [
        (_us_observed(date(year, 7, 4)), "Independence Day"),
        (nth_weekday(year, 9, 0, 1), "Labor Day"),
        (thanksgiving, "Thanksgiving Day"),
        (_us_observed(date(year, 12, 25)), "Christmas Day"),
    ]
    early: list[tuple[date, str]] = [(thanksgiving + timedelta(days=1), "Day after Thanksgiving")]
    candidates = [(date(year, 12, 24), "Christmas Eve")]
    if calendar in _JULY_3_EARLY:
        candidates.append((date(year, 7, 3), "Day before Independence Day"))
    early += [(d, name) for d, name in candidates if d.weekday() <= 3]
    holidays = _assemble(calendar, closed, early)
    return sorted([*holidays, *_special_days(calendar, year)])


def _special_days(calendar: str, year: int) -> list[Holiday]:
    result: list[Holiday] = []
    for day in _SPECIAL_DAYS:
        if day.date.year != year:
            continue
        if calendar in day.closed:
            result.append(Holiday(day.date, day.name, "closed"))
        elif calendar in day.early:
            close = in_zone(EarlyClose(day.early[calendar], CHICAGO), day.date, NEW_YORK)
            result.append(Holiday(day.date, day.name, "early_close", close))
    return result


def _eu_holidays(calendar: str, year: int) -> list[Holiday]:
    good_friday = easter_sunday(year) - timedelta(days=2)
    if calendar == "EUREX":
        candidates = [
            (date(year, 1, 1), "New Year's Day"),
            (good_friday, "Good Friday"),
            (good_friday + timedelta(days=3), "Easter Monday"),
            (date(year, 5, 1), "Labour Day"),
            (date(year, 12, 24), "Christmas Eve"),
            (date(year, 12, 25), "Christmas Day"),
            (date(year, 12, 26), "Boxing Day"),
            (date(year, 12, 31), "New Year's Eve"),
        ]
        return _assemble(calendar, [(d, n) for d, n in candidates if d.weekday() < 5], [])
    closed = [
        (_next_weekday(date(year, 1, 1)), "New Year's Day"),
        (good_friday, "Good Friday"),
        (_next_weekday(date(year, 12, 25)), "Christmas Day"),
    ]
    early = [
        (d, n) for d, n in ((date(year, 12, 24), "Christmas Eve"), (date(year, 12, 31), "New Year's Eve"))
    ]
    return _assemble(calendar, closed, [(d, n) for d, n in early if d.weekday() < 5])


def _assemble(calendar: str, closed: list[tuple[date, str]], early: list[tuple[date, str]]) -> list[Holiday]:
    default = early_close_time(calendar)
    result = {d: Holiday(d, name, "closed") for d, name in closed}
    for d, name in early:
        if default is not None and d not in result and d.weekday() < 5:
            result[d] = Holiday(d, name, "early_close", in_zone(default, d, NEW_YORK))
    return sorted(result.values())


def in_zone(close: EarlyClose, day: date, zone: ZoneInfo) -> time:
    """The wall-clock time in ``zone`` of an early close on ``day``."""
    local = datetime.combine(day, close.time, tzinfo=close.zone)
    return local.astimezone(zone).time()


@lru_cache(maxsize=1024)
def _holidays_cached(calendar: str, year: int) -> tuple[Holiday, ...]:
    if calendar in US_CALENDARS:
        return tuple(_us_holidays(calendar, year))
    if calendar in EU_CALENDARS:
        return tuple(_eu_holidays(calendar, year))
    raise ValueError(f"unknown calendar {calendar!r}; known: {sorted(CALENDARS)}")


def holidays(calendar: str, year: int) -> list[Holiday]:
    """Full and early closes of ``calendar`` in ``year``, sorted by date.

    Early-close ``close_time`` is the calendar's close in America/New_York (for ``CME_EQUITY``: 13:15 ET);
    use ``calendar.close_time`` for a specific instrument's close in its display zone.
    """
    return list(_holidays_cached(calendar.upper(), year))
