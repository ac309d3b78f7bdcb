"""Lag functions: values from earlier or later bars."""

from __future__ import annotations

from typing import Any

import polars as pl

from shared.script.declarations import Category, EvalContext, FunctionSpec
from shared.script.functions._shared import column, window

category = Category("lag", "Lag")


def _shifted(name: str, direction: int, description: str, example: str, **declaration: Any) -> FunctionSpec:
    """``name(col, n)``: the value n bars away, earlier for ``direction`` 1 and later for −1."""

    def impl(ctx: EvalContext, x: pl.Expr, n: int) -> pl.Expr:
        return x.shift(direction * n)

    return category.function(
        name=name,
        args=(column(), window(default=1)),
        description=description,
        example=example,
        scale="args",
        **declaration,
    )(impl)


prev = _shifted(
    "prev",
    1,
    "Value n bars earlier; null on the first n bars.",
    "prev(close)",
    synonyms=("shift", "lag", "ref"),
)
next_ = _shifted(
    "next",
    -1,
    "Value n bars later; null on the last n bars. Looks into the future.",
    "next(close) - close",
    lookahead="Look back instead, e.g. `prev(close)`.",
    synonyms=("lead",),
)
