"""Running (cumulative) functions from the first bar."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from shared.script.declarations import Category, EvalContext, FunctionSpec
from shared.script.functions._shared import column

category = Category("cumulative", "Cumulative")


def _running(
    name: str, step: Callable[[pl.Expr], pl.Expr], value: str, example: str, **declaration: Any
) -> FunctionSpec:
    """``name(col)``: the running ``step`` from the first bar; a null bar keeps the value so far."""

    def impl(ctx: EvalContext, x: pl.Expr) -> pl.Expr:
        return step(x).forward_fill()

    return category.function(
        name=name, args=(column(),), description=f"{value} (nulls skipped).", example=example, **declaration
    )(impl)


cummax = _running("cummax", pl.Expr.cum_max, "Highest value so far", "cummax(high)", scale="args")
cummin = _running("cummin", pl.Expr.cum_min, "Lowest value so far", "cummin(low)", scale="args")
cumsum = _running("cumsum", pl.Expr.cum_sum, "Running sum", "cumsum(change(close))")
