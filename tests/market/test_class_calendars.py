"""Each CME class calendar checked against `pandas_market_calendars` for 2008–2026, day by day and early-close
time by early-close time.

Every difference is listed below, grouped by its reason; `docs/data.md` has the same list as a table ("Per-class
calendars against the reference"). A difference that is not listed fails, and so does a listed one that no longer
occurs.
"""

from datetime import date, datetime, time, timedelta
from typing import NamedTuple

import pandas_market_calendars as pmc
import pytest

from shared.market.calendar import DayType, day_type, holiday_on
from shared.market.holidays import CHICAGO, NEW_YORK, nth_weekday

START, END = date(2008, 1, 1), date(2026, 12, 31)
YEARS = range(START.year, END.year + 1)

# Our calendar → the reference calendar of the same CME product class.
REFERENCE = {
    "CME_EQUITY": "CME Globex Equity",
    "CME_RATES": "CME_Bond",
    "CME_FX": "CMEGlobex_FX",
    "CME_ENERGY": "CMEGlobex_Energy",
    "CME_METALS": "CMEGlobex_Metals",
    "CME_GRAINS": "CME_Agriculture",
}


class Known(NamedTuple):
    """Days where we and the reference disagree for one reason: our day type, theirs, the days."""

    ours: DayType
    theirs: DayType
    days: frozenset[date]


def _observed(day: date) -> date:
    """Saturday → Friday, Sunday → Monday."""
    shift = {5: -1, 6: 1}.get(day.weekday(), 0)
    return day + timedelta(days=shift)


def _holiday_mornings(years: range) -> frozenset[date]:
    """MLK, Presidents', Memorial, Independence (observed), Labor and Thanksgiving Day of ``years``."""
    return frozenset(
        d
        for y in years
        for d in (
            nth_weekday(y, 1, 0, 3),
            nth_weekday(y, 2, 0, 3),
            nth_weekday(y, 5, 0, -1),
            _observed(date(y, 7, 4)),
            nth_weekday(y, 9, 0, 1),
            nth_weekday(y, 11, 3, 4),
        )
    )


def _mon_to_thu(month: int, day: int, years: range) -> frozenset[date]:
    return frozenset(date(y, month, day) for y in years if date(y, month, day).weekday() <= 3)


def _days(*isodates: str) -> frozenset[date]:
    return frozenset(date.fromisoformat(d) for d in isodates)


# CME Globex trades a short morning on these holidays, booked to the next trade date with no settlement on the
# holiday: we have no trade date, the reference an early close. (CBOT grains do not open: both agree.)
MORNINGS = _holiday_mornings(YEARS)
# Juneteenth (from 2022, observed Monday 2022-06-20): a holiday morning like the others.
JUNETEENTH = _days("2022-06-20", "2023-06-19", "2024-06-19", "2025-06-19", "2026-06-19")
# Good Friday with a major report (payrolls, PCE): CME opens a few hours for some classes. Not modelled (see
# holidays.py): those bars roll to Monday.
GOOD_FRIDAY_EQUITY = _days(
    "2010-04-02",
    "2012-04-06",
    "2015-04-03",
    "2021-04-02",
    "2023-04-07",
    "2024-03-29",
    "2025-04-18",
    "2026-04-03",
)
GOOD_FRIDAY_RATES = _days("2010-04-02", "2012-04-06", "2015-04-03", "2021-04-02", "2023-04-07", "2026-04-03")
GOOD_FRIDAY_FX = _days("2021-04-02", "2023-04-07", "2024-03-29", "2025-04-18", "2026-04-03")
SANDY = _days("2012-10-29", "2012-10-30")
MOURNING = _days("2018-12-05", "2025-01-09")

