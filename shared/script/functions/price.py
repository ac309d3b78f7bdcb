"""Price, candle and signal helpers on the bar's OHLC (implicit columns unless an argument is given)."""

from __future__ import annotations

from typing import Any

import polars as pl

from shared.script.declarations import Arg, Category, EvalContext, FunctionSpec
from shared.script.functions import _shared
from shared.script.functions._shared import both, col, column, full_length, pct_change, safe_div

category = Category("price", "Price, candles and signals")


def _bar_value(name: str, value: pl.Expr, description: str, example: str, **declaration: Any) -> FunctionSpec:
    """``name()``: ``value``, computed from each bar's own columns (and the bar before)."""

    def impl(ctx: EvalContext) -> pl.Expr:
        return value

    return category.function(name=name, description=description, example=example, **declaration)(impl)


def _percent_move(name: str, to: str, base: str, description: str) -> FunctionSpec:
    """``name()``: the bar's ``to`` minus its ``base`` as a percentage of ``base``."""
    return _bar_value(name, pct_change(col(to), col(base)), description, f"{name}()")


gap = _bar_value(
    "gap",
    col("open") - col("close").shift(1),
    "Open minus the previous bar's close.",
    "gap()",
    scale="distance",
)
gap_pct = _bar_value(
    "gap_pct",
    pct_change(col("open"), col("close").shift(1)),
    "Gap as a percentage of the previous close.",
    "gap_pct() > 1",
)
change = _shared.change_function(
    category,
    "change",
    _shared.change,
    1,
    "Difference from n bars earlier.",
    "change(close, 5)",
    scale="distance",
    synonyms=("diff", "delta"),
)
change_pct = _shared.change_function(
    category,
    "change_pct",
    _shared.change_pct,
    1,
    "Percentage change from n bars earlier.",
    "change_pct(close) <= -2.5",
    synonyms=("pct_change",),
)
range_ = _bar_value("range", col("high") - col("low"), "High minus low.", "range()", scale="distance")
range_pct = _percent_move("range_pct", "high", "low", "High minus low as a percentage of the low.")
midpoint = _bar_value(
    "midpoint",
    (col("high") + col("low")) / 2,
    "Middle of the bar: (high + low) / 2.",
    "midpoint()",
    scale="level",
    synonyms=("hl2",),
)
typical_price = _bar_value(
    "typical_price",
    _shared.typical_price(),
    "Typical price: (high + low + close) / 3.",
    "typical_price()",
    scale="level",
    synonyms=("hlc3",),
)
body = _bar_value(
    "body",
    col("close") - col("open"),
    "Close minus open (negative on red bars).",
    "abs(body())",
    scale="distance",
)
body_pct = _percent_move("body_pct", "close", "open", "Close minus open as a percentage of the open.")
upper_wick = _bar_value(
    "upper_wick",
    col("high") - pl.max_horizontal(col("open"), col("close")),
    "High minus the larger of open and close.",
    "upper_wick() > 2 * abs(body())",
    scale="distance",
)
lower_wick = _bar_value(
    "lower_wick",
    pl.min_horizontal(col("open"), col("close")) - col("low"),
    "The smaller of open and close minus low.",
    "lower_wick()",
    scale="distance",
)
green = _bar_value("green", col("close") > col("open"), "Close above open.", "green()", returns="boolean")
red = _bar_value("red", col("close") < col("open"), "Close below open.", "red()", returns="boolean")


@category.function(
    args=(Arg("threshold", "number", 0.1, min=0.0, max=1.0),),
    description="Body smaller than threshold × range; null on a bar with zero range.",
    example="doji(0.1)",
    returns="boolean",
)
def doji(ctx: EvalContext, threshold: float) -> pl.Expr:
    return safe_div((col("close") - col("open")).abs(), col("high") - col("low")) < threshold


inside_bar = _bar_value(
    "inside_bar",
    both(col("high") < col("high").shift(1), col("low") > col("low").shift(1)),
    "High below and low above the previous bar's (strictly).",
    "inside_bar()",
    returns="boolean",
)
outside_bar = _bar_value(
    "outside_bar",
    both(col("high") > col("high").shift(1), col("low") < col("low").shift(1)),
    "High above and low below the previous bar's (strictly).",
    "outside_bar()",
    returns="boolean",
)


def _cross(name: str, above: bool, example: str) -> FunctionSpec:
    """``crossover``/``crossunder(a, b)``: a crossing b upwards (downwards) on this bar, which for ``crossunder``
    is b crossing a upwards."""
    side, before, now = ("above", "≤", ">") if above else ("below", "≥", "<")

    def impl(ctx: EvalContext, a: pl.Expr, b: pl.Expr) -> pl.Expr:
        rising, falling = (full_length(a), full_length(b)) if above else (full_length(b), full_length(a))
        return both(rising.shift(1) <= falling.shift(1), rising > falling)

    return category.function(
        name=name,
        args=(column("a"), column("b")),
        description=f"True when a crosses {side} b on this bar (a {before} b on the previous bar, a {now} b now); "
        "either may be a number.",
        example=example,
        returns="boolean",
        synonyms=(f"cross_{side}",),
    )(impl)


crossover = _cross("crossover", True, "crossover(rsi(close, 14), 30)")
crossunder = _cross("crossunder", False, "crossunder(close, sma(close, 50))")
