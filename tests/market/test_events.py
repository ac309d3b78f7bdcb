from datetime import date
from pathlib import Path

import pytest

from shared.market import get_instrument
from shared.market.events import (
    EVENTS,
    FOMC_YEARS,
    event_dates,
    events_for_instrument,
    get_event,
    nfp_date,
    opex_date,
    table_years,
    upcoming_events,
    vix_expiration_date,
)

YEAR = (date(2024, 1, 1), date(2024, 12, 31))


def test_opex_is_third_friday_moved_before_holidays():
    assert opex_date(2024, 1) == date(2024, 1, 19)
    assert opex_date(2025, 4) == date(2025, 4, 17)  # third Friday is Good Friday
    assert opex_date(2026, 6) == date(2026, 6, 18)  # third Friday is Juneteenth
    dates = event_dates("opex", *YEAR)
    assert len(dates) == 12 and all(d.weekday() == 4 and 15 <= d.day <= 21 for d in dates)


def test_quad_witching_is_the_quarterly_opex():
    assert event_dates("quad_witching", *YEAR) == [
        date(2024, 3, 15),
        date(2024, 6, 21),
        date(2024, 9, 20),
        date(2024, 12, 20),
    ]


def test_vix_expiration_is_thirty_days_before_next_spx_opex():
    assert vix_expiration_date(2024, 1) == date(2024, 1, 17)
    assert vix_expiration_date(2025, 3) == date(2025, 3, 18)  # April 2025 opex moved to Thursday 04-17
    assert vix_expiration_date(2022, 3) == date(2022, 3, 15)  # Good Friday 2022-04-15 → Thursday - 30 days
    assert all(d.weekday() in (1, 2) for d in event_dates("vix_expiration", *YEAR))


def test_nfp_first_friday_with_holiday_adjustment():
    assert nfp_date(2024, 11) == date(2024, 11, 1)
    assert nfp_date(2020, 7) == date(2020, 7, 2)  # Friday July 3 was the observed Independence Day
    assert nfp_date(2021, 1) == date(2021, 1, 8)  # New Year's Day
    assert nfp_date(2021, 4) == date(2021, 4, 2)  # released on Good Friday


def test_fomc_table_has_eight_scheduled_meetings_a_year():
    for year in FOMC_YEARS:
        dates = event_dates("fomc", date(year, 1, 1), date(year, 12, 31))
        assert 8 <= len(dates) <= 10, year
    assert date(2024, 9, 18) in event_dates("fomc", *YEAR)
    assert event_dates("fomc", date(2030, 1, 1), date(2030, 12, 31)) == []
    assert event_dates("fomc", date(2020, 3, 1), date(2020, 3, 31)) == [date(2020, 3, 3), date(2020, 3, 15)]


def test_tables_state_the_years_they_cover_and_rules_cover_every_year():
    assert table_years("FOMC") == FOMC_YEARS == range(2008, 2027)
    assert table_years("btc_halving") == range(2009, 2028)
    assert table_years("cpi") is None


def test_weekly_reports_shift_after_holidays():
    claims = event_dates("jobless_claims", date(2024, 11, 25), date(2024, 12, 1))
    assert claims == [date(2024, 11, 27)]  # Thanksgiving Thursday → Wednesday
    eia = event_dates("eia_crude", date(2024, 9, 1), date(2024, 9, 8))
    assert eia == [date(2024, 9, 5)]  # Labor Day week → Thursday


def test_month_end_is_the_last_trading_day():
    ends = event_dates("month_end", *YEAR)
    assert ends[2] == date(2024, 3, 28)  # March 29 was Good Friday
    assert ends[7] == date(2024, 8, 30)
    assert len(ends) == 12


def test_unknown_or_uncomputable_events_raise():
    with pytest.raises(ValueError, match="unknown event"):
        event_dates("vix_exp", *YEAR)
    with pytest.raises(ValueError, match="no computable dates"):
        event_dates("earnings", *YEAR)
    assert get_event("OPEX") is EVENTS["opex"]


def test_events_follow_the_instrument_groups():
    es_ids = {e.id for e in events_for_instrument(get_instrument("ES"))}
    assert {"opex", "fomc", "month_end"} <= es_ids and "eia_crude" not in es_ids
    cl_ids = {e.id for e in events_for_instrument(get_instrument("CL"))}
    assert "eia_crude" in cl_ids and "opex" not in cl_ids


def test_upcoming_events_for_the_prompt():
    upcoming = upcoming_events(get_instrument("ES"), date(2024, 9, 9), days=14)
    by_id = {(o.event.id, o.date) for o in upcoming}
    assert ("cpi", date(2024, 9, 11)) in by_id
    assert ("fomc", date(2024, 9, 18)) in by_id
    assert ("quad_witching", date(2024, 9, 20)) in by_id
    assert ("vix_expiration", date(2024, 9, 18)) in by_id
    assert [o.date for o in upcoming] == sorted(o.date for o in upcoming)
    assert all(date(2024, 9, 9) <= o.date <= date(2024, 9, 23) for o in upcoming)


def test_the_event_calendar_in_the_data_docs_matches_the_code():
    text = (Path(__file__).resolve().parents[2] / "docs" / "data.md").read_text()
    section = text.split("## Event calendar", 1)[1]
    rows = [line.split(" | ") for line in section.splitlines() if line.startswith("| `")]
    documented = {row[0].strip("| `"): (row[3], row[4].strip(" |")) for row in rows}
    expected = {}
    for event in EVENTS.values():
        if event.computable:
            years = table_years(event.id)
            dates = f"table, {years[0]}–{years[-1]}" if years else "rule, every year"
            expected[event.id] = (dates, "approximate" if event.approximate else "exact")
    assert documented == expected