KNOWN: dict[str, list[Known]] = {
    "CME_EQUITY": [
        Known("closed", "early_close", MORNINGS | JUNETEENTH | GOOD_FRIDAY_EQUITY),
        # CME stopped equity index futures at 08:15 CT (Sandy) and 08:30 CT (mourning days), the next trade date
        # began that evening; the reference has no ad-hoc closures.
        Known("closed", "regular", SANDY | MOURNING),
    ],
    "CME_RATES": [
        Known("closed", "early_close", MORNINGS | GOOD_FRIDAY_RATES),
        # The reference has no Juneteenth for rates; CME observes it like the other Monday holidays.
        Known("closed", "regular", JUNETEENTH),
        # Sandy: rates closed at 11:00 CT with the cash bond market; the reference has no Sandy.
        Known("early_close", "regular", _days("2012-10-29")),
        # Carter: CME closed rates at 12:15 CT; the reference closes every national day of mourning.
        Known("early_close", "closed", _days("2025-01-09")),
    ],
    "CME_FX": [
        Known("closed", "early_close", _holiday_mornings(range(2008, 2022)) | GOOD_FRIDAY_FX),
        # The reference's holiday rules for FX stop in 2021 (its source says "accurate 2020-2022").
        Known("closed", "regular", _holiday_mornings(range(2022, 2027)) | JUNETEENTH),
    ],
    **{
        calendar: [
            Known("closed", "early_close", MORNINGS | JUNETEENTH),
            # NYMEX/COMEX halt at 12:45 CT on Christmas Eve; the reference has it only from 2026.
            Known("early_close", "regular", _mon_to_thu(12, 24, range(2008, 2026))),
            # The reference closes 2010-12-31 at 15:15 CT; New Year's Eve is a full day here.
            Known("regular", "early_close", _days("2010-12-31")),
        ]
        for calendar in ("CME_ENERGY", "CME_METALS")
    },
    "CME_GRAINS": [
        # CBOT grains halt early on July 3 (Monday–Thursday); the reference has no July 3 rule.
        Known("early_close", "regular", _mon_to_thu(7, 3, YEARS)),
        # Mourning days: CME kept grains open on 2018-12-05 and closed them at 12:15 CT on 2025-01-09; the
        # reference closes every national day of mourning.
        Known("regular", "closed", _days("2018-12-05")),
        Known("early_close", "closed", _days("2025-01-09")),
    ],
}

# Early closes both calendars have, at different times (Chicago): ours, theirs, days.
KNOWN_TIMES: dict[str, list[tuple[time, time, frozenset[date]]]] = {
    # CBOT grains stop at 12:05 CT on the day after Thanksgiving and Christmas Eve (CME holiday notices);
    # the reference says 12:00.
    "CME_GRAINS": [
        (
            time(12, 5),
            time(12, 0),
            frozenset(nth_weekday(y, 11, 3, 4) + timedelta(days=1) for y in YEARS)
            | _mon_to_thu(12, 24, YEARS),
        )
    ],
    # The reference's one-off 2026 entry says 13:45 CT, every earlier year 12:45 CT, as CME's notices do.
    **{
        calendar: [(time(12, 45), time(13, 45), _days("2026-11-27"))]
        for calendar in ("CME_ENERGY", "CME_METALS")
    },
}


class Reference(NamedTuple):
    kinds: dict[date, DayType]
    early: dict[date, time]


def _reference(name: str) -> Reference:
    calendar = pmc.get_calendar(name)
    schedule = calendar.schedule(start_date=START.isoformat(), end_date=END.isoformat())
    early_rows = calendar.early_closes(schedule)
    sessions = {ts.date() for ts in schedule.index}
    early = {ts.date(): row.tz_convert(CHICAGO).time() for ts, row in early_rows["market_close"].items()}
    kinds: dict[date, DayType] = {}
    day = START
    while day <= END:
        if day.weekday() < 5:
            kinds[day] = "closed" if day not in sessions else ("early_close" if day in early else "regular")
        else:
            assert day not in sessions, (name, day)
        day += timedelta(days=1)
    return Reference(kinds, early)


@pytest.fixture(scope="module", params=sorted(REFERENCE))
def pair(request: pytest.FixtureRequest) -> tuple[str, Reference]:
    return request.param, _reference(REFERENCE[request.param])


def test_trade_dates_match_the_reference_except_the_listed_differences(pair):
    calendar, reference = pair
    differences = {
        day: (ours, theirs)
        for day, theirs in reference.kinds.items()
        if (ours := day_type(calendar, day)) != theirs
    }
    expected = {day: (k.ours, k.theirs) for k in KNOWN[calendar] for day in k.days}
    assert sorted(set(differences.items()) - set(expected.items())) == [], "unlisted differences"
    assert sorted(set(expected.items()) - set(differences.items())) == [], (
        "listed differences that do not occur"
    )


def test_early_close_times_match_the_reference_except_the_listed_ones(pair):
    calendar, reference = pair
    differences = {}
    for day, theirs in reference.early.items():
        holiday = holiday_on(calendar, day)
        if holiday is None or holiday.close_time is None:
            continue
        ours = datetime.combine(day, holiday.close_time, tzinfo=NEW_YORK).astimezone(CHICAGO).time()
        if ours != theirs:
            differences[day] = (ours, theirs)
    expected = {day: (ours, theirs) for ours, theirs, days in KNOWN_TIMES.get(calendar, []) for day in days}
    assert differences == expected
