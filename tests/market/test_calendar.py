from datetime import UTC, date, datetime, time

import polars as pl
import pytest

from shared.market import get_instrument
from shared.market.calendar import (
    assign_trade_date_and_minute,
    close_time,
    day_type,
    holiday_on,
    instrument_holidays,
    is_trading_day,
    next_trading_day,
    previous_trading_day,
    trading_days,
    trading_sessions,
)
from shared.market.holidays import easter_sunday, holidays, nth_weekday

NQ = get_instrument("NQ")


def test_easter_matches_known_dates():
    known = {
        2008: date(2008, 3, 23),
        2011: date(2011, 4, 24),
        2019: date(2019, 4, 21),
        2024: date(2024, 3, 31),
    }
    for year, easter in known.items():
        assert easter_sunday(year) == easter


def test_nth_weekday():
    assert nth_weekday(2024, 11, 3, 4) == date(2024, 11, 28)  # Thanksgiving
    assert nth_weekday(2024, 5, 0, -1) == date(2024, 5, 27)  # Memorial Day
    assert nth_weekday(2023, 12, 6, -1) == date(2023, 12, 31)


def test_new_year_on_saturday_is_not_observed_on_the_previous_friday():
    assert day_type("CME", date(2021, 12, 31)) == "regular"
    assert date(2021, 12, 31) not in {h.date for h in holidays("CME", 2021)}
    assert date(2021, 12, 31) not in {h.date for h in holidays("CME", 2022)}
    assert day_type("CME", date(2017, 1, 2)) == "closed"  # Jan 1 2017 was a Sunday


def test_juneteenth_only_from_2022():
    assert day_type("CME", date(2021, 6, 18)) == "regular"
    assert day_type("CME", date(2022, 6, 20)) == "closed"  # observed Monday
    assert day_type("CME", date(2024, 6, 19)) == "closed"


def test_special_closures_and_good_friday():
    for d in (date(2012, 10, 29), date(2012, 10, 30), date(2018, 12, 5), date(2025, 1, 9), date(2024, 3, 29)):
        assert day_type("CME_EQUITY", d) == "closed", d
    assert day_type("CME_EQUITY", date(2001, 9, 11)) == "regular"  # out of the covered range, not hard-coded


def test_special_days_close_only_the_classes_cme_closed():
    sandy, sandy_2, bush, carter = date(2012, 10, 29), date(2012, 10, 30), date(2018, 12, 5), date(2025, 1, 9)
    expected = {
        "ES": {sandy: None, sandy_2: None, bush: None, carter: None},
        "ZN": {sandy: time(12, 0), sandy_2: time(17, 0), bush: None, carter: time(13, 15)},
        "ZC": {sandy: time(14, 20), sandy_2: time(14, 20), bush: time(14, 20), carter: time(13, 15)},
        "CL": {sandy: time(17, 0), sandy_2: time(17, 0), bush: time(17, 0), carter: time(17, 0)},
        "GC": {sandy: time(17, 0), sandy_2: time(17, 0), bush: time(17, 0), carter: time(17, 0)},
        "6E": {sandy: time(17, 0), sandy_2: time(17, 0), bush: time(17, 0), carter: time(17, 0)},
        "BTC": {sandy: time(17, 0), sandy_2: time(17, 0), bush: time(17, 0), carter: time(17, 0)},
    }
    for symbol, closes in expected.items():
        instrument = get_instrument(symbol)
        assert {d: close_time(instrument, d) for d in closes} == closes, symbol
    assert holiday_on("CME_RATES", carter).name == "National Day of Mourning (Jimmy Carter)"
    assert holiday_on("CME_ENERGY", carter) is None


def test_july_3_closes_early_only_for_equity_and_grains():
    july_3 = date(2024, 7, 3)
    assert close_time(NQ, july_3) == time(13, 15)
    assert close_time(get_instrument("ZC"), july_3) == time(13, 5)
    for symbol in ("ZN", "6E", "CL", "GC"):
        assert day_type(get_instrument(symbol).calendar, july_3) == "regular", symbol
        assert close_time(get_instrument(symbol), july_3) == time(17, 0), symbol


def test_early_closes_and_close_times_per_product():
    black_friday = date(2024, 11, 29)
    assert day_type("CME", black_friday) == "early_close"
    assert close_time(NQ, black_friday) == time(13, 15)
    assert close_time(get_instrument("ZN"), black_friday) == time(13, 15)
    assert close_time(get_instrument("CL"), black_friday) == time(13, 45)
    assert close_time(get_instrument("ZC"), black_friday) == time(13, 5)
    assert close_time(NQ, date(2024, 11, 27)) == time(17, 0)
    assert close_time(get_instrument("ZC"), date(2024, 11, 27)) == time(14, 20)
    assert close_time(NQ, date(2024, 11, 28)) is None
    assert close_time(NQ, date(2024, 7, 3)) == time(13, 15)
    assert day_type("CME", date(2024, 12, 31)) == "regular"
    assert day_type("CME", date(2021, 12, 24)) == "closed"  # Christmas on Saturday, observed Friday
    assert day_type("CME", date(2022, 12, 23)) == "regular"  # Christmas Eve on Saturday: no early close


