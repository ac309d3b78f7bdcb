"""Core scalar functions: element-wise math and the conditional."""

from __future__ import annotations

import polars as pl

from shared.script.declarations import Arg, Category, EvalContext
from shared.script.functions._shared import as_float, column, truthy

category = Category("core", "Core")


@category.function(
    args=(column("x"),),
    description="Absolute value.",
    example="abs(change(close))",
    scale="args",
)
def abs_(ctx: EvalContext, x: pl.Expr) -> pl.Expr:
    return as_float(x).abs()


@category.function(
    args=(column("x"),),
    description="Natural logarithm; null for zero or negative values.",
    example="log(close)",
)
def log(ctx: EvalContext, x: pl.Expr) -> pl.Expr:
    return pl.when(x > 0).then(as_float(x).log())


@category.function(
    args=(column("x"),),
    description="Square root; null for negative values.",
    example="sqrt(volume)",
)
def sqrt(ctx: EvalContext, x: pl.Expr) -> pl.Expr:
    return pl.when(x >= 0).then(as_float(x).sqrt())


@category.function(
    args=(column("x"),),
    description="Sign: −1, 0 or 1.",
    example="sign(close - open)",
    returns="integer",
)
def sign(ctx: EvalContext, x: pl.Expr) -> pl.Expr:
    return as_float(x).sign().cast(pl.Int64)


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
