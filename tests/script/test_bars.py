"""Bars built from minutes: trade dates, sessions, session-anchored bins, DST, holidays and early closes."""

from __future__ import annotations

from datetime import date

import polars as pl

RTH = (570, 975)


def _rows(result: dict) -> list[dict]:
    names = [c["name"] for c in result["columns"]]
    return [dict(zip(names, row, strict=True)) for row in result["rows"]]


def test_sunday_evening_belongs_to_monday(run, minutes):
    result = run({"from": "1m", "period": "2024-01-08", "limit": 1})
    first = _rows(result)[0]
    assert (first["date"], first["time"]) == ("2024-01-08", "18:00")
    sunday = minutes.filter(pl.col("trade_date") == date(2024, 1, 8)).row(0, named=True)
    assert sunday["ts"].isoformat().startswith("2024-01-07T23:00")  # Sunday 18:00 ET in UTC
    assert first["open"] == sunday["open"]


def test_daily_has_no_weekend_bars_and_weekday_is_trade_date(run, minute_only):
    result = run({"from": "daily", "map": {"dow": "dayofweek()"}, "group_by": "dow"}, data=minute_only)
    assert [row[0] for row in result["rows"]] == [0, 1, 2, 3, 4]


def test_eth_daily_from_minutes_is_whole_trade_date(run, minute_only, minutes):
    day = date(2024, 2, 6)
    got = _rows(run({"from": "daily", "period": "2024-02-06"}, data=minute_only))[0]
    same = minutes.filter(pl.col("trade_date") == day)
    assert got["open"] == same["open"][0] and got["close"] == same["close"][-1]
    assert got["high"] == same["high"].max() and got["low"] == same["low"].min()
    assert got["volume"] == same["volume"].sum()


def test_daily_without_session_uses_settlement_bars(run, settlements):
    result = run({"period": "2024-02-06"})
    assert result["source"]["bars"] == "daily-settlement"
    expected = settlements.filter(pl.col("trade_date") == date(2024, 2, 6))["close"][0]
    assert _rows(result)[0]["close"] == expected
    eth = run({"session": "eth", "period": "2024-02-06"})
    assert eth["source"]["bars"] == "daily-settlement" and eth["source"]["session"] == "ETH"


def test_rth_daily_is_the_rth_window(run, minutes):
    result = run({"session": "RTH", "period": "2024-02-06"})
    assert result["source"]["bars"] == "minute"
    window = minutes.filter(
        (pl.col("trade_date") == date(2024, 2, 6)) & pl.col("minute").is_between(RTH[0], RTH[1] - 1)
    )
    got = _rows(result)[0]
    assert got["open"] == window["open"][0] and got["close"] == window["close"][-1]
    assert got["high"] == window["high"].max() and got["low"] == window["low"].min()


def test_eth_hourly_bins_anchor_at_18_and_never_cross_sessions(run):
    rows = _rows(run({"from": "1h", "period": "2024-02-06"}))
    assert [r["time"] for r in rows[:3]] == ["18:00", "19:00", "20:00"]
    assert rows[-1]["time"] == "16:00"  # 16:00–16:59, the halt follows
    assert len(rows) == 23


def test_four_hour_bins_follow_the_session_open(run):
    rows = _rows(run({"from": "4h", "period": "2024-02-06"}))
    assert [r["time"] for r in rows] == ["18:00", "22:00", "02:00", "06:00", "10:00", "14:00"]


def test_rth_bins_anchor_at_0930_with_short_last_bin(run, minutes):
    rows = _rows(run({"session": "RTH", "from": "1h", "period": "2024-02-06"}))
    assert [r["time"] for r in rows] == ["09:30", "10:30", "11:30", "12:30", "13:30", "14:30", "15:30"]
    last = minutes.filter((pl.col("trade_date") == date(2024, 2, 6)) & pl.col("minute").is_between(930, 974))
    assert rows[-1]["volume"] == last["volume"].sum()


def test_dst_week_keeps_local_times(run):
    # US clocks moved forward on 2024-03-10: the session still opens at 18:00 local time.
    for day in ("2024-03-08", "2024-03-11", "2024-03-12"):
        rows = _rows(run({"from": "1h", "period": day, "limit": 1}))
        assert rows[0]["time"] == "18:00"
    rth = _rows(run({"session": "RTH", "from": "30m", "period": "2024-03-11", "limit": 1}))
    assert rth[0]["time"] == "09:30"


def test_holidays_have_no_bar_and_early_close_is_short(run, minute_only):
    rows = _rows(run({"from": "daily", "period": "2023-11-20:2023-11-27"}, data=minute_only))
    assert [r["date"] for r in rows] == ["2023-11-20", "2023-11-21", "2023-11-22", "2023-11-24", "2023-11-27"]
    hourly = _rows(run({"from": "1h", "period": "2023-11-24"}))
    assert hourly[-1]["time"] == "13:00"  # early close at 13:15


