"""The CME equity-index calendar (``CME_EQUITY``) checked against `exchange_calendars` (calendar "CMES") for
2008–2026; ``test_class_calendars`` checks every CME class against `pandas_market_calendars`.

Every disagreement is listed below with the reason we keep our rule. Their model: a single CME calendar with full
closes only on New Year's Day, Good Friday, Christmas and days of mourning, and a 12:00 CT early close on every
other US holiday, the day after Thanksgiving and Christmas Eve.
"""

from datetime import date, datetime, time, timedelta

import exchange_calendars as xc
import pytest

from shared.market import get_instrument
from shared.market.calendar import close_time, day_type, holiday_on
from shared.market.holidays import CHICAGO, NEW_YORK, nth_weekday

START, END = date(2008, 1, 1), date(2026, 12, 31)

# Theirs "early_close" (12:00 CT), ours "closed". CME Globex trades a short morning on these holidays, but the
# trades are booked to the next trade date and there is no settlement on the holiday, so no trade date exists.
# Includes July 4 observed on Friday July 3 (2009, 2015, 2020, 2026) and Monday July 5 (2010, 2021).
HOLIDAY_MORNING_SESSIONS = {
    "Martin Luther King Jr. Day",
    "Presidents' Day",
    "Memorial Day",
    "Independence Day",
    "Labor Day",
    "Thanksgiving Day",
}
# Theirs "regular", ours "closed": Juneteenth became a CME holiday in 2022 (observed Monday 2022-06-20); their
# CMES rules predate it.
JUNETEENTH = [date(2022, 6, 20), date(2023, 6, 19), date(2024, 6, 19), date(2025, 6, 19), date(2026, 6, 19)]
# Theirs "regular", ours "closed": Hurricane Sandy shut the US markets; their list of ad-hoc closures lacks it.
SANDY = [date(2012, 10, 29), date(2012, 10, 30)]
# Theirs "regular", ours "early_close": CME equity futures halt at 12:15 CT on July 3 when it is Monday–Thursday
# (cash market closes at 13:00 ET); their calendar has no July 3 rule.
JULY_3 = [date(y, 7, 3) for y in (2008, 2012, 2013, 2014, 2017, 2018, 2019, 2023, 2024, 2025)]


def _theirs() -> dict[date, str]:
    cal = xc.get_calendar("CMES", start=START.isoformat(), end=END.isoformat())
    sessions = {ts.date() for ts in cal.sessions}
    early = {ts.date() for ts in cal.early_closes}
    result = {}
    day = START
    while day <= END:
        if day.weekday() < 5:
            result[day] = "closed" if day not in sessions else ("early_close" if day in early else "regular")
        day += timedelta(days=1)
    return result


@pytest.fixture(scope="module")
def theirs() -> dict[date, str]:
    return _theirs()


def test_every_disagreement_is_explained(theirs):
    morning, juneteenth, sandy, july_3, unexplained = [], [], [], [], []
    for day, their_kind in theirs.items():
        ours = day_type("CME_EQUITY", day)
        if ours == their_kind:
            continue
        holiday = holiday_on("CME_EQUITY", day)
        name = holiday.name if holiday else None
        if (ours, their_kind) == ("closed", "early_close") and name in HOLIDAY_MORNING_SESSIONS:
            morning.append(day)
        elif (ours, their_kind) == ("closed", "regular") and name == "Juneteenth":
            juneteenth.append(day)
        elif (ours, their_kind) == ("closed", "regular") and name == "Hurricane Sandy":
            sandy.append(day)
        elif (ours, their_kind) == ("early_close", "regular") and name == "Day before Independence Day":
            july_3.append(day)
        else:
            unexplained.append((day, ours, their_kind))
    assert unexplained == []
    assert juneteenth == JUNETEENTH
    assert sandy == SANDY
    assert july_3 == JULY_3
    # Six holidays a year for 19 years: every one of them is a disagreement of the same kind.
    assert len(morning) == 6 * 19


def test_shared_early_closes_differ_only_by_product_time(theirs):
    """Both calendars close early on the day after Thanksgiving and on Christmas Eve (Monday–Thursday). Their single
    time is 12:00 CT; equity index (and interest-rate) futures halt at 12:15 CT (13:15 ET)."""
    shared = [
        d
        for d, kind in theirs.items()
        if kind == "early_close" and day_type("CME_EQUITY", d) == "early_close"
    ]
    christmas_eves = [date(y, 12, 24) for y in range(2008, 2027) if date(y, 12, 24).weekday() <= 3]
    assert sorted(shared) == sorted(
        [nth_weekday(y, 11, 3, 4) + timedelta(days=1) for y in range(2008, 2027)] + christmas_eves
    )
    index = get_instrument("NQ")
    for day in shared:
        noon_et = datetime.combine(day, time(12), tzinfo=CHICAGO).astimezone(NEW_YORK).time()
        assert close_time(index, day) == time(noon_et.hour, 15)


def test_nyse_calendar_matches_xnys_exactly():
    """The same US rules with the 13:00 ET early close reproduce exchange_calendars' NYSE calendar (XNYS)
    day for day, including Juneteenth, Hurricane Sandy, the mourning days and every early-close time."""
    cal = xc.get_calendar("XNYS", start=START.isoformat(), end=END.isoformat())
    sessions = {ts.date() for ts in cal.sessions}
    early = {
        ts.date(): cal.session_close(ts).tz_convert("America/New_York").time() for ts in cal.early_closes
    }
    day = START
    while day <= END:
        if day.weekday() < 5:
            theirs = "closed" if day not in sessions else ("early_close" if day in early else "regular")
            assert day_type("NYSE", day) == theirs, day
            if theirs == "early_close":
                assert holiday_on("NYSE", day).close_time == early[day], day
        day += timedelta(days=1)
