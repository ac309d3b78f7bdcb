"""Event-day functions through the query engine, each checked against a hand-written computation on the same bars."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from shared.market import Instrument, event_dates, get_instrument, trading_days
from shared.script import FrameBars, QueryInvalid, run_query
from tests.script.bars_fixture import minute_bars, settlement_bars

RTH = (9 * 60 + 30, 16 * 60 + 15)


def _sessions(minutes: pl.DataFrame, start_minute: int, end_minute: int) -> pl.DataFrame:
    """Per trade date: the range of the bars opening in ``[start_minute, end_minute)``, by hand."""
    return (
        minutes.filter(pl.col("minute").is_between(start_minute, end_minute - 1))
        .group_by("trade_date")
        .agg((pl.col("high").max() - pl.col("low").min()).alias("rng"))
        .sort("trade_date")
    )


def _between(dates: list[date], event_id: str) -> list[date]:
    return event_dates(event_id, dates[0], dates[-1])


def test_rth_range_on_fomc_days_against_other_days(run, minutes):
    query = {
        "session": "RTH",
        "map": {"fomc": "is_event('fomc')", "rng": "high - low"},
        "group_by": "fomc",
        "select": {"avg": "mean(rng)", "days": "count()"},
    }
    rows = {row[0]: row[1:] for row in run(query)["rows"]}
    by_hand = _sessions(minutes, *RTH)
    fomc = set(_between(by_hand["trade_date"].to_list(), "fomc"))
    flagged = by_hand.with_columns(pl.col("trade_date").is_in(list(fomc)).alias("fomc"))
    for flag in (True, False):
        part = flagged.filter(pl.col("fomc") == flag)
        assert rows[flag][0] == pytest.approx(part["rng"].mean())
        assert rows[flag][1] == part.height
    assert rows[True][1] == len(fomc) == 6  # 2023-11-01, 12-13, 2024-01-31, 03-20, 05-01, 06-12


def test_nfp_fridays(run, minutes):
    query = {"map": {"d": "date()"}, "where": "is_event('nfp') and dayofweek() == 4", "columns": ["d"]}
    found = [date.fromisoformat(row[0]) for row in run(query)["rows"]]
    trade_dates = minutes["trade_date"].unique().sort().to_list()
    by_hand = [d for d in _between(trade_dates, "nfp") if d.weekday() == 4 and d in set(trade_dates)]
    assert found == by_hand and len(found) == 9  # 2023-10-06 … 2024-06-07


def _trading_day_distances(day: date, events: list[date], calendar: str) -> tuple[int | None, int | None]:
    """(days since the last event, days until the next), counted one trading day at a time."""
    days = trading_days(calendar, date(2023, 1, 1), date(2024, 12, 31))
    here = days.index(day)
    before = [here - days.index(e) for e in events if e <= day]
    after = [days.index(e) - here for e in events if e >= day]
    return (min(before) if before else None, min(after) if after else None)


def test_days_since_and_to_cpi_count_trading_days(run, nq):
    query = {
        "period": "2024-01:2024-03",
        "map": {"d": "date()", "since": "days_since_event('cpi')", "to": "days_to_event('cpi')"},
        "columns": ["d", "since", "to"],
    }
    rows = run(query)["rows"]
    cpi = event_dates("cpi", date(2023, 1, 1), date(2024, 12, 31))
    for day, since, to in rows:
        assert (since, to) == _trading_day_distances(date.fromisoformat(day), cpi, nq.calendar), day
    assert [since for _, since, _ in rows].count(0) == 3


def test_the_day_after_cpi(run, settlements):
    query = {"map": {"d": "date()", "chg": "close - prev(close)"}, "where": "days_since_event('cpi') == 1"}
    query["columns"] = ["d", "chg"]
    found = {date.fromisoformat(d): chg for d, chg in run(query)["rows"]}
    daily = settlements.sort("trade_date").with_columns(
        (pl.col("close") - pl.col("close").shift()).alias("chg")
    )
    days = daily["trade_date"].to_list()
    after = {days[days.index(c) + 1] for c in _between(days, "cpi") if c in days and c != days[-1]}
    assert set(found) == after and len(after) == 9
    changes = dict(zip(days, daily["chg"].to_list(), strict=True))
    assert all(found[d] == pytest.approx(changes[d]) for d in after)


@pytest.fixture(scope="module")
def cl() -> Instrument:
    instrument = get_instrument("CL")
    assert instrument is not None
    return instrument


def test_cl_range_on_eia_inventory_days(cl):
    minutes = minute_bars(cl, date(2024, 8, 26), date(2024, 9, 20), seed=3)
    bars = FrameBars(minutes, settlement_bars(minutes))
    query = {
        "map": {"eia": "is_event('eia_crude')", "rng": "high - low"},
        "group_by": "eia",
        "select": "mean(rng)",
    }
    rows = dict(run_query(query, cl, bars)["rows"])
    daily = _sessions(minutes, 0, 24 * 60)
    eia = _between(daily["trade_date"].to_list(), "eia_crude")
    assert date(2024, 9, 5) in eia  # Labor Day week: Thursday
    on_eia = daily.filter(pl.col("trade_date").is_in(eia))["rng"].mean()
    assert rows[True] == pytest.approx(on_eia) and on_eia != pytest.approx(rows[False])


def test_an_event_on_a_closed_day_counts_on_the_next_trading_day(nq):
    minutes = minute_bars(nq, date(2020, 3, 9), date(2020, 3, 20), seed=2)
    query = {"map": {"d": "date()", "f": "is_event('fomc')", "s": "days_since_event('fomc')"}}
    query |= {"where": "days_since_event('fomc') <= 1", "columns": ["d", "f", "s"]}
    rows = run_query(query, nq, FrameBars(minutes, settlement_bars(minutes)))["rows"]
    # Decided on Sunday 2020-03-15, traded from that evening: trade date Monday 03-16.
    assert rows == [["2020-03-16", True, 0], ["2020-03-17", False, 1]]


def test_table_events_are_unknown_outside_their_years(nq):
    minutes = minute_bars(nq, date(2026, 12, 7), date(2027, 1, 8), seed=2)
    query = {"map": {"f": "is_event('fomc')", "to": "days_to_event('fomc')", "o": "is_event('opex')"}}
    query |= {"group_by": ["f", "to"], "select": {"n": "count()", "opex": "sum(o)"}}
    rows = run_query(query, nq, FrameBars(minutes, settlement_bars(minutes)))["rows"]
    counts = {(f, to): n for f, to, n, _ in rows}
    # 2026-12-09 is the table's last decision; after it 2026 has no known next one, and 2027 is not covered.
    assert counts == {(False, 2): 1, (False, 1): 1, (True, 0): 1, (False, None): 15, (None, None): 5}
    assert sum(opex for *_, opex in rows) == 1  # opex is a rule, known every year: 2026-12-18


@pytest.mark.parametrize(
    ("expression", "message", "hint"),
    [
        ("is_event('fomcc')", "unknown event 'fomcc'", "Did you mean `fomc`?"),
        ("days_to_event('earnings')", "'earnings' has no computable dates", "Use one of: api_crude"),
        ("days_since_event(close)", "must be a 'string'", "days_since_event(event)"),
    ],
)
def test_event_ids_are_checked_before_any_data_is_read(nq, expression, message, hint):
    with pytest.raises(QueryInvalid) as caught:
        run_query({"map": {"x": expression}}, nq, FrameBars(pl.DataFrame()))
    (problem,) = caught.value.details
    assert message in problem["message"] and hint in problem["hint"]
