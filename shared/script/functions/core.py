"""Core scalar functions: element-wise math and the conditional."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from shared.script.declarations import Arg, Category, EvalContext, FunctionSpec
from shared.script.functions._shared import as_float, column, truthy

category = Category("core", "Core")


def _elementwise(
    name: str, compute: Callable[[pl.Expr], pl.Expr], description: str, example: str, **declaration: Any
) -> FunctionSpec:
    """``name(x)``: ``compute`` applied to each value of x."""

    def impl(ctx: EvalContext, x: pl.Expr) -> pl.Expr:
        return compute(x)

    return category.function(
        name=name, args=(column("x"),), description=description, example=example, **declaration
    )(impl)


abs_ = _elementwise("abs", lambda x: as_float(x).abs(), "Absolute value.", "abs(change(close))", scale="args")
log = _elementwise(
    "log",
    lambda x: pl.when(x > 0).then(as_float(x).log()),
    "Natural logarithm; null for zero or negative values.",
    "log(close)",
)
sqrt = _elementwise(
    "sqrt",
    lambda x: pl.when(x >= 0).then(as_float(x).sqrt()),
    "Square root; null for negative values.",
    "sqrt(volume)",
)
sign = _elementwise(
    "sign",
    lambda x: as_float(x).sign().cast(pl.Int64),
    "Sign: −1, 0 or 1.",
    "sign(close - open)",
    returns="integer",
)


@category.function(
    args=(column("x"), Arg("n", "int", 0, min=0, max=12)),
    description="Round to n decimals.",
    example="round(close / 10, 0)",
    scale="args",
)
def round_(ctx: EvalContext, x: pl.Expr, n: int) -> pl.Expr:
    return as_float(x).round(n)


@category.function(
    args=(Arg("cond", "column"), Arg("then", "column"), Arg("otherwise", "column")),
    description="Per row: `then` where the condition is true, otherwise `otherwise` (a null condition takes `otherwise`).",
    example="if(close > open, high - close, close - low)",
    scale="args",
    synonyms=("iff",),
)
def if_(ctx: EvalContext, cond: pl.Expr, then: pl.Expr, otherwise: pl.Expr) -> pl.Expr:
    return pl.when(truthy(cond)).then(then).otherwise(otherwise)
