"""Validation: every problem at once, before any data is read, with targeted hints."""

from __future__ import annotations

import polars as pl
import pytest

from shared.script import validate


def _errors(query, nq):
    return [e.to_dict() for e in validate(query, nq)]


def _one(query, nq) -> dict:
    errors = _errors(query, nq)
    assert len(errors) == 1, errors
    return errors[0]


def test_valid_examples_have_no_errors(nq):
    for query in (
        {"session": "RTH", "period": "2024", "map": {"chg": "change_pct(close)"}, "where": "chg <= -2.5"},
        {"map": {"r": "range()", "dow": "dayofweek()"}, "group_by": "dow", "select": "mean(r)"},
        {"select": "count(), mean(volume), percentile(close, 0.9), correlation(close, volume)"},
        {"map": {"x": "rsi(close, n=5)"}, "where": "x > 70 and date() >= '2024-01-02'"},
        {"from": "1m", "where": "time() in ['09:30', '10:00'] and date() not in ['2024-01-02']"},
        {"map": {"t": "if(close > open, 'up', 'down')"}, "where": "t == 'up'"},
    ):
        assert _errors(query, nq) == [], query


def test_every_problem_is_reported_together(nq):
    query = {"map": {"x": "close = open", "y": "bogus(high)"}, "where": "volume = 1000", "limit": 0, "foo": 1}
    errors = _errors(query, nq)
    steps = sorted(e["step"] for e in errors)
    assert steps == ["limit", "map.x", "map.y", "query", "where"]


def test_single_equals_hint_ignores_string_literals(nq):
    error = _one({"where": "close = open"}, nq)
    assert error["message"] == "use '==' to compare, not '='"
    assert error["hint"] == "Write `close == open`."
    assert _errors({"map": {"t": "if(close > open, 'a=b', 'c')"}}, nq) == []


def test_unknown_field_lists_valid_ones_with_close_match(nq):
    error = _one({"groupby": "x"}, nq)
    assert error["message"] == "unknown field 'groupby'"
    assert error["hint"].startswith("Did you mean `group_by`? Valid: columns, from, group_by")


def test_unknown_function_suggests_close_match(nq):
    error = _one({"map": {"m": "rolling_maen(close, 5)"}}, nq)
    assert error["message"] == "unknown function 'rolling_maen'"
    assert "Did you mean `rolling_mean`?" in error["hint"]
    assert error["step"] == "map.m" and error["expression"] == "rolling_maen(close, 5)"


def test_unknown_column_lists_available(nq):
    error = _one({"where": "clsoe > 1"}, nq)
    assert error["message"] == "unknown column 'clsoe'"
    assert error["hint"].startswith("Did you mean `close`? Available: close, high, low, open, volume")


def test_function_in_group_by_hints_map(nq):
    error = _one({"group_by": "dayofweek()"}, nq)
    assert error["message"] == "group_by takes column names, not expressions"
    assert (
        error["hint"]
        == 'Create the column in map first: "map": {"dow": "dayofweek()"}, then "group_by": "dow".'
    )


def test_method_call_hints_function_form(nq):
    error = _one({"map": {"m": "close.rolling_mean(20)"}}, nq)
    assert error["message"].startswith("method calls are not supported")
    assert "`rolling_mean(close, 20)`" in error["hint"]


USAGE = "Usage: `"


@pytest.mark.parametrize(
    ("expression", "message", "hint"),
    [
        ("rsi(close, 0)", "rsi() argument 'n' must be 1 … 100000, got 0", USAGE),
        ("rsi(close, 2.5)", "rsi() argument 'n' must be a whole number, got 2.5", USAGE),
        (
            "rsi(close, n=close)",
            "rsi() argument 'n' must be a whole number written in the query, not `close`",
            USAGE,
        ),
        ("rsi()", "rsi() is missing its argument 'col'", USAGE),
        ("rsi(close, 14, 3)", "rsi() takes at most 2 arguments, got 3", USAGE),
        ("rsi(close, m=3)", "rsi() has no argument 'm'", USAGE),
        ("percentile(close, 1.5)", "percentile() argument 'p' must be 0 … 1, got 1.5", USAGE),
        (
            "sma('close', 5)",
            "sma() argument 'col' must be a column or a number, not the text 'close'",
            "Remove the quotes",
        ),
    ],
)
def test_arity_kinds_and_ranges(nq, expression, message, hint):
    error = _one({"map": {"v": expression}}, nq)
    assert error["message"] == message
    assert error["hint"].startswith(hint)


@pytest.mark.parametrize(
    ("period", "fragment"),
    [
        ("2024-13", "month 13"),
        ("2023-02-29", "is not a real date"),
        ("2024-06:2024-01", "starts after it ends"),
        ("all", "is not a period"),
        ("last_0", "N must be between"),
    ],
)
def test_periods_are_checked_for_real(nq, period, fragment):
    error = _one({"period": period}, nq)
    assert error["step"] == "period" and fragment in error["message"]
    assert "last_N" in error["hint"]


