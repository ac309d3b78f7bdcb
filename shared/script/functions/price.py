"""Price, candle and signal helpers on the bar's OHLC (implicit columns unless an argument is given)."""

from __future__ import annotations

import polars as pl

from shared.script.declarations import Arg, Category, EvalContext
from shared.script.functions import _shared
from shared.script.functions._shared import both, col, column, full_length, pct_change, safe_div, window

category = Category("price", "Price, candles and signals")


@category.function(
    description="Open minus the previous bar's close.",
    example="gap()",
    scale="distance",
)
def gap(ctx: EvalContext) -> pl.Expr:
    return col("open") - col("close").shift(1)


@category.function(
    description="Gap as a percentage of the previous close.",
    example="gap_pct() > 1",
)
def gap_pct(ctx: EvalContext) -> pl.Expr:
    return pct_change(col("open"), col("close").shift(1))


@category.function(
    args=(column(), window(default=1)),
    description="Difference from n bars earlier.",
    example="change(close, 5)",
    scale="distance",
    synonyms=("diff", "delta"),
)
def change(ctx: EvalContext, x: pl.Expr, n: int) -> pl.Expr:
    value = _shared.as_float(x)
    return value - value.shift(n)


@category.function(
    args=(column(), window(default=1)),
    description="Percentage change from n bars earlier.",
    example="change_pct(close) <= -2.5",
    synonyms=("pct_change",),
)
def change_pct(ctx: EvalContext, x: pl.Expr, n: int) -> pl.Expr:
    value = _shared.as_float(x)
    return pct_change(value, value.shift(n))


@category.function(description="High minus low.", example="range()", scale="distance")
def range_(ctx: EvalContext) -> pl.Expr:
    return col("high") - col("low")


@category.function(
    description="High minus low as a percentage of the low.",
    example="range_pct()",
)
def range_pct(ctx: EvalContext) -> pl.Expr:
    return pct_change(col("high"), col("low"))


@category.function(
    description="Middle of the bar: (high + low) / 2.",
    example="midpoint()",
    scale="level",
    synonyms=("hl2",),
)
def midpoint(ctx: EvalContext) -> pl.Expr:
    return (col("high") + col("low")) / 2


@category.function(
    description="Typical price: (high + low + close) / 3.",
    example="typical_price()",
    scale="level",
    synonyms=("hlc3",),
)
def typical_price(ctx: EvalContext) -> pl.Expr:
    return _shared.typical_price()


@category.function(
    description="Close minus open (negative on red bars).",
    example="abs(body())",
    scale="distance",
)
def body(ctx: EvalContext) -> pl.Expr:
    return col("close") - col("open")


@category.function(
    description="Close minus open as a percentage of the open.",
    example="body_pct()",
)
def body_pct(ctx: EvalContext) -> pl.Expr:
    return pct_change(col("close"), col("open"))


@category.function(
    description="High minus the larger of open and close.",
    example="upper_wick() > 2 * abs(body())",
    scale="distance",
)
def upper_wick(ctx: EvalContext) -> pl.Expr:
    return col("high") - pl.max_horizontal(col("open"), col("close"))


@category.function(
    description="The smaller of open and close minus low.",
    example="lower_wick()",
    scale="distance",
)
def lower_wick(ctx: EvalContext) -> pl.Expr:
    return pl.min_horizontal(col("open"), col("close")) - col("low")


@category.function(description="Close above open.", example="green()", returns="boolean")
def green(ctx: EvalContext) -> pl.Expr:
    return col("close") > col("open")


@category.function(description="Close below open.", example="red()", returns="boolean")
def red(ctx: EvalContext) -> pl.Expr:
    return col("close") < col("open")


@category.function(
    args=(Arg("threshold", "number", 0.1, min=0.0, max=1.0),),
    description="Body smaller than threshold × range; null on a bar with zero range.",
    example="doji(0.1)",
    returns="boolean",
)
def doji(ctx: EvalContext, threshold: float) -> pl.Expr:
    return safe_div((col("close") - col("open")).abs(), col("high") - col("low")) < threshold


@category.function(
    description="High below and low above the previous bar's (strictly).",
    example="inside_bar()",
    returns="boolean",
)
def inside_bar(ctx: EvalContext) -> pl.Expr:
    return both(col("high") < col("high").shift(1), col("low") > col("low").shift(1))


@category.function(
    description="High above and low below the previous bar's (strictly).",
    example="outside_bar()",
    returns="boolean",
)
def outside_bar(ctx: EvalContext) -> pl.Expr:
    return both(col("high") > col("high").shift(1), col("low") < col("low").shift(1))


@category.function(
    args=(column("a"), column("b")),
    description="True when a crosses above b on this bar (a ≤ b on the previous bar, a > b now); either may be a number.",
    example="crossover(rsi(close, 14), 30)",
    returns="boolean",
    synonyms=("cross_above",),
)
def crossover(ctx: EvalContext, a: pl.Expr, b: pl.Expr) -> pl.Expr:
    a, b = full_length(a), full_length(b)
    return both(a.shift(1) <= b.shift(1), a > b)


@category.function(
    args=(column("a"), column("b")),
    description="True when a crosses below b on this bar (a ≥ b on the previous bar, a < b now); either may be a number.",
    example="crossunder(close, sma(close, 50))",
    returns="boolean",
    synonyms=("cross_below",),
)
def crossunder(ctx: EvalContext, a: pl.Expr, b: pl.Expr) -> pl.Expr:
    a, b = full_length(a), full_length(b)
    return both(a.shift(1) >= b.shift(1), a < b)