def test_holiday_list_names_and_close_times():
    by_date = {h.date: h for h in holidays("cme", 2024)}
    assert by_date[date(2024, 1, 15)].name == "Martin Luther King Jr. Day"
    assert by_date[date(2024, 1, 15)].kind == "closed"
    assert by_date[date(2024, 12, 24)].close_time == time(13, 15)
    assert len([h for h in by_date.values() if h.kind == "closed"]) == 10
    energy = {h.date: h for h in instrument_holidays(get_instrument("CL"), 2024)}
    assert energy[date(2024, 12, 24)].close_time == time(13, 45)
    with pytest.raises(ValueError, match="unknown calendar"):
        holidays("MOON", 2024)


def test_european_calendars():
    fdax = get_instrument("FDAX")
    assert [h.date for h in holidays("EUREX", 2024)] == [
        date(2024, 1, 1),
        date(2024, 3, 29),
        date(2024, 4, 1),
        date(2024, 5, 1),
        date(2024, 12, 24),
        date(2024, 12, 25),
        date(2024, 12, 26),
        date(2024, 12, 31),
    ]
    assert close_time(fdax, date(2024, 12, 23)) == time(16, 0)
    brent = get_instrument("BRN")
    assert day_type("ICEEUR", date(2022, 12, 26)) == "closed"  # Christmas on Sunday → Monday
    assert close_time(brent, date(2024, 12, 24)) == time(7, 30)  # 12:30 London in New York time
    assert day_type("ICEEUR", date(2024, 4, 1)) == "regular"


def test_trading_day_navigation():
    assert is_trading_day("CME", date(2024, 11, 29))
    assert not is_trading_day("CME", date(2024, 11, 30))
    assert next_trading_day("CME", date(2024, 11, 28)) == date(2024, 11, 29)
    assert previous_trading_day("CME", date(2024, 1, 16)) == date(2024, 1, 12)
    assert len(trading_days("CME", date(2024, 1, 1), date(2024, 12, 31))) == 252


def test_trading_sessions_follow_dst_and_early_closes():
    sessions = trading_sessions(NQ, date(2024, 3, 8), date(2024, 3, 11)).rows(named=True)
    assert [s["trade_date"] for s in sessions] == [date(2024, 3, 8), date(2024, 3, 11)]
    assert sessions[0]["open"] == datetime(2024, 3, 7, 23, 0, tzinfo=UTC)  # 18:00 EST
    assert sessions[1]["open"] == datetime(2024, 3, 10, 22, 0, tzinfo=UTC)  # Sunday 18:00 EDT
    black_friday = trading_sessions(NQ, date(2024, 11, 29), date(2024, 11, 29)).row(0, named=True)
    assert black_friday["open"] == datetime(2024, 11, 28, 23, 0, tzinfo=UTC)
    assert black_friday["close"] == datetime(2024, 11, 29, 18, 15, tzinfo=UTC)


def _assign(instrument, *stamps: datetime):
    frame = pl.DataFrame({"ts": list(stamps)}, schema={"ts": pl.Datetime("us", "UTC")})
    trade_date, minute = assign_trade_date_and_minute(frame, instrument)
    assert trade_date.dtype == pl.Date and minute.dtype == pl.Int16
    return list(zip(trade_date.to_list(), minute.to_list(), strict=True))


def test_trade_date_rolls_evening_weekend_and_holidays():
    rows = _assign(
        NQ,
        datetime(2024, 1, 7, 23, 0, tzinfo=UTC),  # Sunday 18:00 EST → Monday
        datetime(2024, 1, 8, 21, 59, tzinfo=UTC),  # Monday 16:59 → Monday
        datetime(2024, 1, 14, 23, 0, tzinfo=UTC),  # Sunday before MLK day → Tuesday
        datetime(2024, 1, 15, 15, 0, tzinfo=UTC),  # MLK day morning (Globex) → Tuesday
        datetime(2024, 1, 15, 23, 0, tzinfo=UTC),  # MLK evening → Tuesday
        datetime(2024, 7, 8, 22, 0, tzinfo=UTC),  # 18:00 EDT → next day
        datetime(2024, 7, 8, 21, 59, tzinfo=UTC),  # 17:59 EDT, in the halt → same day
    )
    assert rows == [
        (date(2024, 1, 8), 1080),
        (date(2024, 1, 8), 1019),
        (date(2024, 1, 16), 1080),
        (date(2024, 1, 16), 600),
        (date(2024, 1, 16), 1080),
        (date(2024, 7, 9), 1080),
        (date(2024, 7, 8), 1079),
    ]


def test_trade_date_uses_each_instrument_session_start():
    corn = get_instrument("ZC")
    assert _assign(
        corn, datetime(2024, 7, 9, 0, 0, tzinfo=UTC), datetime(2024, 7, 8, 23, 59, tzinfo=UTC)
    ) == [
        (date(2024, 7, 9), 1200),
        (date(2024, 7, 8), 1199),
    ]
    coffee = get_instrument("KC")  # session does not wrap midnight: calendar date
    assert _assign(coffee, datetime(2024, 7, 8, 23, 0, tzinfo=UTC)) == [(date(2024, 7, 8), 1140)]


def test_trade_date_accepts_naive_series_and_empty_input():
    naive = pl.Series("ts", [datetime(2024, 1, 7, 23, 0)])
    trade_date, minute = assign_trade_date_and_minute(naive, NQ)
    assert trade_date.to_list() == [date(2024, 1, 8)] and minute.to_list() == [1080]
    empty = pl.Series("ts", [], dtype=pl.Datetime("us", "UTC"))
    trade_date, minute = assign_trade_date_and_minute(empty, NQ)
    assert trade_date.len() == 0 and minute.len() == 0
