"""The default sample set moves like a market: correlations by pair, computed by hand from the written Parquet."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from data_store.layout import DataFolder
from shared.ingest import DEFAULT_SYMBOLS, write_sample_data
from shared.ingest.factors import FACTORS, loadings
from shared.ingest.sample import generate_minute_bars
from shared.market.instruments import list_instruments

END = date(2025, 6, 30)  # one year across two calendar years, for the by-year correlation
RTH_OPEN, RTH_CLOSE = 9 * 60 + 30, 16 * 60 + 15


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> DataFolder:
    root = tmp_path_factory.mktemp("sample")
    write_sample_data(root, DEFAULT_SYMBOLS, 1, seed=0, end=END, progress=lambda _: None)
    return DataFolder(root)


def read_bars(folder: DataFolder, symbol: str, bar_size: str) -> pl.DataFrame:
    manifest = folder.manifest()
    assert manifest is not None
    bar_file = manifest.bar_file(symbol, bar_size)
    assert bar_file is not None
    return pl.read_parquet(folder.root / bar_file.key)


@pytest.fixture(scope="module")
def daily_returns(folder: DataFolder) -> pl.DataFrame:
    """Close-to-close log returns of every default instrument, one column each, on their common trade dates."""
    frames = [
        read_bars(folder, symbol, "1d").select("trade_date", pl.col("close").log().diff().alias(symbol))
        for symbol in DEFAULT_SYMBOLS
    ]
    joined = frames[0]
    for frame in frames[1:]:
        joined = joined.join(frame, on="trade_date")
    return joined.drop_nulls().sort("trade_date")


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a, b)[0, 1])


def test_the_default_set_spans_the_asset_classes() -> None:
    categories = {i.symbol: i.category for i in list_instruments() if i.symbol in DEFAULT_SYMBOLS}
    assert len(categories) == len(DEFAULT_SYMBOLS) >= 8
    assert set(categories.values()) >= {"index", "energy", "metals", "treasury", "currency"}


@pytest.mark.parametrize(
    ("a", "b", "low", "high"),
    [
        ("NQ", "ES", 0.8, 0.97),
        ("ES", "YM", 0.8, 0.98),
        ("ES", "RTY", 0.7, 0.93),
        ("CL", "ES", 0.1, 0.5),
        ("CL", "GC", 0.0, 0.4),
        ("GC", "ES", -0.2, 0.2),
        ("ZN", "ES", -0.5, 0.0),
        ("6E", "ES", -0.1, 0.35),
        ("6E", "GC", 0.1, 0.5),
    ],
)
def test_daily_return_correlations_fall_in_their_bands(
    daily_returns: pl.DataFrame, a: str, b: str, low: float, high: float
) -> None:
    assert daily_returns.height > 240  # a year of common trade dates
    assert low < correlation(daily_returns[a].to_numpy(), daily_returns[b].to_numpy()) < high


def test_nq_and_es_correlate_highly_every_year_but_not_identically(daily_returns: pl.DataFrame) -> None:
    by_year = [
        correlation(year["NQ"].to_numpy(), year["ES"].to_numpy())
        for _, year in daily_returns.group_by(pl.col("trade_date").dt.year(), maintain_order=True)
    ]
    assert len(by_year) == 2
    assert all(0.8 < value < 0.97 for value in by_year)
    assert by_year[0] != by_year[1]


def test_realised_volatilities_rank_like_the_markets(daily_returns: pl.DataFrame) -> None:
    volatility = {s: float(np.std(daily_returns[s].to_numpy())) * np.sqrt(252) for s in DEFAULT_SYMBOLS}
    ranked = sorted(volatility, key=volatility.__getitem__)
    assert ranked[:2] == ["ZN", "6E"] and ranked[-1] == "CL"
    assert min(volatility["RTY"], volatility["NQ"]) > max(volatility["ES"], volatility["YM"])


def rth_returns(minutes: pl.DataFrame, name: str) -> pl.DataFrame:
    """Per trade date, the log return from the first to the last regular-hours minute."""
    return (
        minutes.filter(pl.col("minute").is_between(RTH_OPEN, RTH_CLOSE - 1))
        .group_by("trade_date")
        .agg((pl.col("close").last() / pl.col("open").first()).log().alias(name))
    )


def test_equity_indices_co_move_in_regular_hours_and_minute_by_minute(folder: DataFolder) -> None:
    nq, es = read_bars(folder, "NQ", "1m"), read_bars(folder, "ES", "1m")
    rth = rth_returns(nq, "NQ").join(rth_returns(es, "ES"), on="trade_date")
    assert correlation(rth["NQ"].to_numpy(), rth["ES"].to_numpy()) > 0.8

    def minute_returns(frame: pl.DataFrame, name: str) -> pl.DataFrame:
        return frame.select("ts", "minute", (pl.col("close") / pl.col("open")).log().alias(name))

    minutes = minute_returns(nq, "NQ").join(minute_returns(es, "ES").drop("minute"), on="ts")
    regular = minutes.filter(pl.col("minute").is_between(RTH_OPEN, RTH_CLOSE - 1))
    assert regular.height > 80_000
    assert correlation(regular["NQ"].to_numpy(), regular["ES"].to_numpy()) > 0.8


def test_crude_and_gold_barely_co_move_minute_by_minute(folder: DataFolder) -> None:
    def minute_returns(symbol: str) -> pl.DataFrame:
        frame = read_bars(folder, symbol, "1m")
        return frame.select("ts", (pl.col("close") / pl.col("open")).log().alias(symbol))

    minutes = minute_returns("CL").join(minute_returns("GC"), on="ts")
    assert -0.1 < correlation(minutes["CL"].to_numpy(), minutes["GC"].to_numpy()) < 0.4


def test_instruments_generated_apart_share_the_market_where_their_ranges_overlap() -> None:
    # Different ranges and separate calls: the common moves are tied to dates and minutes, not to the call.
    nq = generate_minute_bars("NQ", date(2024, 1, 1), date(2024, 12, 31), seed=5)
    es = generate_minute_bars("ES", date(2024, 4, 1), date(2025, 3, 31), seed=5)
    overlap = rth_returns(nq, "NQ").join(rth_returns(es, "ES"), on="trade_date")
    assert overlap.height > 150
    assert correlation(overlap["NQ"].to_numpy(), overlap["ES"].to_numpy()) > 0.8


def test_the_same_seed_writes_the_same_files(tmp_path: Path) -> None:
    digests = []
    for name in ("a", "b"):
        write_sample_data(tmp_path / name, ("NQ", "ZN"), 0.05, seed=3, end=END, progress=lambda _: None)
        manifest = DataFolder(tmp_path / name).manifest()
        assert manifest is not None
        digests.append({key.rsplit("/", 1)[-1] for key in manifest.data_keys()})
    assert digests[0] == digests[1] and len(digests[0]) == 4


def test_every_catalogue_instruments_loadings_leave_room_for_its_own_noise() -> None:
    for instrument in list_instruments():
        weights = loadings(instrument)
        assert set(weights) <= set(FACTORS), instrument.symbol
        assert sum(w * w for w in weights.values()) < 1, instrument.symbol
