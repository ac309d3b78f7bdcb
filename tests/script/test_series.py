"""``on(source, x)``: other instruments and longer bar sizes, each checked against a hand-written Polars computation."""

from __future__ import annotations

from datetime import date
from functools import cache

import numpy as np
import polars as pl
import pytest

from shared.ingest.sample import generate_daily_bars, generate_minute_bars
from shared.market import Instrument, get_instrument
from shared.script import FrameBars, FramesUniverse, QueryInvalid, run_query, validate


def _instrument(symbol: str) -> Instrument:
    instrument = get_instrument(symbol)
    assert instrument is not None
    return instrument


@cache
def _bars(symbol: str) -> FrameBars:
    minutes = generate_minute_bars(symbol, date(2023, 6, 1), date(2024, 2, 29), seed=11)
    return FrameBars(minutes, generate_daily_bars(minutes, _instrument(symbol)))


@pytest.fixture(scope="module")
def universe() -> FramesUniverse:
    return FramesUniverse({symbol: _bars(symbol) for symbol in ("NQ", "ES", "CL")})


def _same(got: list, expected: list) -> bool:
    """Equal lists of numbers (relative 1e-9) where missing values (None or NaN) match only each other."""

    def missing(value: object) -> bool:
        return value is None or (isinstance(value, float) and np.isnan(value))

    assert len(got) == len(expected)
    for a, b in zip(got, expected, strict=True):
        if missing(a) or missing(b):
            assert missing(a) and missing(b), (a, b)
        else:
            assert a == pytest.approx(b, rel=1e-9), (a, b)
    return True


def _run(query: dict, universe: FramesUniverse, symbol: str = "NQ") -> dict:
    return run_query(query, _instrument(symbol), universe.bars(symbol), universe=universe)


def _daily(symbol: str) -> pl.DataFrame:
    daily = _bars(symbol).daily_frame
    assert isinstance(daily, pl.DataFrame)
    return daily.select(pl.col("trade_date").alias("date"), "close").sort("date")


def _rth_daily(symbol: str) -> pl.DataFrame:
    """Daily bars of ``symbol``'s own RTH session (display time), by hand."""
    minutes = _bars(symbol).minute_frame
    assert isinstance(minutes, pl.DataFrame)
    rth_session = _instrument(symbol).sessions["RTH"]
    start, end = rth_session.start_minute, rth_session.end_minute
    rth = minutes.filter((pl.col("minute") >= start) & (pl.col("minute") < end))
    return (
        rth.group_by("trade_date", maintain_order=True)
        .agg(pl.col("open").first(), pl.col("close").last())
        .rename({"trade_date": "date"})
        .sort("date")
    )


def test_correlation_of_daily_returns_by_year(universe):
    query = {
        "from": "daily",
        "map": {"r": "change_pct(close)", "es": "on('ES', change_pct(close))", "y": "year()"},
        "group_by": "y",
        "select": {"corr": "correlation(r, es)", "days": "count()"},
    }
    result = _run(query, universe)
    nq, es = _daily("NQ"), _daily("ES")
    returns = nq.with_columns((pl.col("close").pct_change() * 100).alias("r")).join(
        es.with_columns((pl.col("close").pct_change() * 100).alias("es")).select("date", "es"),
        on="date",
        how="left",
    )
    for year, corr, days in result["rows"]:
        rows = returns.filter(pl.col("date").dt.year() == year)
        both = rows.drop_nulls(["r", "es"])
        assert days == rows.height
        assert corr == pytest.approx(np.corrcoef(both["r"], both["es"])[0, 1], rel=1e-9)
    assert result["source"]["instruments"] == ["NQ", "ES"]


def test_ratio_and_its_zscore(universe):
    query = {
        "from": "daily",
        "map": {"ratio": "close / on('ES', close)", "z": "zscore(ratio, 20)"},
        "columns": ["ratio", "z"],
    }
    got = _run(query, universe)["rows"]
    nq, es = _daily("NQ"), _daily("ES")
    ratio = nq.join(es, on="date", how="left", suffix="_es").select(
        (pl.col("close") / pl.col("close_es")).alias("ratio")
    )["ratio"]
    mean, std = ratio.rolling_mean(20), ratio.rolling_std(20, ddof=1)
    expected = ((ratio - mean) / std).to_list()
    assert _same([row[0] for row in got], ratio.to_list())
    assert _same([row[1] for row in got], expected)


def test_cross_instrument_condition_next_day(universe):
    """When ES falls more than 1% in RTH, NQ's next-day RTH return."""
    query = {
        "from": "daily",
        "session": "RTH",
        "map": {
            "es_day": "on('ES', (close - open) / open * 100)",
            "nq_next": "next((close - open) / open * 100)",
        },
        "where": "es_day < -1",
        "select": {"days": "count()", "mean_next": "mean(nq_next)"},
    }
    values = _run(query, universe)["values"]
    nq, es = _rth_daily("NQ"), _rth_daily("ES")
    nq = nq.with_columns(
        ((pl.col("close") - pl.col("open")) / pl.col("open") * 100).shift(-1).alias("nq_next")
    )
    es = es.select("date", ((pl.col("close") - pl.col("open")) / pl.col("open") * 100).alias("es_day"))
    hits = nq.join(es, on="date", how="left").filter(pl.col("es_day") < -1)
    assert values["days"] == hits.height > 0
    assert values["mean_next"] == pytest.approx(hits["nq_next"].mean(), rel=1e-9)