def test_weekly_groups_trade_dates_and_labels_with_first(run, minute_only):
    rows = _rows(run({"from": "weekly", "period": "2024-01"}, data=minute_only))
    # Jan 1 and Jan 15 are holidays: those weeks start on Tuesday.
    assert [r["date"] for r in rows] == ["2024-01-02", "2024-01-08", "2024-01-16", "2024-01-22", "2024-01-29"]
    days = _rows(run({"from": "daily", "period": "2024-01-08:2024-01-12"}, data=minute_only))
    assert rows[1]["high"] == max(d["high"] for d in days)
    assert rows[1]["open"] == days[0]["open"] and rows[1]["close"] == days[-1]["close"]


def test_monthly_quarterly_yearly_labels(run):
    assert [r[0] for r in run({"from": "monthly", "period": "2024-01:2024-03"})["rows"]] == [
        "2024-01-02",
        "2024-02-01",
        "2024-03-01",
    ]
    assert [r[0] for r in run({"from": "quarterly"})["rows"]] == ["2023-10-02", "2024-01-02", "2024-04-01"]
    assert [r[0] for r in run({"from": "yearly"})["rows"]] == ["2023-10-02", "2024-01-02"]


def test_linear_pass_and_group_by_fallback_agree(nq, minutes):
    # A missing volume sends the builder to the group-by path; every other value must be identical.
    from shared.script import BarRequest, FrameBars, build_bars

    holed = minutes.with_columns(
        pl.when(pl.int_range(pl.len()) == 1000).then(None).otherwise(pl.col("volume")).alias("volume")
    )
    for request in (
        BarRequest("1h", anchor=nq.sessions["ETH"]),
        BarRequest("5m", session=nq.sessions["RTH"], full_session=False, anchor=nq.sessions["ETH"]),
        BarRequest("daily", session=nq.sessions["RTH"], full_session=False),
        BarRequest("daily"),
    ):
        fast = build_bars(FrameBars(minutes), request)[0].collect()
        slow = build_bars(FrameBars(holed), request)[0].collect()
        assert fast.drop("volume").equals(slow.drop("volume")), request
        assert (fast["volume"] != slow["volume"]).sum() == 1


def test_frame_cache_keeps_recent_files_within_budget(tmp_path, minutes):
    from shared.script.bars import FrameCache

    paths = []
    for i in range(3):
        path = tmp_path / f"f{i}.parquet"
        minutes.head(1000).write_parquet(path)
        paths.append(path)
    one = minutes.head(1000).estimated_size()
    cache = FrameCache(max_bytes=int(one * 2.5))
    first = cache.get(paths[0])
    assert cache.get(paths[0]) is first
    cache.get(paths[1])
    cache.get(paths[2])
    assert cache.get(paths[0]) is not first  # evicted as least recently used, read again


def test_stock_pre_market_bars_stay_in_time_order():
    # A stock anchored at its 09:30 open, with pre-market trades from 08:00: bins keep time order.
    from shared.script import BarRequest, FrameBars, build_bars
    from tests.stocks import made_up_stock

    stock = made_up_stock("XYZ", "NYSE", "NYSE", category="equity")
    minutes = list(range(8 * 60, 16 * 60))
    frame = pl.DataFrame(
        {
            "trade_date": [date(2024, 3, 4)] * len(minutes),
            "minute": pl.Series(minutes, dtype=pl.Int16),
            "open": [float(m) for m in minutes],
            "high": [m + 0.5 for m in minutes],
            "low": [m - 0.5 for m in minutes],
            "close": [m + 0.25 for m in minutes],
            "volume": [1.0] * len(minutes),
        }
    )
    request = BarRequest("1h", anchor=stock.sessions["RTH"])
    bars = build_bars(FrameBars(frame), request)[0].collect()
    assert bars["minute"].to_list() == [450, 510, 570, 630, 690, 750, 810, 870, 930]  # 07:30 … 15:30
    assert bars["open"].to_list()[:3] == [480.0, 510.0, 570.0] and bars["volume"].to_list()[:3] == [
        30,
        60,
        60,
    ]


def test_store_bars_read_each_file_once(tmp_path, minutes):
    from shared.script.bars import FrameCache, StoreBars

    path = tmp_path / "NQ.parquet"
    minutes.head(500).write_parquet(path)

    class Store:
        def path(self, symbol: str, bar_size: str):
            return path if bar_size == "1m" else None

    class ScanOnly:
        def scan(self, symbol: str, bar_size: str):
            return pl.scan_parquet(path) if bar_size == "1m" else None

    cache = FrameCache(10**9)
    bars = StoreBars(Store(), "NQ", cache)
    assert bars.minute().collect().height == 500 and bars.daily() is None
    assert cache.get(path) is cache.get(path)
    assert StoreBars(ScanOnly(), "NQ").minute().collect().height == 500
