"""Helpers to call registered functions the way the executor does: defaults filled, numbers broadcast."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl

import shared.script.functions  # noqa: F401  (fills the registry)
from shared.script.declarations import EvalContext
from shared.script.registry import library

REFERENCE = Path(__file__).resolve().parents[1] / "data"
DAILY = EvalContext()


def call(name: str, *args: object, ctx: EvalContext = DAILY, **kwargs: object) -> pl.Expr:
    """Build the expression of ``name(args)`` with the declared defaults; a number for a column is a literal."""
    spec = library().functions[name]
    assert len(args) <= len(spec.args), f"{name} takes at most {len(spec.args)} arguments"
    values = []
    for position, arg in enumerate(spec.args):
        if position < len(args):
            value = args[position]
        elif arg.name in kwargs:
            value = kwargs[arg.name]
        else:
            assert not arg.required, f"{name}: missing {arg.name}"
            value = arg.default
        if arg.kind == "column" and not isinstance(value, pl.Expr):
            value = pl.lit(value)
        values.append(value)
    return spec.impl(ctx, *values)


def values(frame: pl.DataFrame, expr: pl.Expr) -> list:
    """The expression evaluated over the frame, as a Python list."""
    return frame.select(expr.alias("out"))["out"].to_list()


def aapl_bars() -> pl.DataFrame:
    """Real AAPL daily bars (2024-01-02 … 2026-02-11) as a bar frame."""
    return pl.read_csv(REFERENCE / "AAPL_1d_bars.csv", try_parse_dates=True).rename({"timestamp": "date"})


def tradingview_values() -> pl.DataFrame:
    """TradingView's indicator values on the last AAPL reference dates."""
    text = (REFERENCE / "AAPL_1d_tradingview_indicators.csv").read_text()
    section = text.split("## Source: TradingView", 1)[1]
    rows = [line for line in section.splitlines()[1:] if line and not line.startswith("##")]
    return pl.read_csv(io.StringIO("\n".join(rows)), try_parse_dates=True).rename({"timestamp": "date"})
