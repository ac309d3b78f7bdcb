"""The four examples of BARB_SCRIPT.md §7 on the synthetic sample data, checked against plain Polars.

Two of them are worked examples of the system prompt too and are taken from it, so the queries the model is taught
are the ones checked here; the engine benchmark runs the same queries (``tests/script/queries.py``).
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from shared.ingest.sample import generate_daily_bars, generate_minute_bars
from shared.script import FrameBars, run_query
from tests.script.queries import early_high, prompt_example

RTH_OPEN, RTH_CLOSE = 9 * 60 + 30, 16 * 60 + 15


@pytest.fixture(scope="module")
def sample(nq):
    minutes = generate_minute_bars("NQ", date(2023, 10, 2), date(2024, 12, 31), seed=3)
    return minutes, FrameBars(minutes, generate_daily_bars(minutes, nq))


@pytest.fixture(scope="module")
def rth_days(sample) -> pl.DataFrame:
    minutes = sample[0]
    return (
        minutes.filter(pl.col("minute").is_between(RTH_OPEN, RTH_CLOSE - 1))
        .group_by("trade_date", maintain_order=True)
        .agg(pl.col("open").first(), pl.col("high").max(), pl.col("low").min(), pl.col("close").last())
        .sort("trade_date")
        .with_columns(pl.col("close").shift().alias("prev_close"))
    )


def test_days_that_fell_in_2024(nq, sample, rth_days):
    query = {
        "session": "RTH",
        "period": "2024",
        "from": "daily",
        "map": {"chg": "change_pct(close)"},
        "where": "chg <= -2.5",
        "sort": "chg asc",
    }
    result = run_query(query, nq, sample[1])
    expected = (
        rth_days.with_columns(((pl.col("close") / pl.col("prev_close") - 1) * 100).alias("chg"))
        .filter((pl.col("trade_date").dt.year() == 2024) & (pl.col("chg") <= -2.5))
        .sort("chg")
    )
    assert expected.height > 0
    assert [r[0] for r in result["rows"]] == [d.isoformat() for d in expected["trade_date"]]
    assert [r[1] for r in result["rows"]] == pytest.approx(expected["chg"].to_list(), rel=1e-12)
    assert [c["name"] for c in result["columns"]] == ["date", "chg", "open", "high", "low", "close", "volume"]
    assert result["source"] == {
        "bars": "minute",
        "rows_scanned": 252,
        "period": ["2024-01-02", "2024-12-31"],
        "session": "RTH",
        "instruments": ["NQ"],
    }


def test_average_rth_range_by_weekday(nq, sample, rth_days):
    result = run_query(prompt_example("range_by_weekday"), nq, sample[1])
    expected = (
        rth_days.with_columns(
            (pl.col("high") - pl.col("low")).alias("r"), (pl.col("trade_date").dt.weekday() - 1).alias("dow")
        )
        .group_by("dow")
        .agg(pl.col("r").mean())
        .sort("dow")
    )
    assert result["kind"] == "grouped"
    assert result["columns"] == [
        {"name": "dow", "type": "integer", "format": "weekday"},
        {"name": "mean_r", "type": "number"},
    ]
    assert [r[0] for r in result["rows"]] == [0, 1, 2, 3, 4]
    assert [r[1] for r in result["rows"]] == pytest.approx(expected["r"].to_list(), rel=1e-12)
    assert result["chart"] == {"type": "bar", "x": "dow", "y": ["mean_r"]}


def test_share_of_gaps_that_fill(nq, sample, rth_days):
    result = run_query(prompt_example("gap_fill_points"), nq, sample[1])
    gaps = rth_days.with_columns((pl.col("open") - pl.col("prev_close")).alias("g")).filter(
        pl.col("g").abs() > 20
    )
    filled = gaps.with_columns(
        pl.when(pl.col("g") > 0)
        .then(pl.col("low") <= pl.col("prev_close"))
        .otherwise(pl.col("high") >= pl.col("prev_close"))
        .alias("filled")
    )["filled"]
    assert result["kind"] == "values"
    assert result["values"]["count"] == gaps.height > 0
    assert result["values"]["pct_filled"] == pytest.approx(filled.mean() * 100, rel=1e-12)


def test_rth_high_in_first_30_minutes_by_quarter(nq, sample):
    result = run_query(early_high("quarter", period="2024"), nq, sample[1])
    rth = sample[0].filter(
        pl.col("minute").is_between(RTH_OPEN, RTH_CLOSE - 1) & (pl.col("trade_date").dt.year() == 2024)
    )
    highs = rth.filter(pl.col("high") == pl.col("high").max().over("trade_date"))
    per_day = highs.group_by("trade_date").agg((pl.col("minute") < 600).any().alias("early"))
    expected = (
        per_day.group_by(pl.col("trade_date").dt.quarter().alias("q"))
        .agg((pl.col("early").mean() * 100).alias("pct"))
        .sort("q")
    )
    assert [r[0] for r in result["rows"]] == [1, 2, 3, 4]
    assert [r[1] for r in result["rows"]] == pytest.approx(expected["pct"].to_list(), rel=1e-12)
    assert result["source"]["rows_scanned"] == rth.height
