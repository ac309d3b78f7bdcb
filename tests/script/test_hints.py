"""Hints that lead somewhere: intraday-only functions on daily bars, and suggestions that name real functions."""

from __future__ import annotations

import re

import pytest

from shared.script import QueryInvalid, run_query, validate
from shared.script.names import method_call_hint, unknown_function_hint
from shared.script.registry import library

INTRADAY_FUNCTIONS = sorted({spec.name for spec in library().functions.values() if spec.intraday})


def _errors(query, nq) -> list[dict]:
    return [e.to_dict() for e in validate(query, nq)]


def _one(query, nq) -> dict:
    errors = _errors(query, nq)
    assert len(errors) == 1, errors
    return errors[0]


def _suggested_calls(hint: str) -> list[str]:
    return re.findall(r"`([^`]+\(.*?\))`", hint)


# --- intraday-only functions ------------------------------------------------------------------------------------


def test_the_time_of_day_functions_are_declared_intraday():
    assert INTRADAY_FUNCTIONS == ["hour", "minute", "time"]


@pytest.mark.parametrize("name", INTRADAY_FUNCTIONS)
@pytest.mark.parametrize("timeframe", [None, "daily", "weekly"])
def test_intraday_functions_on_daily_or_longer_bars_are_errors(nq, name, timeframe):
    query = {"map": {"x": f"{name}()"}} | ({"from": timeframe} if timeframe else {})
    error = _one(query, nq)
    assert error["step"] == "map.x"
    assert f"`{name}()` needs intraday bars, but these are {timeframe or 'daily'} bars" in error["message"]
    assert error["hint"].startswith(f'{name}() needs intraday bars: add "from": "1m" (or 5m, 15m')
    assert _errors(query | {"from": "5m"}, nq) == []


def test_time_filter_on_the_default_daily_bars_is_an_error_not_an_empty_result(nq, bars):
    query = {"where": "time() == '09:30'"}
    error = _one(query, nq)
    assert error["step"] == "where" and "needs intraday bars" in error["message"]
    with pytest.raises(QueryInvalid):
        run_query(query, nq, bars)
    assert run_query(query | {"from": "1m", "session": "RTH", "period": "2024-03-01"}, nq, bars)["rows"]


def test_grouping_by_hour_on_daily_bars_says_what_to_add(nq):
    mapped = _one({"map": {"h": "hour()"}, "group_by": "h"}, nq)
    assert mapped["step"] == "map.h" and '"from": "1m"' in mapped["hint"]
    expression = _one({"group_by": "hour()"}, nq)
    assert expression["message"] == "group_by takes column names, not expressions"
    assert expression["hint"].startswith('Create the column in map first: "map": {"h": "hour()"}')
    assert '"from": "1m"' in expression["hint"]
    name = _one({"group_by": "hour"}, nq)
    assert '"map": {"h": "hour()"}' in name["hint"] and '"from": "1m"' in name["hint"]
    # On intraday bars the same key gets the plain hint, and following it gives a valid query.
    intraday = _one({"from": "1h", "group_by": "hour()"}, nq)
    assert "intraday" not in intraday["hint"]
    assert _errors({"from": "1h", "map": {"h": "hour()"}, "group_by": "h"}, nq) == []


def test_group_by_hint_never_suggests_a_function_name_as_map_name(nq):
    hint = _one({"group_by": "rsi(close, 14)"}, nq)["hint"]
    assert '"map": {"rsi_value": "rsi(close, 14)"}' in hint
    assert _errors({"map": {"rsi_value": "rsi(close, 14)"}, "group_by": "rsi_value"}, nq) == []


def test_intraday_functions_in_a_later_step_are_errors(nq):
    query = {
        "steps": [
            {"from": "1h", "map": {"d": "date()"}, "group_by": "d", "select": {"n": "count()"}},
            {"map": {"h": "hour()"}},
        ]
    }
    error = _one(query, nq)
    assert error["step"] == "steps[1].map.h"
    assert "a later step reads the previous step's table" in error["message"]
    assert "first step" in error["hint"]


# --- suggestions name functions that exist ----------------------------------------------------------------------


def test_method_call_shift_suggests_prev(nq):
    error = _one({"map": {"p": "close.shift(1)"}}, nq)
    assert error["message"] == "method calls are not supported: `close.shift(1)`"
    assert "`prev(close, 1)`" in error["hint"] and "shift(close" not in error["hint"]
    assert _errors({"map": {"p": "prev(close, 1)"}}, nq) == []


# A method call as pandas or Polars would write it -> the one Barb Script call its hint suggests.
METHOD_CALLS = {
    "close.shift(1)": "prev(close, 1)",
    "close.rolling_mean(20)": "rolling_mean(close, 20)",
    "close.rolling_maen(20)": "rolling_mean(close, 20)",
    "volume.mean()": "mean(volume)",
    "close.diff()": "change(close)",
    "close.pct_change(5)": "change_pct(close, 5)",
    "close.ewm(10)": "ema(close, 10)",
    "close.rsi(n=5)": "rsi(close, n=5)",
    "close.atr(14)": "atr(14)",
}


@pytest.mark.parametrize(("expression", "call"), METHOD_CALLS.items())
def test_method_call_hints_are_valid_calls(nq, expression, call):
    error = _one({"map": {"x": expression}}, nq)
    assert _suggested_calls(error["hint"]) == [call]
    assert _errors({"map": {"x": call}}, nq) == []


def test_method_call_without_a_close_function_suggests_none(nq):
    hint = _one({"map": {"x": "close.frobnicate(3)"}}, nq)["hint"]
    assert _suggested_calls(hint) == ["sma(close, 20)"] and "no `frobnicate` function" in hint


@pytest.mark.parametrize(
    ("name", "meant"),
    [
        ("avg", "mean"),
        ("average", "mean"),
        ("moving_average", "sma"),
        ("SMA", "sma"),
        ("shift", "prev"),
        ("day_of_week", "dayofweek"),
        ("stdev", "std"),
        ("rolling_maen", "rolling_mean"),
    ],
)
def test_unknown_functions_suggest_the_function_meant(nq, name, meant):
    error = _one({"map": {"x": f"{name}(close)"}}, nq)
    assert error["message"] == f"unknown function '{name}'"
    assert error["hint"].startswith(f"Did you mean `{meant}`? Usage: `{meant}(")


def test_every_suggestion_names_a_declared_function():
    functions = library().functions
    for synonym, spec in library().synonyms.items():
        assert synonym not in functions
        assert unknown_function_hint(synonym).startswith(f"Did you mean `{spec.name}`?")
        for call in _suggested_calls(method_call_hint(synonym, ("close",))):
            assert call.split("(")[0] in functions, (synonym, call)
    assert unknown_function_hint("zzzz") == "See the function list for the available functions."
