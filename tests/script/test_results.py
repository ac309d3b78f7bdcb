"""The result object: kinds, typed columns and formats, order, caps, JSON safety, summary, explain, errors."""

from __future__ import annotations

import json
import threading

import polars as pl
import pytest

from shared.script import QueryFailed, QueryInvalid, QueryTimeout, run_query
from shared.script.results import MAX_ROWS


def _names(result: dict) -> list[str]:
    return [c["name"] for c in result["columns"]]


def test_default_column_order(run):
    daily = run({"period": "2024-02", "map": {"chg": "change_pct(close)", "r": "range()"}})
    assert _names(daily) == ["date", "chg", "r", "open", "high", "low", "close", "volume"]
    intraday = run({"from": "1h", "period": "2024-02-06", "map": {"x": "close - open"}})
    assert _names(intraday) == ["date", "time", "x", "open", "high", "low", "close", "volume"]
    assert [c["type"] for c in intraday["columns"][:3]] == ["date", "time", "number"]
    grouped = run(
        {"map": {"dow": "dayofweek()", "r": "range()"}, "group_by": "dow", "select": ["mean(r)", "count()"]}
    )
    assert _names(grouped) == ["dow", "mean_r", "count"]
    assert grouped["columns"][2]["type"] == "integer"


def test_weekday_and_month_formats_with_and_without_columns(run):
    query = {"period": "2024-02", "map": {"dow": "dayofweek()", "mo": "month()", "up": "close > open"}}
    plain = run(query)
    projected = run({**query, "columns": ["mo", "dow", "up"]})
    for result in (plain, projected):
        by_name = {c["name"]: c for c in result["columns"]}
        assert by_name["dow"] == {"name": "dow", "type": "integer", "format": "weekday"}
        assert by_name["mo"] == {"name": "mo", "type": "integer", "format": "month"}
        assert by_name["up"] == {"name": "up", "type": "boolean"}
    assert projected["rows"][0][1] == plain["rows"][0][_names(plain).index("dow")]
    grouped = run({"map": {"dow": "dayofweek()"}, "group_by": "dow", "sort": "dow desc"})
    assert grouped["columns"][0]["format"] == "weekday" and grouped["rows"][0][0] == 4


def test_rows_are_capped_with_total(run):
    result = run({"from": "1m", "period": "2024-02"})
    assert len(result["rows"]) == MAX_ROWS and result["truncated"] is True
    assert result["total_rows"] > MAX_ROWS
    assert any("Showing the first 10000" in w for w in result["warnings"])
    assert "showing the first 10000" in result["summary"]


def test_nan_and_infinity_become_null(run):
    result = run(
        {
            "period": "2024-02-06",
            "map": {"a": "log(close - close)", "b": "sqrt(-1 * close)", "c": "10 ** 400"},
        }
    )
    text = json.dumps(result, allow_nan=False)
    row = result["rows"][0]
    assert row[1:4] == [None, None, None]
    assert "NaN" not in text and "Infinity" not in text
    scalar = run({"period": "2024-02", "select": "mean(log(close - close))"})
    assert scalar["value"] is None


def test_summary_is_deterministic_and_compact(run):
    query = {"from": "1m", "map": {"r": "range()"}}
    first, second = run(query), run(query)
    assert first["summary"] == second["summary"]
    assert len(first["summary"]) < 600
    assert first["summary"].splitlines()[0].startswith(f"{first['total_rows']} rows")
    grouped = run({"map": {"dow": "dayofweek()", "r": "range()"}, "group_by": "dow", "select": "mean(r)"})
    assert "highest mean_r: dow=" in grouped["summary"] and "lowest mean_r: dow=" in grouped["summary"]


def test_source_query_and_elapsed(run):
    result = run({"session": "rth", "period": "2024-02", "map": {"r": "range()"}, "limit": 3, "select": None})
    assert result["source"]["session"] == "RTH" and result["source"]["period"] == ["2024-02-01", "2024-02-29"]
    assert result["query"] == {
        "session": "RTH",
        "from": "daily",
        "period": "2024-02",
        "map": {"r": "range()"},
        "limit": 3,
    }
    assert isinstance(result["elapsed_ms"], float)


def test_chart_suggestions(run):
    assert run({"period": "2024-02"})["chart"] == {
        "type": "candles",
        "x": "date",
        "y": ["open", "high", "low", "close"],
    }
    assert run({"period": "2024-02", "map": {"r": "range()"}})["chart"] == {
        "type": "line",
        "x": "date",
        "y": ["r"],
    }
    assert run({"period": "2024-02", "select": "count()"})["chart"] is None


def test_explain_returns_the_rows_that_fed_the_aggregate(run):
    query = {"period": "2024-02", "map": {"up": "close > open"}, "where": "up", "select": "count()"}
    plain = run(query)
    explained = run(query, explain=True)
    assert "explain" not in plain
    block = explained["explain"]
    assert len(block["rows"]) == explained["value"]
    assert [c["name"] for c in block["columns"]][:2] == ["date", "up"]
    big = run({"from": "1m", "period": "2024-02", "select": "count()"}, explain=True)["explain"]
    assert big["truncated"] is True and len(big["rows"]) == MAX_ROWS


