"""The compiled loops (``shared.script.loops``, ``shared.script.path_loops``): seed sums, missing values, and vwap on any row order."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import polars as pl
import pytest

from shared.script import kernels, loops, path_loops
from shared.script.declarations import EvalContext
from tests.script_functions.support import aapl_bars, call, values

RNG = np.random.default_rng(7)


@pytest.mark.parametrize("count", [1, 7, 8, 9, 127, 128, 129, 1000, 8191, 8193, 100_000, 300_001])
def test_seed_sums_are_numpys_pairwise_sums(count: int) -> None:
    data = RNG.normal(size=count) * 1e4
    assert loops._pairwise_sum(data, 0, count) == np.sum(data)


def reference_average(values: list[float], n: int, alpha: float) -> list[float]:
    """The seeded average written out: mean of the first n present values, then y += α(x − y)."""
    out, present, average = [], [], math.nan
    for x in values:
        if math.isnan(x):
            out.append(math.nan)
            continue
        if len(present) < n:
            present.append(x)
            if len(present) == n:
                average = math.fsum(present) / n
            out.append(average if len(present) == n else math.nan)
            continue
        average += alpha * (x - average)
        out.append(average)
    return out


def test_seeded_average_skips_missing_values_before_and_after_the_seed() -> None:
    data = RNG.normal(size=60) + 50
    data[[0, 3, 4, 20, 41]] = np.nan
    got = kernels.rma(data, 5)
    expected = reference_average(data.tolist(), 5, 1 / 5)
    np.testing.assert_allclose(got, expected, rtol=1e-13)
    assert np.isnan(got[:7]).all() and not np.isnan(got[7])  # the 5th present value is on bar 7
    assert np.isnan(got[[20, 41]]).all() and not np.isnan(got[21])


def test_too_few_present_values_leave_the_average_missing() -> None:
    assert np.isnan(kernels.ema(np.array([1.0, np.nan, 2.0]), 3)).all()
    assert np.isnan(kernels.rsi(np.array([1.0, 2.0]), 14)).all()


def test_vwap_of_a_later_step_in_any_row_order_uses_each_sessions_rows_in_order() -> None:
    days = [dt.date(2024, 1, 2), dt.date(2024, 1, 3), dt.date(2024, 1, 2), dt.date(2024, 1, 3)]
    table = pl.DataFrame(
        {
            "d": days * 2,
            "high": [11.0, 21.0, 12.0, 22.0, 13.0, 23.0, 14.0, 24.0],
            "low": [9.0, 19.0, 10.0, 20.0, 11.0, 21.0, 12.0, 22.0],
            "close": [10.0, 20.0, 11.0, 21.0, 12.0, 22.0, 13.0, 23.0],
            "volume": [1.0, 2.0, 3.0, 0.0, 5.0, 6.0, 7.0, 8.0],
        }
    )
    step = EvalContext(timeframe="step", session_keys=("d",), date_col="d")
    got = values(table, call("vwap", ctx=step))
    ordered = table.with_row_index("row").sort("d", maintain_order=True)
    expected = values(ordered, call("vwap", ctx=step))
    by_row = dict(zip(ordered["row"].to_list(), expected, strict=True))
    assert got == [by_row[row] for row in range(table.height)]
    typical = [(h + lo + c) / 3 for h, lo, c in zip(table["high"], table["low"], table["close"], strict=True)]
    assert got[0] == typical[0] and got[1] == typical[1]
    assert got[2] == pytest.approx((typical[0] * 1 + typical[2] * 3) / 4, rel=1e-15)
    assert got[3] == pytest.approx(typical[1], rel=1e-15)  # no volume on this bar: the average holds


@pytest.mark.parametrize(
    "column",
    [
        [3.0, None, 1.0, 3.0, 2.0, 3.0],
        [3, None, 1, 3, 2, 3],
        [3, 5, 1, 3, 2, 3],
        [3.0, math.nan, 1.0, 3.0, None, math.nan],
        [True, False, None, True, True, False],
    ],
)
def test_rank_is_the_average_rank_over_the_count_of_present_values(column: list) -> None:
    frame = pl.DataFrame({"x": column}, strict=False)
    expected = frame.select(pl.col("x").rank("average") / pl.col("x").count())["x"].to_list()
    assert values(frame, call("rank", pl.col("x"))) == expected


def test_warm_up_covers_the_argument_types_queries_pass() -> None:
    kernels.warm_up()
    compiled = [
        getattr(module, name)
        for module in (loops, path_loops)
        for name in dir(module)
        if hasattr(getattr(module, name), "signatures")
    ]
    before = [len(loop.signatures) for loop in compiled]
    bars = aapl_bars()
    for expr in [
        call("rsi", pl.col("close"), 14),
        call("ema", pl.col("close") - pl.col("open"), 5),
        call("supertrend", 10, 3),  # an integer multiplier
        call("sar", 0.02, 0.2),
        call("adx", 14),
        call("cci", 20),
        call("kc_width", 20, 2),
        call("macd_hist", pl.col("close"), 12, 26, 9),
        call("natr", 14),
        call("rank", pl.col("volume")),
        call("vwap"),
    ]:
        values(bars, expr)
    assert [len(loop.signatures) for loop in compiled] == before
