"""Every declared function runs on frames of any size, keeps one value per row, and partitions correctly."""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest

from shared.market import holidays
from shared.script.declarations import Arg, EvalContext
from shared.script.registry import library
from tests.script_functions.support import call, values

INTRADAY = EvalContext(timeframe="5m", intraday=True)
SERIES_SPECS = sorted({spec.name for spec in library().functions.values() if spec.kind == "series"})
AGGREGATE_SPECS = sorted({spec.name for spec in library().functions.values() if spec.kind == "aggregate"})


def bars(size: int) -> pl.DataFrame:
    close = [100 + 5 * math.sin(i / 3) for i in range(size)]
    return pl.DataFrame(
        {
            "date": [dt.date(2024, 3, 11) + dt.timedelta(days=i // 4) for i in range(size)],
            "minute": [570 + 5 * (i % 4) for i in range(size)],
            "open": [c - 0.5 for c in close],
            "high": [c + 1.5 for c in close],
            "low": [c - 1.5 for c in close],
            "close": close,
            "volume": [100 + i for i in range(size)],
        },
        schema={
            "date": pl.Date,
            "minute": pl.Int16,
            "open": pl.Float64,
            "high": pl.Float64,
            "low": pl.Float64,
            "close": pl.Float64,
            "volume": pl.Int64,
        },
    )


def sample_argument(arg: Arg) -> object:
    if arg.kind == "column":
        return pl.col("close") > pl.col("open") if arg.name == "cond" else pl.col("close")
    if not arg.required:
        return arg.default
    if arg.choices:
        return arg.choices[0]
    return 3 if arg.kind == "int" else 0.5


def sample_call(name: str, ctx: EvalContext) -> pl.Expr:
    return call(name, *(sample_argument(arg) for arg in library().functions[name].args), ctx=ctx)


@pytest.mark.parametrize("size", [0, 1, 2, 40])
@pytest.mark.parametrize("name", SERIES_SPECS)
def test_series_function_keeps_one_value_per_row(name: str, size: int) -> None:
    frame = bars(size)
    result = frame.lazy().with_columns(sample_call(name, INTRADAY).alias("out")).collect()
    assert result.height == size
    column = result["out"]
    if column.dtype.is_float():
        assert not column.is_nan().any() and not column.is_infinite().any(), name


@pytest.mark.parametrize("name", AGGREGATE_SPECS)
def test_aggregate_gives_one_value_per_group_and_broadcasts(name: str) -> None:
    frame = bars(40).with_columns(g=pl.int_range(pl.len()) % 3)
    expr = sample_call(name, INTRADAY)
    assert frame.select(expr.alias("out")).height == 1
    assert frame.group_by("g").agg(expr.alias("out"))["out"].dtype != pl.List
    assert frame.with_columns(expr.alias("out"))["out"].n_unique() == 1


@pytest.mark.parametrize(
    "name",
    ["ema", "rma", "rsi", "atr", "macd_hist", "adx", "supertrend", "sar", "cci", "streak", "sma", "vwap"],
)
def test_functions_restart_in_each_partition(name: str) -> None:
    frame = bars(60)
    ctx = EvalContext()
    expr = sample_call(name, ctx)
    partitioned = frame.with_columns(part=pl.int_range(pl.len()) // 30).with_columns(out=expr.over("part"))
    separately = [values(frame.slice(start, 30), expr) for start in (0, 30)]
    assert partitioned["out"].to_list() == separately[0] + separately[1]


def test_calendar_flags_with_the_engines_holiday_records() -> None:
    ctx = EvalContext(extras={"calendar": tuple(holidays("NYSE", 2025))})
    frame = pl.DataFrame({"date": [dt.date(2025, 4, 17), dt.date(2025, 4, 18), dt.date(2025, 1, 2)]})
    assert values(frame, call("is_opex", ctx=ctx)) == [True, False, False]
    assert values(frame, call("is_month_start", ctx=ctx)) == [False, False, True]


@pytest.mark.parametrize(
    "name",
    sorted(
        {
            spec.name
            for spec in library().functions.values()
            if spec.kind != "resolved" and any(a.kind == "column" for a in spec.args)
        }
    ),
)
def test_conditions_are_accepted_wherever_a_column_is(name: str) -> None:
    condition = pl.col("close") > pl.col("open").shift(1)
    arguments = [
        condition if arg.kind == "column" else sample_argument(arg) for arg in library().functions[name].args
    ]
    result = bars(40).select(call(name, *arguments).alias("out"))
    assert result.height in (1, 40)
