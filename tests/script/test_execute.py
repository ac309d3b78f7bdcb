"""Execution semantics: period vs full history, aggregates over the period, last_N, steps, literals, nulls."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest


def _column(result: dict, name: str) -> list:
    index = [c["name"] for c in result["columns"]].index(name)
    return [row[index] for row in result["rows"]]


def _by_date(result: dict, name: str) -> dict:
    return dict(zip(_column(result, "date"), _column(result, name), strict=True))


@pytest.mark.parametrize(
    "expression",
    [
        "prev(close)",
        "sma(close, 20)",
        "rsi(close, 14)",
        "ema(close, 10)",
        "atr(14)",
        "macd(close)",
        "obv()",
        "change_pct(close)",
        "cumsum(volume)",
        "supertrend(10, 3.0)",
    ],
)
@pytest.mark.parametrize("timeframe", ["daily", "1h"])
def test_indicators_inside_a_period_equal_full_history(run, expression, timeframe):
    query = {"from": timeframe, "map": {"x": expression}}
    full = run(query, timeout_s=60)
    inside = run({**query, "period": "2024-03"}, timeout_s=60)
    key = ["date", "time"] if timeframe == "1h" else ["date"]
    full_rows = {tuple(r[: len(key)]): r[len(key)] for r in full["rows"]}
    assert inside["rows"], expression
    for row in inside["rows"]:
        assert row[len(key)] == full_rows[tuple(row[: len(key)])], (expression, row)
    assert inside["rows"][0][len(key)] is not None  # warm-up came from before the period


def test_prev_on_first_bar_of_period_is_previous_trade_date(run):
    result = run({"period": "2024-03-01", "map": {"p": "prev(close)"}})
    days = run({"period": "2024-02-29"})
    assert _column(result, "p") == _column(days, "close")


def test_aggregates_in_map_and_where_use_the_period(run, settlements):
    result = run({"period": "2024-02", "map": {"avg": "mean(volume)"}, "where": "volume > avg"})
    february = settlements.filter(pl.col("trade_date").is_between(date(2024, 2, 1), date(2024, 2, 29)))
    mean = february["volume"].mean()
    assert set(_column(result, "avg")) == {mean}
    assert len(result["rows"]) == (february["volume"] > mean).sum()
    counted = run({"period": "2024-02", "map": {"n": "count()"}, "limit": 1})
    assert _column(counted, "n") == [february.height]


def test_last_n_counts_trade_dates(run, minutes):
    result = run({"from": "1h", "period": "last_2", "map": {"d": "date()"}, "group_by": "d"})
    assert _column(result, "d") == ["2024-06-27", "2024-06-28"]
    assert run({"period": "last_5", "select": "count()"})["value"] == 5
    assert run({"session": "RTH", "period": "last_3", "select": "count()"})["value"] == 3


def test_relative_periods_count_back_from_last_trade_date(run):
    assert _column(run({"period": "last_week"}), "date") == [
        "2024-06-24",
        "2024-06-25",
        "2024-06-26",
        "2024-06-27",
        "2024-06-28",
    ]
    assert _column(run({"period": "last_month"}), "date")[0] == "2024-05-29"


def test_open_ranges(run):
    assert _column(run({"period": "2024-06-26:"}), "date") == ["2024-06-26", "2024-06-27", "2024-06-28"]
    assert _column(run({"period": ":2023-10-03"}), "date") == ["2023-10-02", "2023-10-03"]


def test_date_literals_in_every_comparison(run):
    base = {"period": "2024-01"}
    assert _column(run({**base, "where": "date() == '2024-01-10'"}), "date") == ["2024-01-10"]
    assert _column(run({**base, "where": "date() < '2024-01-04'"}), "date") == ["2024-01-02", "2024-01-03"]
    picked = run({**base, "where": "date() in ['2024-01-03', '2024-01-05']"})
    assert _column(picked, "date") == ["2024-01-03", "2024-01-05"]
    dropped = run({**base, "where": "date() not in ['2024-01-03', '2024-01-05']"})
    assert "2024-01-03" not in _column(dropped, "date") and len(dropped["rows"]) == 19


def test_time_literals(run):
    result = run({"from": "1m", "period": "2024-01-10", "where": "time() >= '09:30' and time() < '09:33'"})
    assert _column(result, "time") == ["09:30", "09:31", "09:32"]
    listed = run({"from": "1h", "period": "2024-01-10", "where": "time() in ['18:00', '09:00']"})
    assert _column(listed, "time") == ["18:00", "09:00"]
    assert len(run({"from": "1h", "period": "2024-01-10", "where": "time() not in ['18:00']"})["rows"]) == 22


def test_time_literal_in_later_step(run):
    query = {
        "steps": [
            {"from": "1h", "period": "2024-01-10"},
            {"where": "time >= '22:00' and date == '2024-01-10'"},
        ]
    }
    assert _column(run(query), "time") == ["22:00", "23:00"]


def test_null_is_false_in_conditions(run):
    first = {"period": ":2023-10-04"}
    assert len(run({**first, "where": "prev(close) > 0"})["rows"]) == 2  # day 1 has no previous close
    assert len(run({**first, "where": "not (prev(close) > 0)"})["rows"]) == 1
    assert len(run({**first, "where": "prev(close) > 0 or false"})["rows"]) == 2
    assert len(run({**first, "where": "prev(close) > 0 or true"})["rows"]) == 3


def test_division_by_zero_is_null(run):
    result = run(
        {"period": "2024-01-10", "map": {"z": "close / (high - high)", "m": "close % 0", "f": "close // 0"}}
    )
    assert (
        _column(result, "z") == [None] and _column(result, "m") == [None] and _column(result, "f") == [None]
    )


def test_steps_carry_group_keys_and_date_functions_read_them(run):
    query = {
        "steps": [
            {
                "period": "2024-01:2024-06",
                "map": {"d": "date()", "up": "close > open"},
                "group_by": "d",
                "select": {"up": "max(up)"},
            },
            {"map": {"m": "month()"}, "group_by": "m", "select": ["count()", "pct(up)"]},
        ]
    }
    result = run(query)
    assert _column(result, "m") == [1, 2, 3, 4, 5, 6]
    assert result["columns"][0] == {"name": "m", "type": "integer", "format": "month"}
    assert sum(_column(result, "count")) == run({"period": "2024-01:2024-06", "select": "count()"})["value"]


def test_sort_and_limit_and_columns(run):
    result = run(
        {"period": "2024-02", "map": {"r": "range()"}, "sort": "r desc", "limit": 3, "columns": ["r", "date"]}
    )
    values = _column(result, "r")
    assert values == sorted(values, reverse=True) and len(values) == 3
    assert [c["name"] for c in result["columns"]] == ["r", "date"]
    assert result["query"]["sort"] == ["r desc"]


def test_scalar_and_values(run):
    assert run({"period": "2024-02", "select": "count()"})["kind"] == "scalar"
    values = run({"period": "2024-02", "select": {"n": "count()", "hi": "max(high)"}})
    assert values["kind"] == "values" and set(values["values"]) == {"n", "hi"}


def test_time_functions_inside_aggregates_and_time_keys(run):
    latest = run(
        {
            "from": "30m",
            "period": "2024-02",
            "map": {"d": "date()", "hi": "session_high()"},
            "where": "high == hi",
            "group_by": "d",
            "select": {"h": "max(hour())"},
        }
    )
    assert latest["rows"] and all(0 <= row[1] <= 23 for row in latest["rows"])
    by_time = run(
        {"from": "1h", "session": "RTH", "period": "2024-02", "group_by": "time", "select": "mean(volume)"}
    )
    assert [row[0] for row in by_time["rows"]][:2] == ["09:30", "10:30"]
    assert by_time["columns"][0] == {"name": "time", "type": "time"}


def test_aggregates_over_the_period_while_map_sees_full_history(run, settlements):
    # prev() forces full-history evaluation; the aggregates must still cover only the period's bars.
    query = {
        "period": "2024-02",
        "map": {"p": "prev(close)", "avg": "mean(volume)", "n": "count()", "hi": "max(high - p)"},
        "where": "volume > avg and p > 0",
    }
    result = run(query)
    february = settlements.filter(pl.col("trade_date").is_between(date(2024, 2, 1), date(2024, 2, 29)))
    with_prev = settlements.with_columns(pl.col("close").shift().alias("p")).filter(
        pl.col("trade_date").is_between(date(2024, 2, 1), date(2024, 2, 29))
    )
    assert set(_column(result, "avg")) == {february["volume"].mean()}
    assert set(_column(result, "n")) == {february.height}
    assert set(_column(result, "hi")) == {(with_prev["high"] - with_prev["p"]).max()}
    assert len(result["rows"]) == (february["volume"] > february["volume"].mean()).sum()


def test_select_string_with_commas_inside_calls(run):
    result = run(
        {"period": "2024-02", "select": "percentile(close, 0.9), correlation(close, volume), count()"}
    )
    assert result["kind"] == "values"
    assert list(result["values"]) == ["percentile(close, 0.9)", "correlation(close, volume)", "count"]


def test_sort_by_date_on_any_dated_result(run):
    query = {
        "period": "2024-02",
        "map": {"d": "date()"},
        "group_by": "d",
        "select": "max(high)",
        "sort": "date desc",
        "limit": 2,
    }
    assert _column(run(query), "d") == ["2024-02-29", "2024-02-28"]
