from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import polars as pl
import pytest

from data_store.layout import SCHEMA
from shared.ingest.sample import generate_daily_bars, generate_minute_bars
from shared.market.calendar import assign_trade_date_and_minute, close_time, day_type, trading_days
from shared.market.instruments import get_instrument, list_instruments

START, END = date(2021, 1, 1), date(2024, 12, 31)
NQ = get_instrument("NQ")


@pytest.fixture(scope="module")
def nq() -> pl.DataFrame:
    return generate_minute_bars("NQ", START, END, seed=7)


def test_schema_sorted_and_unique(nq):
    assert dict(nq.schema) == SCHEMA
    assert nq["ts"].is_sorted() and nq["ts"].n_unique() == nq.height
    assert nq.height > 1_000_000


def test_trade_dates_are_the_calendar_trading_days(nq):
    assert nq["trade_date"].unique().sort().to_list() == trading_days(NQ.calendar, START, END)


def test_trade_date_and_minute_agree_with_the_calendar_assignment(nq):
    trade_date, minute = assign_trade_date_and_minute(nq, NQ)
    assert trade_date.equals(nq["trade_date"], check_names=False)
    assert minute.equals(nq["minute"], check_names=False)


def test_no_bars_on_full_closes(nq):
    local = nq.select(pl.col("ts").dt.convert_time_zone("America/New_York").dt.date().alias("day"), "minute")
    for holiday in (date(2024, 11, 28), date(2024, 12, 25), date(2022, 6, 20), date(2024, 3, 29)):
        assert day_type(NQ.calendar, holiday) == "closed"
        # Nothing from the evening before (18:00) through the holiday's own 17:00.
        on_day = local.filter((pl.col("day") == holiday) & (pl.col("minute") < 1080))
        evening_before = local.filter(pl.col("day") == holiday - timedelta(days=1))
        assert on_day.height == 0, holiday
        assert evening_before.filter(pl.col("minute") >= 1080).height == 0, holiday


def test_no_bars_after_an_early_close(nq):
    for day in (date(2024, 11, 29), date(2024, 12, 24), date(2024, 7, 3), date(2023, 11, 24)):
        assert day_type(NQ.calendar, day) == "early_close"
        closing = close_time(NQ, day)
        assert closing == time(13, 15)
        last = nq.filter(pl.col("trade_date") == day)["minute"].to_list()[-1]
        assert last == 13 * 60 + 14, day


def test_no_bars_in_the_daily_halt(nq):
    assert nq.filter((pl.col("minute") >= 17 * 60) & (pl.col("minute") < 18 * 60)).height == 0
    full_day = nq.filter(pl.col("trade_date") == date(2024, 5, 15))
    assert full_day.height == 23 * 60


def test_sunday_evening_bar_belongs_to_monday_across_dst(nq):
    for sunday, utc_hour, monday in (
        (date(2024, 3, 10), 22, date(2024, 3, 11)),  # first day of EDT
        (date(2024, 11, 3), 23, date(2024, 11, 4)),  # first day of EST
        (date(2024, 1, 14), 23, date(2024, 1, 16)),  # Monday is MLK day: Tuesday
    ):
        first = nq.filter(pl.col("ts") >= datetime(sunday.year, sunday.month, sunday.day, tzinfo=UTC)).row(
            0, named=True
        )
        assert first["ts"].hour == utc_hour and first["minute"] == 18 * 60
        assert first["trade_date"] == monday


def test_ohlc_consistency_and_ticks(nq):
    assert nq.filter(
        (pl.col("high") < pl.max_horizontal("open", "close"))
        | (pl.col("low") > pl.min_horizontal("open", "close"))
        | (pl.col("low") <= 0)
        | (pl.col("volume") <= 0)
    ).is_empty()
    ticks = nq["close"].to_numpy() / NQ.tick_size
    assert np.abs(ticks - np.round(ticks)).max() < 1e-6


def test_u_shaped_intraday_volume(nq):
    by_minute = nq.group_by("minute").agg(pl.col("volume").mean()).sort("minute")
    volume = dict(zip(by_minute["minute"].to_list(), by_minute["volume"].to_list(), strict=True))
    opening, midday, closing, overnight = (
        volume[570],
        volume[12 * 60 + 30],
        volume[16 * 60 + 10],
        volume[2 * 60],
    )
    assert opening > 2 * midday and closing > 1.5 * midday and midday > 2 * overnight


def test_volatility_clusters(nq):
    daily = generate_daily_bars(nq, NQ)
    returns = np.abs(np.diff(np.log(daily["close"].to_numpy())))
    autocorrelation = np.corrcoef(returns[:-1], returns[1:])[0, 1]
    assert autocorrelation > 0.05
    assert 0.005 < returns.mean() < 0.03  # a plausible daily move for an equity index


def test_daily_bars_one_per_trade_date(nq):
    daily = generate_daily_bars(nq, "NQ")
    assert dict(daily.schema) == SCHEMA
    assert daily["trade_date"].to_list() == trading_days(NQ.calendar, START, END)
    assert daily["minute"].null_count() == daily.height
    day = nq.filter(pl.col("trade_date") == date(2024, 6, 3))
    row = daily.filter(pl.col("trade_date") == date(2024, 6, 3)).row(0, named=True)
    assert row["open"] == day["open"][0] and row["close"] == day["close"][-1]
    assert row["high"] == day["high"].max() and row["low"] == day["low"].min()
    assert row["volume"] == day["volume"].sum() and row["ts"] == day["ts"][0]


def test_same_seed_same_frame_other_seed_other_prices():
    a = generate_minute_bars("ES", date(2024, 3, 1), date(2024, 3, 15), seed=3)
    b = generate_minute_bars("ES", date(2024, 3, 1), date(2024, 3, 15), seed=3)
    c = generate_minute_bars("ES", date(2024, 3, 1), date(2024, 3, 15), seed=4)
    assert a.equals(b)
    assert a["ts"].equals(c["ts"]) and not a["close"].equals(c["close"])


@pytest.mark.parametrize(
    ("symbol", "day", "low", "high"),
    [
        ("NQ", date(2008, 3, 3), 1200, 3000),
        ("NQ", date(2025, 3, 3), 15000, 28000),
        ("ES", date(2015, 3, 2), 1600, 2600),
        ("CL", date(2016, 2, 1), 20, 60),
        ("GC", date(2020, 6, 1), 1400, 2100),
    ],
)
def test_levels_resemble_the_contract(symbol, day, low, high):
    bars = generate_minute_bars(symbol, day, date(day.year, day.month, 28))
    assert low < bars["close"].median() < high


def test_every_catalogue_future_generates_on_its_calendar():
    for instrument in list_instruments():
        if instrument.type != "futures":
            continue
        bars = generate_minute_bars(instrument.symbol, date(2025, 12, 22), date(2025, 12, 31))
        assert bars.height > 0, instrument.symbol
        days = bars["trade_date"].unique().to_list()
        assert all(day_type(instrument.calendar, d) != "closed" for d in days), instrument.symbol
        ticks = bars["open"].to_numpy() / instrument.tick_size
        assert np.abs(ticks - np.round(ticks)).max() < 1e-6, instrument.symbol


def test_bitcoin_starts_at_its_listing_and_bad_input_is_rejected():
    assert generate_minute_bars("BTC", date(2017, 1, 1), date(2017, 12, 20))["trade_date"].min() == date(
        2017, 12, 18
    )
    assert generate_minute_bars("NQ", date(2024, 1, 2), date(2024, 1, 1)).is_empty()
    with pytest.raises(ValueError, match="no synthetic levels"):
        generate_minute_bars("AAPL", START, END)
