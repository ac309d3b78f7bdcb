"""Building blocks shared by the function modules: argument declarations and null-safe expression helpers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import polars as pl

from shared.script import kernels
from shared.script.declarations import REQUIRED, Arg, Category, EvalContext, FunctionSpec
from shared.script.errors import QueryFailed

MAX_WINDOW = 100_000
"""Largest window any function accepts (bars)."""

MAX_WEIGHTED_WINDOW = 5_000
"""Largest window of the functions whose cost grows with window × bars (wma, hma, cci)."""

MIN_MULTIPLIER = 0.001
"""Smallest multiplier or acceleration factor accepted: they must be strictly positive."""


def column(name: str = "col") -> Arg:
    """A required column (or expression) argument."""
    return Arg(name, "column")


def window(name: str = "n", default: int = REQUIRED, minimum: int = 1, maximum: int = MAX_WINDOW) -> Arg:
    """A window length in bars."""
    return Arg(name, "int", default, min=minimum, max=maximum)


def multiplier(name: str = "mult", default: float = REQUIRED, maximum: float = 100.0) -> Arg:
    """A strictly positive multiplier."""
    return Arg(name, "number", default, min=MIN_MULTIPLIER, max=maximum)


def probability(name: str = "p", default: float = REQUIRED) -> Arg:
    """A number in 0…1."""
    return Arg(name, "number", default, min=0.0, max=1.0)


def col(name: str) -> pl.Expr:
    """A base column of the bar frame."""
    return pl.col(name)


def as_float(x: pl.Expr) -> pl.Expr:
    """Float64 view of a numeric or boolean expression."""
    return x.cast(pl.Float64)


def safe_div(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """``numerator / denominator`` with null where the denominator is zero (never ±inf or NaN)."""
    return pl.when(denominator != 0).then(as_float(numerator) / denominator)


def pct_change(x: pl.Expr, base: pl.Expr) -> pl.Expr:
    """``(x − base) / base · 100``, null where ``base`` is zero."""
    return safe_div(x - base, base) * 100


def change(x: pl.Expr, n: int) -> pl.Expr:
    """The value minus the value n bars earlier, as floats."""
    value = as_float(x)
    return value - value.shift(n)


def change_pct(x: pl.Expr, n: int) -> pl.Expr:
    """The percentage change from n bars earlier, null where that value is zero."""
    value = as_float(x)
    return pct_change(value, value.shift(n))


def change_function(
    category: Category,
    name: str,
    compute: Callable[[pl.Expr, int], pl.Expr],
    default: int,
    description: str,
    example: str,
    **declaration: Any,
) -> FunctionSpec:
    """Declare ``name(col, n=default)`` of ``category``: how the column moved over the last n bars (``compute``
    is :func:`change` or :func:`change_pct`)."""

    def impl(ctx: EvalContext, x: pl.Expr, n: int) -> pl.Expr:
        return compute(x, n)

    return category.function(
        name=name,
        args=(column(), window(default=default)),
        description=description,
        example=example,
        **declaration,
    )(impl)


def truthy(cond: pl.Expr) -> pl.Expr:
    """A condition with null read as false, as everywhere in Barb Script."""
    return cond.cast(pl.Boolean).fill_null(False)


def both(left: pl.Expr, right: pl.Expr) -> pl.Expr:
    """``left and right``, null when either is null (so a missing bar never reads as a definite answer)."""
    return pl.when(left.is_not_null() & right.is_not_null()).then(left & right)


def missing(dtype: pl.DataType | type[pl.DataType]) -> pl.Expr:
    """A null on every row."""
    return pl.repeat(None, pl.len(), dtype=dtype)


def full_length(x: pl.Expr) -> pl.Expr:
    """``x`` broadcast to one value per row, so a number argument can be shifted like a column."""
    return pl.when(pl.repeat(True, pl.len())).then(x)


def kernel(inputs: list[pl.Expr], compute: Callable[..., np.ndarray]) -> pl.Expr:
    """Run a whole-column NumPy kernel (``shared.script.kernels``) on the evaluated inputs; NaN becomes null."""

    def run(columns: Sequence[pl.Series]) -> pl.Series:
        return kernels.to_series(compute(*(kernels.to_array(column) for column in columns)))

    return pl.map_batches(inputs, run, return_dtype=pl.Float64)


def hlc() -> list[pl.Expr]:
    """The high, low and close columns, the inputs of most range-based indicators."""
    return [col("high"), col("low"), col("close")]


def ema(x: pl.Expr, n: int) -> pl.Expr:
    """Exponential moving average, α = 2/(n+1), SMA-seeded."""
    return kernel([x], lambda values: kernels.ema(values, n))


def rma(x: pl.Expr, n: int) -> pl.Expr:
    """Wilder's moving average, α = 1/n, SMA-seeded."""
    return kernel([x], lambda values: kernels.rma(values, n))


def sma(x: pl.Expr, n: int) -> pl.Expr:
    """Simple moving average; null until n values, and for any window holding a null."""
    return as_float(x).rolling_mean(n)


def wma(x: pl.Expr, n: int) -> pl.Expr:
    """Linearly weighted moving average, weights 1…n with the newest bar weighted n."""
    value = as_float(x)
    weighted = value.fill_null(0.0).rolling_mean(n, weights=[float(w) for w in range(1, n + 1)])
    gaps = value.is_null().cast(pl.UInt32).rolling_sum(n)
    return pl.when(gaps == 0).then(weighted)


def true_range() -> pl.Expr:
    """True range; ``high − low`` on the first bar (Pine ``ta.tr(true)``)."""
    return kernel(hlc(), kernels.true_range)


def atr(n: int) -> pl.Expr:
    """Average true range: Wilder's average of the true range."""
    return kernel(hlc(), lambda high, low, close: kernels.atr(high, low, close, n))


def highest(x: pl.Expr, n: int) -> pl.Expr:
    """Highest value of the last n bars (current included)."""
    return x.rolling_max(n)


def lowest(x: pl.Expr, n: int) -> pl.Expr:
    """Lowest value of the last n bars (current included)."""
    return x.rolling_min(n)


def typical_price() -> pl.Expr:
    """``(high + low + close) / 3``."""
    return (col("high") + col("low") + col("close")) / 3


def require_date(date_col: str | None, name: str) -> pl.Expr:
    """The frame's date column, or a clear error when the frame has none."""
    if date_col is None:
        raise QueryFailed(
            f"{name}() needs a date column, and this table has none; keep a date (e.g. group by date()) first",
            code="NO_DATE_COLUMN",
        )
    return pl.col(date_col)


def per_session(ctx: EvalContext, value: pl.Expr) -> pl.Expr:
    """``value`` computed per session; a table without session keys (a later step without dates) is one session."""
    return value.over(list(ctx.session_keys)) if ctx.session_keys else value
