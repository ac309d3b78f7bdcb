"""The many-series questions' numbers against independent computations in plain Polars on the sample bars.

Each check rebuilds the answer from the stored one-minute and daily bars without the engine (RTH bars are
aggregated here from the minute bars of the session's hours), then compares it with the question's query.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import polars as pl
import pytest

from data_store import BarStore
from shared.market import get_instrument
from tests.assistant.questions import direct_result, question

FOMC_DAYS = [  # decision days (the second day of each meeting) inside the sample's span, from the Fed's calendar
    date(2025, 6, 18),
    date(2025, 7, 30),
    date(2025, 9, 17),
    date(2025, 10, 29),
    date(2025, 12, 10),
    date(2026, 1, 28),
    date(2026, 3, 18),
    date(2026, 4, 29),
    date(2026, 6, 17),
    date(2026, 7, 29),
    date(2026, 9, 16),
    date(2026, 10, 28),
]


def _daily(bars: BarStore, symbol: str) -> pl.DataFrame:
    frame = bars.scan(symbol, "1d")
    assert frame is not None
    return frame.select("trade_date", "close").collect().sort("trade_date")


def _rth(bars: BarStore, symbol: str) -> pl.DataFrame:
    """One bar per trade date from the minute bars that open inside the instrument's RTH hours."""
    instrument = get_instrument(symbol)
    assert instrument is not None
    rth = instrument.sessions["RTH"]
    start, end = (int(t[:2]) * 60 + int(t[3:]) for t in (rth.start, rth.end))
    frame = bars.scan(symbol, "1m")
    assert frame is not None
    return (
        frame.filter((pl.col("minute") >= start) & (pl.col("minute") < end))
        .sort("ts")
        .group_by("trade_date", maintain_order=True)
        .agg(pl.col("open").first(), pl.col("high").max(), pl.col("low").min(), pl.col("close").last())
        .collect()
    )