def test_daily_sma_on_five_minute_bars_has_no_look_ahead(universe):
    query = {"from": "5m", "period": "2024-02", "map": {"d": "on('daily', sma(close, 20))"}, "columns": ["d"]}
    got = [row[0] for row in _run(query, universe)["rows"]]
    daily = _daily("NQ").with_columns(pl.col("close").rolling_mean(20).alias("sma"))
    previous = dict(zip(daily["date"].to_list()[1:], daily["sma"].to_list()[:-1], strict=True))
    dates = _five_minute_dates(universe)
    expected = [previous.get(d) for d in dates]
    assert _same(got, expected)
    # Nothing of a day's own close reaches its bars: a bar sees only the previous trade date's value.
    assert got[-1] == pytest.approx(daily["sma"][-2])


def _five_minute_dates(universe: FramesUniverse) -> list[date]:
    result = _run({"from": "5m", "period": "2024-02", "map": {"d": "date()"}, "columns": ["d"]}, universe)
    return [date.fromisoformat(row[0]) for row in result["rows"]]


def test_other_instrument_in_its_own_session_and_null_where_it_has_no_bar(universe):
    """CL's RTH is CL's own; on a date CL has no bar the value is null, never carried forward."""
    query = {"from": "daily", "session": "RTH", "map": {"cl": "on('CL', close)"}, "columns": ["cl"]}
    got = [row[0] for row in _run(query, universe, symbol="ES")["rows"]]
    cl_rth = _rth_daily("CL")
    by_date = dict(zip(cl_rth["date"].to_list(), cl_rth["close"].to_list(), strict=True))
    es_dates = [
        r[0]
        for r in _run(
            {"from": "daily", "session": "RTH", "map": {"d": "date()"}, "columns": ["d"]},
            universe,
            symbol="ES",
        )["rows"]
    ]
    assert got == [by_date.get(date.fromisoformat(d)) for d in es_dates]


def test_weekly_value_on_daily_bars_is_the_last_completed_week(universe):
    query = {"from": "daily", "map": {"w": "on('weekly', close)", "d": "date()"}, "columns": ["d", "w"]}
    rows = _run(query, universe)["rows"]
    daily = _daily("NQ").with_columns(pl.col("date").dt.truncate("1w").alias("week"))
    weekly = daily.group_by("week", maintain_order=True).agg(pl.col("close").last())
    closes = dict(zip(weekly["week"].to_list(), weekly["close"].to_list(), strict=True))
    weeks = sorted(closes)
    for day_text, value in rows:
        week = date.fromisoformat(day_text)
        week_start = pl.Series([week]).dt.truncate("1w")[0]
        index = weeks.index(week_start)
        assert value == (closes[weeks[index - 1]] if index > 0 else None)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("on('XX', close)", "unknown instrument 'XX'"),
        ("on('GC', close)", "there are no bars for GC"),
        ("on('1h', close)", "asks for 1h bars inside a query on daily bars"),
        ("on('daily', close)", "names the query's own bars"),
        ("on('ES', mean(close))", "not an aggregate"),
        ("on('ES', on('CL', close))", "cannot be nested"),
        ("on('ES', r)", "in on(): unknown column 'r'"),
        ("on(close, close)", "must name the bars"),
        ("on('ES:fortnightly', close)", "unknown bar size 'fortnightly'"),
    ],
)
def test_bad_on_calls_are_clear_errors(universe, expression, message):
    query = {"from": "daily", "map": {"r": "change_pct(close)", "x": expression}}
    with pytest.raises(QueryInvalid) as raised:
        _run(query, universe)
    assert any(message in e.message for e in raised.value.errors), raised.value.errors


def test_every_problem_is_reported_at_once(universe):
    query = {"from": "daily", "map": {"a": "on('XX', close)", "b": "on('1m', close)"}, "where": "foo()"}
    with pytest.raises(QueryInvalid) as raised:
        _run(query, universe)
    assert [e.step for e in raised.value.errors] == ["map.a", "map.b", "where"]


def test_without_a_universe_only_the_own_instrument_is_reachable():
    nq = _instrument("NQ")
    errors = validate({"from": "5m", "map": {"es": "on('ES', close)", "d": "on('daily', close)"}}, nq)
    assert [(e.step, "reads another instrument" in e.message) for e in errors] == [("map.es", True)]


def test_on_is_refused_in_a_later_step(universe):
    query = {"steps": [{"from": "daily", "map": {"r": "change_pct(close)"}}, {"map": {"x": "on('ES', r)"}}]}
    with pytest.raises(QueryInvalid) as raised:
        _run(query, universe)
    assert "later step" in raised.value.errors[0].message


def test_beta_of_daily_returns_equals_cov_over_var(universe):
    query = {
        "from": "daily",
        "map": {"r": "change_pct(close)", "es": "on('ES', change_pct(close))"},
        "select": {"beta": "beta(r, es)", "rolling": "last(rolling_beta(r, es, 60))"},
    }
    values = _run(query, universe)["values"]
    nq, es = _daily("NQ"), _daily("ES")
    joined = nq.select("date", (pl.col("close").pct_change() * 100).alias("r")).join(
        es.select("date", (pl.col("close").pct_change() * 100).alias("es")), on="date", how="left"
    )
    both = joined.drop_nulls()
    cov = np.cov(both["r"], both["es"], ddof=1)
    assert values["beta"] == pytest.approx(cov[0, 1] / cov[1, 1], rel=1e-9)
    tail = joined.tail(60)
    window = np.cov(tail["r"], tail["es"], ddof=1)
    assert values["rolling"] == pytest.approx(window[0, 1] / window[1, 1], rel=1e-9)