def test_date_and_time_literals_are_checked(nq):
    assert "is not a date" in _one({"where": "date() == '2024-02-30'"}, nq)["message"]
    assert "is not a time of day" in _one({"from": "1m", "where": "time() < '25:00'"}, nq)["message"]
    assert "is not a date" in _one({"where": "date() in ['2024-01-02', '2024-1-3']"}, nq)["message"]


def test_limit_range_and_type(nq):
    for bad in (0, 100_001, True, "5", 2.5):
        assert _one({"limit": bad}, nq)["message"] == "limit must be a whole number from 1 to 100 000"
    assert _errors({"limit": 100_000}, nq) == []


def test_session_names_come_from_instrument(nq):
    error = _one({"session": "RHT"}, nq)
    assert error["message"] == "unknown session 'RHT' for NQ"
    assert error["hint"] == "Did you mean `RTH`? Valid: ETH, RTH."


def test_bad_bar_size_lists_valid(nq):
    error = _one({"from": "3m"}, nq)
    assert error["message"] == "unknown bar size '3m'"
    assert error["hint"].endswith(
        "Valid: 1m, 5m, 15m, 30m, 1h, 2h, 4h, daily, weekly, monthly, quarterly, yearly."
    )
    assert _one({"from": "1d"}, nq)["hint"].startswith('Use "daily".')


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("close[1]", "indexing"),
        ("lambda x: x", "lambdas"),
        ("[c for c in close]", "comprehensions"),
        ("close if open else low", "a if cond else b"),
        ("close is None", "is not a value"),
        ("close & open", "the operator `&`"),
        ("__import__('os')", "unknown function '__import__'"),
        ("open.__class__", "attribute access"),
    ],
)
def test_unsafe_syntax_is_rejected(nq, expression, fragment):
    errors = _errors({"map": {"v": expression}}, nq)
    assert errors and any(fragment in e["message"] for e in errors), errors


def test_select_rules(nq):
    assert "not an aggregate" in _one({"select": "close"}, nq)["message"]
    assert "outside an aggregate" in _one({"select": "mean(close) - open"}, nq)["message"]
    assert (
        _one({"select": ["count()", "count()"]}, nq)["message"] == "two select items are both named 'count'"
    )


def test_where_must_be_a_condition(nq):
    error = _one({"where": "close"}, nq)
    assert error["message"] == "where must be a condition, but this is a number value"


def test_sort_and_columns_name_output_columns(nq):
    assert _one({"sort": "clos desc"}, nq)["hint"].startswith("Did you mean `close`?")
    error = _one({"group_by": "dow", "map": {"dow": "dayofweek()"}, "columns": ["dow", "close"]}, nq)
    assert error["message"] == "unknown output column 'close'"
    assert error["hint"] == "Available: dow, count."


def test_map_names_cannot_shadow_functions(nq):
    assert _one({"map": {"range": "high - low"}}, nq)["message"] == "the map name 'range' is a function name"


def test_steps_are_validated_like_flat_queries(nq):
    query = {
        "steps": [
            {"map": {"d": "date()"}, "group_by": "d", "select": {"hi": "max(high)"}},
            {"map": {"q": "quartr()"}, "group_by": "q", "period": "2024", "frm": 1},
        ]
    }
    steps = {(e["step"], e["message"]) for e in _errors(query, nq)}
    assert ("steps[1].map.q", "unknown function 'quartr'") in steps
    assert ("steps[1].period", "`period` is allowed only in the first step") in steps
    assert ("steps[1].query", "unknown field 'frm'") in steps
    later = _errors({"steps": [{"group_by": "dow"}, {"where": "close > 1"}]}, nq)
    assert {e["message"] for e in later} >= {"unknown column 'dow'"}


def test_later_steps_see_previous_output_columns(nq):
    query = {
        "steps": [
            {"map": {"d": "date()"}, "group_by": "d", "select": {"hi": "max(high)"}},
            {"where": "close > 1"},
        ]
    }
    error = _one(query, nq)
    assert error["step"] == "steps[1].where" and error["hint"].endswith("Available: d, hi.")


def test_validation_reads_no_data(nq, monkeypatch):
    """Validation runs before any bars exist; its cost is measured in ``bench/bench_engine.py``."""

    def no_data(*args: object, **kwargs: object) -> None:
        raise AssertionError("validation touched a frame")

    monkeypatch.setattr(pl.LazyFrame, "collect", no_data)
    for name in ("scan_parquet", "read_parquet", "DataFrame", "LazyFrame"):
        monkeypatch.setattr(pl, name, no_data)
    query = {
        "session": "RTH",
        "period": "2024",
        "map": {"chg": "change_pct(close)", "r": "rsi(close, 14)"},
        "where": "chg <= -2.5 and r < 30",
        "sort": "chg asc",
        "limit": 10,
    }
    assert validate(query, nq) == []
