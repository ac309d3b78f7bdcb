"""The price scale of an expression, from the function declarations: price levels, distances, or neither."""

from __future__ import annotations

import pytest

from shared.script import price_weight
from shared.script.expressions import parse_expression


def _weight(text: str) -> float | None:
    parsed = parse_expression(text)
    assert parsed.tree is not None and not parsed.problems, parsed.problems
    return price_weight(parsed.tree)


@pytest.mark.parametrize(
    "text",
    [
        "high",
        "prev(high)",
        "sma(close, 20)",
        "rolling_max(high, n=20)",
        "(high + low) / 2",
        "midpoint()",
        "vwap() + 10",
        "prev(low) - atr(14)",
        "session_high_sofar()",
        "valuewhen(green(), high)",
        "if(close > open, prev(high), prev(low))",
        "bbands_upper(close)",
        "2 * close - prev(close)",
    ],
)
def test_price_levels_weigh_one_price(text):
    assert _weight(text) == 1.0


@pytest.mark.parametrize(
    "text",
    [
        "close - prev(low)",
        "atr(14) * 2",
        "range()",
        "high - low",
        "abs(close - open)",
        "50",
        "rolling_std(close, 20)",
    ],
)
def test_distances_weigh_nothing(text):
    assert _weight(text) == 0.0


def test_fractions_of_the_price_keep_their_factor():
    assert _weight("close * 0.01") == pytest.approx(0.01)
    assert _weight("close / 100") == pytest.approx(0.01)
    assert _weight("high * 1.01") == pytest.approx(1.01)


@pytest.mark.parametrize(
    "text",
    [
        "rsi(close, 14)",
        "volume",
        "close / prev(close)",
        "close * close",
        "if(green(), prev(high), 50)",
        "bbands_upper(rsi(close, 14))",
        "log(close)",
        "close + volume",
    ],
)
def test_anything_else_has_no_weight(text):
    assert _weight(text) is None
