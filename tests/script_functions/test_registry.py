"""The declarations themselves: complete, unique, with examples that call the declared function correctly."""

from __future__ import annotations

import ast
import typing

import pytest

from shared.script.declarations import CategoryKey, FunctionSpec
from shared.script.functions._shared import MAX_WEIGHTED_WINDOW, MAX_WINDOW
from shared.script.registry import library

SPECS: dict[str, FunctionSpec] = {spec.name: spec for spec in library().functions.values()}

# The earlier engine's 109 names (prior-backend.md §3); every one must still exist.
EARLIER_NAMES = [
    "abs",
    "log",
    "sqrt",
    "sign",
    "round",
    "if",
    "prev",
    "next",
    "rolling_mean",
    "rolling_sum",
    "rolling_max",
    "rolling_min",
    "rolling_std",
    "rolling_count",
    "sma",
    "ema",
    "wma",
    "hma",
    "vwma",
    "rma",
    "cummax",
    "cummin",
    "cumsum",
    "streak",
    "bars_since",
    "rank",
    "rising",
    "falling",
    "valuewhen",
    "pivothigh",
    "pivotlow",
    "mean",
    "sum",
    "max",
    "min",
    "median",
    "std",
    "count",
    "pct",
    "percentile",
    "correlation",
    "last",
    "year",
    "quarter",
    "month",
    "day_of_month",
    "dayofweek",
    "hour",
    "minute",
    "date",
    "gap",
    "gap_pct",
    "change",
    "change_pct",
    "range",
    "range_pct",
    "midpoint",
    "typical_price",
    "body",
    "body_pct",
    "upper_wick",
    "lower_wick",
    "green",
    "red",
    "doji",
    "inside_bar",
    "outside_bar",
    "crossover",
    "crossunder",
    "rsi",
    "stoch_k",
    "stoch_d",
    "cci",
    "williams_r",
    "mfi",
    "roc",
    "momentum",
    "tr",
    "atr",
    "natr",
    "bbands_upper",
    "bbands_lower",
    "bbands_middle",
    "bbands_width",
    "bbands_pctb",
    "kc_upper",
    "kc_lower",
    "kc_middle",
    "kc_width",
    "donchian_upper",
    "donchian_lower",
    "macd",
    "macd_signal",
    "macd_hist",
    "plus_di",
    "minus_di",
    "adx",
    "supertrend",
    "supertrend_dir",
    "sar",
    "obv",
    "vwap_day",
    "ad_line",
    "volume_ratio",
    "volume_sma",
    "session_high",
    "session_low",
    "session_open",
    "session_close",
]

# Integer arguments named like a window that are not one: decimals, and an occurrence index counted from 0.
NOT_WINDOWS = {("round", "n"), ("valuewhen", "n")}

LOOKAHEAD_SERIES = {"next", "rank", "session_high", "session_low", "session_close"}


def test_count_and_earlier_names() -> None:
    assert len(EARLIER_NAMES) == 109
    assert len(SPECS) >= 110
    assert set(EARLIER_NAMES) <= set(library().functions)
    for name in (
        "time",
        "vwap",
        "session_high_sofar",
        "session_low_sofar",
        "is_opex",
        "is_quad_witching",
        "day",
    ):
        assert name in library().functions


def test_names_and_aliases_are_unique_identifiers() -> None:
    keys = [key for spec in SPECS.values() for key in (spec.name, *spec.aliases)]
    assert len(keys) == len(set(keys)) == len(library().functions)
    for key in keys:
        assert key.isidentifier() and key == key.lower()


def test_synonyms_are_not_callable_and_name_one_function() -> None:
    synonyms = [key for spec in SPECS.values() for key in spec.synonyms]
    assert len(synonyms) == len(set(synonyms)) == len(library().synonyms)
    for key in synonyms:
        assert key.isidentifier() and key == key.lower() and key not in library().functions
    assert {"avg": "mean", "moving_average": "sma", "shift": "prev"}.items() <= {
        key: spec.name for key, spec in library().synonyms.items()
    }.items()