def _returns(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    return frame.select("trade_date", ((pl.col("close") / pl.col("close").shift(1) - 1) * 100).alias(name))


def _answer(bars: BarStore, question_id: str, index: int = 0) -> dict[str, Any]:
    asked = question(question_id)
    return direct_result(asked, asked["queries"][index], bars)


def test_correlation_of_daily_returns_by_year(sample_store: BarStore) -> None:
    joined = _returns(_daily(sample_store, "NQ"), "nq").join(
        _returns(_daily(sample_store, "ES"), "es"), on="trade_date", how="left"
    )
    expected = (
        joined.drop_nulls()
        .group_by(pl.col("trade_date").dt.year().alias("y"))
        .agg(pl.corr("nq", "es").alias("corr"), pl.len().alias("days"))
        .sort("y")
    )
    result = _answer(sample_store, "nq_es_correlation_by_year")
    got = {row[0]: row[1] for row in result["rows"]}
    assert sorted(got) == expected["y"].to_list() == [2025, 2026]
    for year, corr in zip(expected["y"], expected["corr"], strict=True):
        assert got[year] == pytest.approx(corr, rel=1e-9)
    assert 0.5 < min(got.values()) < 1  # the sample's index futures co-move, as real ones do


def test_ratio_z_score_and_how_often_it_reverts(sample_store: BarStore) -> None:
    nq, es = _daily(sample_store, "NQ"), _daily(sample_store, "ES")
    ratio = nq.join(es, on="trade_date", suffix="_es").select(
        "trade_date", (pl.col("close") / pl.col("close_es")).alias("ratio")
    )
    mean, std = pl.col("ratio").rolling_mean(20), pl.col("ratio").rolling_std(20)
    z = ratio.with_columns(((pl.col("ratio") - mean) / std).alias("z"))["z"].to_list()
    table = _answer(sample_store, "nq_es_ratio_zscore", 0)
    assert [row[2] for row in table["rows"]] == [None if v is None else pytest.approx(v, rel=1e-9) for v in z]
    signals = [i for i in range(1, len(z)) if None not in (z[i], z[i - 1]) and abs(z[i]) > 2 >= abs(z[i - 1])]
    # Reverted: |z| below 1 on one of the five following days (a signal too close to the end has no answer).
    answered = [i for i in signals if i + 5 < len(z)]
    reverted = [i for i in answered if min(abs(v) for v in z[i + 1 : i + 6]) < 1]
    values = _answer(sample_store, "nq_es_ratio_zscore", 1)["values"]
    assert values == {
        "signals": len(signals),
        "reverted_pct": pytest.approx(100 * len(reverted) / len(answered), rel=1e-9),
    }
    assert len(signals) >= 10


def test_nq_the_day_after_es_falls_more_than_one_percent_in_rth(sample_store: BarStore) -> None:
    nq, es = _returns(_rth(sample_store, "NQ"), "nq"), _returns(_rth(sample_store, "ES"), "es")
    days = nq.with_columns(pl.col("nq").shift(-1).alias("nq_next")).join(es, on="trade_date", how="left")
    picked = days.filter(pl.col("es") < -1)
    following = picked["nq_next"].drop_nulls()
    values = _answer(sample_store, "nq_after_es_down_day")["values"]
    assert values == {
        "days": picked.height,
        "avg_nq_next": pytest.approx(following.mean(), rel=1e-9),
        "nq_up_pct": pytest.approx(100 * (following > 0).sum() / following.len(), rel=1e-9),
    }
    assert picked.height >= 20


def test_screen_of_twenty_day_realised_volatility_ranks_every_instrument(sample_store: BarStore) -> None:
    expected = {}
    for symbol in sample_store.symbols():
        returns = _returns(_daily(sample_store, symbol), "r")["r"].tail(20)
        expected[symbol] = returns.std() * math.sqrt(252)
    ranked = sorted(expected, key=lambda s: -expected[s])
    result = _answer(sample_store, "volatility_screen_all")
    rows = result["rows"]
    assert [row[:2] for row in rows] == [[i + 1, s] for i, s in enumerate(ranked)]
    assert [row[2] for row in rows] == [pytest.approx(expected[s], rel=1e-9) for s in ranked]
    assert len(ranked) == 8


def test_gap_fill_screen_over_the_workspace_in_2025(sample_store: BarStore) -> None:
    asked = question("gap_fill_screen_workspace")
    rates = {}
    for symbol in asked["workspace"]:
        bars = _rth(sample_store, symbol).with_columns(pl.col("close").shift(1).alias("prev"))
        gaps = bars.with_columns((pl.col("open") - pl.col("prev")).alias("g")).filter(
            (pl.col("trade_date").dt.year() == 2025) & (pl.col("g") != 0)
        )
        filled = (
            pl.when(pl.col("g") > 0)
            .then(pl.col("low") <= pl.col("prev"))
            .otherwise(pl.col("high") >= pl.col("prev"))
        )
        rates[symbol] = (gaps.height, 100 * gaps.select(filled.mean()).item())
    rows = _answer(sample_store, "gap_fill_screen_workspace")["rows"]
    ranked = sorted(rates, key=lambda s: -rates[s][1])
    assert [row[1] for row in rows] == ranked
    for row in rows:
        gaps, rate = rates[row[1]]
        assert row[2:] == [gaps, pytest.approx(rate, rel=1e-9)]


def test_es_rth_range_on_fomc_days_against_the_fed_calendar(sample_store: BarStore) -> None:
    days = _rth(sample_store, "ES").with_columns(
        (pl.col("high") - pl.col("low")).alias("r"), pl.col("trade_date").is_in(FOMC_DAYS).alias("fomc")
    )
    expected = days.group_by("fomc").agg(pl.len().alias("days"), pl.col("r").mean().alias("avg_range"))
    rows = {row[0]: row[1:] for row in _answer(sample_store, "es_range_fomc")["rows"]}
    assert rows[True][0] == len(FOMC_DAYS)
    for fomc, count, avg in expected.iter_rows():
        assert rows[fomc] == [count, pytest.approx(avg, rel=1e-9)]