def test_lookahead_functions_are_flagged(run):
    warnings = run({"period": "2024-02", "map": {"n": "next(close)"}})["warnings"]
    assert warnings == ["next() looks at later bars (not usable for trading rules)."]


def test_no_bars_in_period_is_a_warning_not_an_error(run):
    result = run({"period": "2030"})
    assert result["rows"] == [] and result["source"]["rows_scanned"] == 0
    assert result["warnings"][0].startswith("No bars matched")
    assert run({"period": "2030", "select": "count()"})["value"] == 0


def test_invalid_query_raises_every_error(run):
    with pytest.raises(QueryInvalid) as caught:
        run({"map": {"x": "close = open"}, "limit": -1})
    assert len(caught.value.errors) == 2


class _BlockedBars:
    """Bars that never arrive until the test lets them: the query can only end by its time budget."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.read = threading.Event()

    def minute(self) -> pl.LazyFrame:
        self.release.wait(60)
        self.read.set()
        raise LookupError("released")

    def daily(self) -> pl.LazyFrame | None:
        return self.minute()


def test_timeout_is_a_typed_error(nq):
    bars = _BlockedBars()
    try:
        with pytest.raises(QueryTimeout) as caught:
            run_query({"from": "1m"}, nq, bars, timeout_s=0.2)
        assert not bars.read.is_set()  # the caller stopped waiting while the work was still blocked
    finally:
        bars.release.set()
    assert "did not finish within 0.2 s" in str(caught.value)


class _BrokenBars:
    def minute(self) -> pl.LazyFrame:
        return pl.LazyFrame({"ts": [1], "open": ["x"]})

    def daily(self) -> pl.LazyFrame | None:
        return None


def test_engine_failures_are_typed(nq):
    with pytest.raises(QueryFailed) as caught:
        run_query({"map": {"r": "range()"}}, nq, _BrokenBars())
    assert caught.value.code in ("QUERY_FAILED", "QUERY_INTERNAL")
    assert caught.value.message


class _NoData:
    def minute(self) -> pl.LazyFrame:
        raise LookupError("no one-minute bars for NQ")

    def daily(self) -> pl.LazyFrame | None:
        return None


def test_missing_data_is_no_data(nq):
    with pytest.raises(QueryFailed) as caught:
        run_query({}, nq, _NoData())
    assert caught.value.code == "NO_DATA"


class _UnreachableBars:
    def minute(self) -> pl.LazyFrame:
        from data_store.errors import DataUnavailable

        raise DataUnavailable("bars/1m/NQ.abc.parquet is listed but not fetchable")

    def daily(self) -> pl.LazyFrame | None:
        return self.minute()


def test_unreachable_bars_are_data_unavailable(nq):
    with pytest.raises(QueryFailed) as caught:
        run_query({}, nq, _UnreachableBars())
    assert caught.value.code == "DATA_UNAVAILABLE" and "try again" in caught.value.message


class _Untouchable:
    def minute(self) -> pl.LazyFrame:
        raise AssertionError("data was read for an invalid query")

    def daily(self) -> pl.LazyFrame | None:
        raise AssertionError("data was read for an invalid query")


def test_invalid_queries_read_no_data(nq):
    with pytest.raises(QueryInvalid):
        run_query({"steps": [{"period": "2024"}, {"where": "bogus > 1"}]}, nq, _Untouchable())


def test_intermediate_one_row_step_and_explain_of_last_step(run):
    query = {
        "steps": [
            {"period": "2024-02", "select": {"hi": "max(high)", "lo": "min(low)"}},
            {"map": {"span": "hi - lo"}, "select": "max(span)"},
        ]
    }
    result = run(query, explain=True)
    assert result["kind"] == "scalar" and result["value"] > 0
    assert [c["name"] for c in result["explain"]["columns"]] == ["span", "hi", "lo"]
    assert result["explain"]["rows"] == [[result["value"], *result["explain"]["rows"][0][1:]]]


def test_summary_names_weekday_and_month_keys_like_the_ui(run):
    """The model reads "dow=Wednesday", not "dow=2" (which it could take as Tuesday, counting from Sunday)."""
    by_day = run({"map": {"dow": "dayofweek()", "r": "range()"}, "group_by": "dow", "select": "mean(r)"})
    rows = {row[0]: row[1] for row in by_day["rows"]}
    best = max(rows, key=rows.get)
    weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
    assert f"highest mean_r: dow={weekdays[best]}," in by_day["summary"]
    by_month = run({"map": {"mo": "month()", "r": "range()"}, "group_by": "mo", "select": "mean(r)"})
    months = {row[0]: row[1] for row in by_month["rows"]}
    lowest = min(months, key=months.get)
    names = ["", "January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December"]  # fmt: skip
    assert f"lowest mean_r: mo={names[lowest]}," in by_month["summary"]
