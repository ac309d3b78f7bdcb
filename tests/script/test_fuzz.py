"""Fuzzing: random expressions and queries give a result or a typed error — never a raw exception, never
NaN/inf in the JSON, never a hang."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.script import FrameBars, QueryFailed, QueryInvalid, run_query
from shared.script.registry import library
from tests.script.bars_fixture import minute_bars, settlement_bars

FUNCTIONS = sorted(library().functions)
NAMES = ["open", "high", "low", "close", "volume", "m1", "m2", "nope", "date", "time"]
SETTINGS = settings(
    max_examples=120, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)


@pytest.fixture(scope="module")
def small(nq):
    minutes = minute_bars(nq, date(2024, 2, 1), date(2024, 2, 16), seed=11)
    return FrameBars(minutes, settlement_bars(minutes))


def _literal() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(-3, 300).map(str),
        st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: f"{v:.3g}"),
        st.sampled_from(["'2024-02-05'", "'10:00'", "'x'", "true", "False", "0", "0.5", "1e308"]),
    )


def _expression() -> st.SearchStrategy[str]:
    leaves = st.one_of(st.sampled_from(NAMES), _literal())

    def extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        call = st.tuples(st.sampled_from(FUNCTIONS), st.lists(children, max_size=3)).map(
            lambda t: f"{t[0]}({', '.join(t[1])})"
        )
        binary = st.tuples(
            children,
            st.sampled_from(
                ["+", "-", "*", "/", "//", "%", "**", "<", ">=", "==", "!=", " and ", " or ", "="]
            ),
            children,
        )
        listed = st.tuples(children, st.lists(_literal(), min_size=1, max_size=3)).map(
            lambda t: f"{t[0]} in [{', '.join(t[1])}]"
        )
        return st.one_of(
            call,
            binary.map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            children.map(lambda c: f"not {c}"),
            children.map(lambda c: f"-{c}"),
            listed,
        )

    return st.recursive(leaves, extend, max_leaves=6)


def _query() -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries(
        {},
        optional={
            "session": st.sampled_from(["RTH", "eth", "XYZ"]),
            "from": st.sampled_from(["daily", "1h", "4h", "15m", "weekly", "monthly", "3m"]),
            "period": st.sampled_from(
                ["2024-02", "2024-02-05:2024-02-09", "last_3", "last_week", "2024-13", "2023"]
            ),
            "map": st.dictionaries(st.sampled_from(["m1", "m2"]), _expression(), max_size=2),
            "where": _expression(),
            "group_by": st.sampled_from(["m1", "m2", "dayofweek()", ["m1", "m2"]]),
            "select": st.one_of(_expression(), st.lists(_expression(), min_size=1, max_size=2)),
            "sort": st.sampled_from(["date desc", "m1", "close asc", "count desc"]),
            "limit": st.sampled_from([1, 5, 0, 100_000]),
            "columns": st.sampled_from([["date", "m1"], ["close"], ["m2", "count"]]),
        },
    )


def _check(query: dict, nq, data) -> None:
    try:
        result = run_query(query, nq, data, timeout_s=20)
    except QueryInvalid as exc:
        assert exc.errors and all(e.message for e in exc.errors)
        json.dumps([e.to_dict() for e in exc.errors])
        return
    except QueryFailed as exc:
        assert exc.code != "QUERY_INTERNAL", (query, exc.message)
        return
    # A QueryTimeout is not caught: 20 s on a few thousand bars is a hang, and fails the example.
    json.dumps(result, allow_nan=False)
    assert result["kind"] in ("table", "grouped", "scalar", "values")


@SETTINGS
@given(expression=_expression())
def test_random_expressions(nq, small, expression):
    _check({"period": "2024-02", "map": {"m1": "close - open", "x": expression}}, nq, small)
    _check({"from": "1h", "where": expression}, nq, small)


@SETTINGS
@given(query=_query())
def test_random_queries(nq, small, query):
    _check(query, nq, small)


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(
    raw=st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8)),
        lambda c: st.one_of(
            st.lists(c, max_size=3),
            st.dictionaries(
                st.sampled_from(
                    ["map", "where", "select", "steps", "from", "period", "group_by", "sort", "x"]
                ),
                c,
                max_size=3,
            ),
        ),
        max_leaves=8,
    )
)
def test_random_json(nq, small, raw):
    _check(raw, nq, small)


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(first=_query(), second=_query())
def test_random_steps(nq, small, first, second):
    later = {k: v for k, v in second.items() if k not in ("session", "from", "period")}
    _check({"steps": [first, later]}, nq, small)