def test_price_scales_follow_the_arguments() -> None:
    for spec in SPECS.values():
        columns = [a for a in spec.args if a.kind == "column" and a.name != "cond"]
        if spec.scale == "args":
            assert columns, f"{spec.name} passes on the scale of its arguments but has none"
        if spec.scale is not None:
            assert spec.returns in ("number", "integer"), spec.name


def test_every_category_is_used() -> None:
    assert {spec.category for spec in SPECS.values()} == set(typing.get_args(CategoryKey))


def _parse_call_of(spec: FunctionSpec) -> list[ast.Call]:
    # ``if`` is a Python keyword; the Barb parser accepts it as a function name, so parse it under another name.
    source = spec.example.replace("if(", "if_(") if spec.name == "if" else spec.example
    tree = ast.parse(source, mode="eval")
    target = "if_" if spec.name == "if" else spec.name
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == target
    ]


@pytest.mark.parametrize("name", sorted(SPECS))
def test_declaration_is_complete(name: str) -> None:
    spec = SPECS[name]
    assert spec.description.strip() and spec.description[0].isupper(), name
    assert spec.example.strip(), name
    calls = _parse_call_of(spec)
    assert calls, f"the example of {name} does not call it: {spec.example}"
    declared = [arg.name for arg in spec.args]
    required = sum(arg.required for arg in spec.args)
    for node in calls:
        keywords = [kw.arg for kw in node.keywords]
        assert required <= len(node.args) + len(keywords) <= len(declared), spec.example
        assert set(keywords) <= set(declared[len(node.args) :]), spec.example


@pytest.mark.parametrize("name", sorted(SPECS))
def test_argument_ranges(name: str) -> None:
    seen = set()
    for arg in SPECS[name].args:
        assert arg.name not in seen and arg.name.isidentifier()
        seen.add(arg.name)
        if arg.kind == "int":
            assert arg.min is not None and arg.min >= 0 and arg.max is not None and arg.max <= MAX_WINDOW
        if arg.kind == "number":
            assert arg.min is not None and arg.max is not None
        if not arg.required and arg.kind in ("int", "number"):
            assert arg.min <= arg.default <= arg.max, (name, arg)
        if (name, arg.name) in NOT_WINDOWS:
            continue
        if arg.name in ("n", "fast", "slow", "sig", "smooth", "smooth_k", "d", "n_left", "n_right"):
            expected_max = MAX_WEIGHTED_WINDOW if name in ("wma", "hma", "cci") else MAX_WINDOW
            assert arg.kind == "int" and arg.min >= 1 and arg.max == expected_max, (name, arg)
        if arg.name in ("mult", "accel", "max_accel"):
            assert arg.min > 0, (name, arg)
        if arg.name == "p":
            assert (arg.min, arg.max) == (0.0, 1.0)


def test_lookahead_flags() -> None:
    flagged = {spec.name for spec in SPECS.values() if spec.lookahead}
    aggregates = {spec.name for spec in SPECS.values() if spec.kind == "aggregate"}
    assert flagged == LOOKAHEAD_SERIES | aggregates
    for name in ("session_open", "session_high_sofar", "session_low_sofar", "prev", "pivothigh", "vwap"):
        assert not library().functions[name].lookahead


def test_kinds_and_formats() -> None:
    aggregates = {spec.name for spec in SPECS.values() if spec.kind == "aggregate"}
    assert {
        "count",
        "sum",
        "mean",
        "median",
        "min",
        "max",
        "std",
        "pct",
        "percentile",
        "correlation",
    } <= aggregates
    assert {"first", "last"} <= aggregates
    assert all(SPECS[name].category == "aggregate" for name in aggregates)
    assert (
        library().functions["dayofweek"].format == "weekday"
        and library().functions["month"].format == "month"
    )
    assert library().functions["time"].returns == "time" and library().functions["date"].returns == "date"
    assert (
        library().functions["vwap_day"] is library().functions["vwap"]
        and library().functions["day"] is library().functions["day_of_month"]
    )
