"""Backtest rules on a longer bar size and on another instrument, checked against hand-written Polars."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from shared.backtest import StrategyInvalid, run_backtest
from shared.ingest.sample import generate_daily_bars, generate_minute_bars
from shared.market import get_instrument
from shared.script import FrameBars, FramesUniverse

NQ, ES = get_instrument("NQ"), get_instrument("ES")


@pytest.fixture(scope="module")
def universe() -> FramesUniverse:
    frames = {}
    for instrument in (NQ, ES):
        assert instrument is not None
        minutes = generate_minute_bars(instrument.symbol, date(2024, 1, 2), date(2024, 6, 28), seed=4)
        frames[instrument.symbol] = FrameBars(minutes, generate_daily_bars(minutes, instrument))
    return FramesUniverse(frames)


def _daily(universe: FramesUniverse, symbol: str) -> pl.DataFrame:
    daily = universe.bars(symbol).daily()
    assert daily is not None
    return daily.collect().select(pl.col("trade_date").alias("date"), "close").sort("date")


def test_an_hourly_rule_on_the_last_completed_daily_sma(universe):
    strategy = {
        "from": "1h",
        "entry": "close > on('daily', sma(close, 20))",
        "direction": "long",
        "exit_bars": 2,
    }
    result = run_backtest(strategy, NQ, universe.bars("NQ"), timeout_s=60)
    daily = _daily(universe, "NQ").with_columns(pl.col("close").rolling_mean(20).shift(1).alias("sma"))
    sma_of = dict(zip(daily["date"].to_list(), daily["sma"].to_list(), strict=True))
    dates = result.bars.dates.to_list()
    expected = np.array(
        [sma_of.get(d) is not None and c > sma_of[d] for d, c in zip(dates, result.bars.close, strict=True)]
    )
    assert expected.any() and not expected.all()
    assert np.array_equal(result.bars.entry, expected)
    assert result.trades


def test_a_daily_rule_on_another_instrument(universe):
    strategy = {"entry": "on('ES', change_pct(close)) < -0.5", "direction": "long", "exit_bars": 1}
    result = run_backtest(strategy, NQ, universe.bars("NQ"), timeout_s=60, universe=universe)
    es = _daily(universe, "ES").with_columns((pl.col("close").pct_change() * 100).alias("r"))
    r_of = dict(zip(es["date"].to_list(), es["r"].to_list(), strict=True))
    expected = np.array([(r_of.get(d) or 0) < -0.5 for d in result.bars.dates.to_list()])
    assert expected.sum() > 3
    assert np.array_equal(result.bars.entry, expected)
    assert {result.bars.dates[t.entry_index - 1] for t in result.trades} <= {
        d for d, flag in zip(result.bars.dates.to_list(), expected, strict=True) if flag
    }


def test_another_instrument_without_a_universe_is_refused_before_reading(universe):
    strategy = {"entry": "on('ES', close) > 0", "direction": "long"}
    with pytest.raises(StrategyInvalid) as refused:
        run_backtest(strategy, NQ, universe.bars("NQ"))
    assert "reads another instrument" in refused.value.errors[0].message
