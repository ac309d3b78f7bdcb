"""Other instruments and longer bar sizes (``on``), and the relations between two series.

``on(source, x)`` is resolved by the validator (``shared.script.series``) into a column computed on the other
bars and joined to the query's (``shared.script.align``); its implementation here is never reached.
"""

from __future__ import annotations

import polars as pl

from shared.script.declarations import Arg, Category, EvalContext
from shared.script.errors import QueryFailed
from shared.script.functions._shared import MAX_WINDOW, as_float, column, window

category = Category("series", "Other instruments and bar sizes, and relations between series")


@category.function(
    args=(Arg("source", "string"), column("x")),
    description="The value x computed on other bars, lined up with each bar of the query: 'ES' (another instrument, the "
    "same bar size: its bar with the same date/time, null where it has none), 'daily' (a longer bar size: the "
    "last bar that had completed before this bar opened, never a later one) or 'ES:daily'. x sees the other "
    "bars' open, high, low, close, volume and any function of them; a query may read up to 8 other "
    "instruments. Intraday bars of instruments in different time zones cannot be lined up (use daily bars).",
    example="close / on('NQ', close)",
    kind="resolved",
)
def on(ctx: EvalContext, source: str, x: pl.Expr) -> pl.Expr:
    raise QueryFailed(f"on('{source}', …) reached the compiler unresolved")


def _both(a: pl.Expr, b: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """``a`` and ``b`` as floats, each null where either is (so windows and aggregates pair the same rows)."""
    present = a.is_not_null() & b.is_not_null()
    return (
        pl.when(present).then(as_float(a)).otherwise(None),
        pl.when(present).then(as_float(b)).otherwise(None),
    )


_PAIR_N = (column("a"), column("b"), window(minimum=2))


@category.function(
    args=_PAIR_N,
    description="Pearson correlation of a and b over the last n bars (null until n bars have both values).",
    example="rolling_correlation(change_pct(close), change_pct(on('NQ', close)), 20)",
    synonyms=("rolling_corr",),
)
def rolling_correlation(ctx: EvalContext, a: pl.Expr, b: pl.Expr, n: int) -> pl.Expr:
    x, y = _both(a, b)
    return pl.rolling_corr(x, y, window_size=n)


@category.function(
    args=_PAIR_N,
    description="Beta of a on b over the last n bars: rolling cov(a, b) / rolling var(b).",
    example="rolling_beta(change_pct(close), change_pct(on('NQ', close)), 60)",
)
def rolling_beta(ctx: EvalContext, a: pl.Expr, b: pl.Expr, n: int) -> pl.Expr:
    x, y = _both(a, b)
    variance = y.rolling_var(n, ddof=1)
    return pl.when(variance != 0).then(pl.rolling_cov(x, y, window_size=n, ddof=1) / variance).otherwise(None)


@category.function(
    args=(column("x"), window(minimum=2, maximum=MAX_WINDOW)),
    description="The z-score of x against its last n values: (x − mean) / sample standard deviation "
    "(null while the deviation is zero).",
    example="zscore(close / on('NQ', close), 20)",
    synonyms=("z_score", "standardize"),
)
def zscore(ctx: EvalContext, x: pl.Expr, n: int) -> pl.Expr:
    values = as_float(x)
    deviation = values.rolling_std(n, ddof=1)
    return pl.when(deviation != 0).then((values - values.rolling_mean(n)) / deviation).otherwise(None)
