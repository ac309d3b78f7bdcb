"""Conventions on small hand-built frames: warm-up, null safety, division by zero, sessions, time and calendar."""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest

from shared.market import Holiday
from shared.script import QueryFailed
from shared.script.declarations import EvalContext
from tests.script_functions.support import call, values

X = pl.col("x")
INTRADAY = EvalContext(timeframe="30m", intraday=True)

# Two CME-style trade dates: 2024-03-15 (a Friday) starts on Thursday evening at 18:00.
SESSIONS = pl.DataFrame(
    {
        "date": [dt.date(2024, 3, 14)] * 3 + [dt.date(2024, 3, 15)] * 4,
        "minute": [570, 600, 630, 1080, 1110, 570, 600],
        "open": [10.0, 11.0, 12.0, 20.0, 21.0, 22.0, 23.0],
        "high": [11.0, 14.0, 13.0, 22.0, 25.0, 24.0, 23.5],
        "low": [9.0, 10.0, 11.0, 19.0, 20.0, 18.0, 22.0],
        "close": [11.0, 12.0, 12.5, 21.0, 22.0, 23.0, 23.0],
        "volume": [100, 200, 100, 0, 0, 300, 100],
    }
)


def series(**columns: list) -> pl.DataFrame:
    return pl.DataFrame(columns)


def approx(items: list, expected: list) -> bool:
    return len(items) == len(expected) and all(
        (a is None and b is None) or (a is not None and b is not None and math.isclose(a, b, rel_tol=1e-12))
        for a, b in zip(items, expected, strict=True)
    )


# --- warm-up -------------------------------------------------------------------------------------------------


def test_ema_and_rma_are_seeded_with_the_sma_of_the_first_n_values() -> None:
    frame = series(x=[1.0, 2.0, 3.0, 4.0, 5.0])
    assert approx(values(frame, call("ema", X, 3)), [None, None, 2.0, 3.0, 4.0])
    assert approx(values(frame, call("rma", X, 3)), [None, None, 2.0, 2 + 2 / 3, (2 + 2 / 3) * 2 / 3 + 5 / 3])
    assert approx(values(frame, call("sma", X, 3)), [None, None, 2.0, 3.0, 4.0])
    assert values(frame, call("ema", X, 1)) == [1.0, 2.0, 3.0, 4.0, 5.0]


def test_smoothing_skips_leading_and_inner_nulls() -> None:
    frame = series(x=[None, 2.0, 4.0, None, 8.0])
    # Seed = mean(2, 4) on the second present value; the null stays null and is skipped by the recursion.
    assert approx(values(frame, call("ema", X, 2)), [None, None, 3.0, None, 8 * 2 / 3 + 3 / 3])


def test_rolling_windows_are_null_until_full_and_across_a_missing_value() -> None:
    frame = series(x=[1.0, 2.0, None, 4.0, 5.0, 6.0])
    assert values(frame, call("rolling_sum", X, 2)) == [None, 3.0, None, None, 9.0, 11.0]
    assert values(frame, call("wma", X, 2)) == [None, 5 / 3, None, None, 14 / 3, 17 / 3]


def test_indicator_warm_up_lengths() -> None:
    size = 80
    frame = pl.DataFrame(
        {
            "open": [100 + math.sin(i) for i in range(size)],
            "high": [102 + math.sin(i) + (i % 3) for i in range(size)],
            "low": [98 + math.sin(i) - (i % 2) for i in range(size)],
            "close": [100 + math.sin(i * 0.7) * 2 for i in range(size)],
            "volume": [1000 + 10 * i for i in range(size)],
        }
    )
    close = pl.col("close")
    first_value = {
        "rsi": (call("rsi", close, 14), 14),
        "atr": (call("atr", 14), 13),
        "tr": (call("tr"), 0),
        "mfi": (call("mfi", 14), 14),
        "cci": (call("cci", 20), 19),
        "stoch_k": (call("stoch_k", 14, 1), 13),
        "stoch_d": (call("stoch_d", 14, 3, 3), 17),
        "macd": (call("macd", close, 12, 26), 25),
        "macd_signal": (call("macd_signal", close, 12, 26, 9), 33),
        "plus_di": (call("plus_di", 14), 14),
        "adx": (call("adx", 14), 27),
        "supertrend": (call("supertrend", 10, 3.0), 9),
        "supertrend_dir": (call("supertrend_dir", 10, 3.0), 9),
        "sar": (call("sar", 0.02, 0.2), 1),
        "hma": (call("hma", close, 16), 15 + 3),
        "prev": (call("prev", close, 3), 3),
        "change_pct": (call("change_pct", close, 1), 1),
        "bbands_upper": (call("bbands_upper", close, 20, 2.0), 19),
        "kc_upper": (call("kc_upper", 20, 1.5), 19),
        "obv": (call("obv"), 0),
    }
    for name, (expr, start) in first_value.items():
        got = values(frame, expr)
        assert all(v is None for v in got[:start]), name
        assert all(v is not None for v in got[start:]), name
    assert values(frame, call("obv"))[0] == 0


def test_true_range_uses_high_minus_low_on_the_first_bar() -> None:
    frame = series(high=[10.0, 12.0], low=[8.0, 11.0], close=[9.0, 11.5])
    assert values(frame, call("tr")) == [2.0, 3.0]


# --- null safety and division by zero -------------------------------------------------------------------------


def test_if_with_a_null_condition_takes_the_else_branch() -> None:
    frame = series(c=[True, None, False], x=[1, 2, 3])
    assert values(frame, call("if", pl.col("c"), X, -X)) == [1, -2, -3]


def test_conditions_read_null_as_false() -> None:
    frame = series(c=[True, True, None, True, False, True])
    cond = pl.col("c")
    assert values(frame, call("streak", cond)) == [1, 2, 0, 1, 0, 1]
    assert values(frame, call("bars_since", cond)) == [0, 0, 1, 0, 1, 0]
    assert values(frame, call("rolling_count", cond, 3)) == [None, None, 2, 2, 1, 2]
    assert values(frame, call("pct", cond))[0] == pytest.approx(400 / 6)
    assert values(series(c=[None, False, True]), call("bars_since", cond)) == [None, None, 0]


def test_valuewhen_counts_occurrences_including_the_current_bar() -> None:
    frame = series(c=[False, True, None, True, False, True], x=[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    cond = pl.col("c")
    assert values(frame, call("valuewhen", cond, X, 0)) == [None, 2.0, 2.0, 4.0, 4.0, 6.0]
    assert values(frame, call("valuewhen", cond, X, 1)) == [None, None, None, 2.0, 2.0, 4.0]


def test_division_by_zero_gives_null() -> None:
    frame = series(
        date=[dt.date(2024, 1, 2)] * 4,
        open=[0.0, 5.0, 5.0, 5.0],
        high=[5.0, 5.0, 5.0, 5.0],
        low=[0.0, 5.0, 5.0, 5.0],
        close=[0.0, 5.0, 5.0, 5.0],
        volume=[0, 0, 0, 0],
    )
    close = pl.col("close")
    assert values(frame, call("change_pct", close))[1] is None
    assert values(frame, call("range_pct"))[0] is None
    assert values(frame, call("body_pct"))[0] is None
    assert values(frame, call("doji", 0.1))[1] is None
    assert values(frame, call("stoch_k", 2, 1))[2:] == [None, None]
    assert values(frame, call("williams_r", 2))[2:] == [None, None]
    assert values(frame, call("bbands_pctb", close, 2, 2.0))[2:] == [None, None]
    assert values(frame, call("volume_ratio", 2))[1:] == [None, None, None]
    assert values(frame, call("vwap")) == [None] * 4
    assert values(frame, call("mfi", 2)) == [None] * 4  # no money flow at all
    assert values(frame, call("log", close))[0] is None
    assert values(series(x=[-4.0, 4.0]), call("sqrt", X)) == [None, 2.0]
    assert values(frame, call("ad_line")) == [0.0] * 4


def test_rsi_is_100_with_only_gains_and_0_with_only_losses() -> None:
    assert values(series(x=[1.0, 2.0, 3.0, 4.0, 6.0]), call("rsi", X, 3)) == [None, None, None, 100.0, 100.0]
    assert values(series(x=[9.0, 8.0, 7.0, 5.0, 1.0]), call("rsi", X, 3)) == [None, None, None, 0.0, 0.0]
    # No move at all over the average: neither 0 nor 100.
    assert values(series(x=[5.0, 5.0, 5.0, 5.0]), call("rsi", X, 2)) == [None, None, None, None]


# --- crossover ------------------------------------------------------------------------------------------------


def test_crossover_and_crossunder_accept_numbers_on_either_side() -> None:
    frame = series(x=[20.0, 35.0, 25.0, 40.0])
    assert values(frame, call("crossover", X, 30)) == [None, True, False, True]
    assert values(frame, call("crossover", 30, X)) == [None, False, True, False]
    assert values(frame, call("crossunder", X, 30)) == [None, False, True, False]
    assert values(frame, call("crossunder", 30, X)) == [None, True, False, True]
    assert values(frame, call("crossover", 1, 2)) == [None, False, False, False]
    assert values(frame, call("crossover", X, call("prev", X))) == [None, None, False, True]


# --- patterns -------------------------------------------------------------------------------------------------


def test_pivots_are_reported_on_the_confirming_bar() -> None:
    frame = series(high=[1.0, 2.0, 5.0, 2.0, 1.0, 0.0], low=[5.0, 4.0, 1.0, 4.0, 5.0, 6.0])
    assert values(frame, call("pivothigh", 2, 2)) == [None, None, None, None, 5.0, None]
    assert values(frame, call("pivotlow", 2, 2)) == [None, None, None, None, 1.0, None]


def test_rising_falling_and_rank() -> None:
    frame = series(x=[1.0, 3.0, 2.0, 4.0, 4.0])
    assert values(frame, call("rising", X, 2)) == [None, None, False, True, False]
    assert values(frame, call("falling", X, 1)) == [None, False, True, False, False]
    assert values(frame, call("rank", X)) == pytest.approx([0.2, 0.6, 0.4, 0.9, 0.9])


def test_lag_and_cumulative() -> None:
    frame = series(x=[1.0, None, 3.0, 2.0])
    assert values(frame, call("prev", X)) == [None, 1.0, None, 3.0]
    assert values(frame, call("next", X, 2)) == [3.0, 2.0, None, None]
    assert values(frame, call("cumsum", X)) == [1.0, 1.0, 4.0, 6.0]
    assert values(frame, call("cummax", X)) == [1.0, 1.0, 3.0, 3.0]


# --- sessions -------------------------------------------------------------------------------------------------


def test_session_values_reset_at_each_trade_date_not_at_midnight() -> None:
    frame = SESSIONS.with_columns(
        open_=call("session_open", ctx=INTRADAY),
        high_=call("session_high", ctx=INTRADAY),
        low_=call("session_low", ctx=INTRADAY),
        close_=call("session_close", ctx=INTRADAY),
        high_sofar=call("session_high_sofar", ctx=INTRADAY),
        low_sofar=call("session_low_sofar", ctx=INTRADAY),
    )
    assert frame["open_"].to_list() == [10.0] * 3 + [20.0] * 4
    assert frame["high_"].to_list() == [14.0] * 3 + [25.0] * 4
    assert frame["low_"].to_list() == [9.0] * 3 + [18.0] * 4
    assert frame["close_"].to_list() == [12.5] * 3 + [23.0] * 4
    assert frame["high_sofar"].to_list() == [11.0, 14.0, 14.0, 22.0, 25.0, 25.0, 25.0]
    assert frame["low_sofar"].to_list() == [9.0, 9.0, 9.0, 19.0, 19.0, 18.0, 18.0]


def test_vwap_is_anchored_at_the_session_open() -> None:
    got = values(SESSIONS, call("vwap", ctx=INTRADAY))
    tp = [
        (h + lo + c) / 3
        for h, lo, c in zip(SESSIONS["high"], SESSIONS["low"], SESSIONS["close"], strict=True)
    ]
    assert got[0] == pytest.approx(tp[0])
    assert got[2] == pytest.approx((tp[0] * 100 + tp[1] * 200 + tp[2] * 100) / 400)
    assert got[3] is None and got[4] is None  # no volume yet in the new session
    assert got[5] == pytest.approx(tp[5]) and got[6] == pytest.approx((tp[5] * 300 + tp[6] * 100) / 400)
    assert values(SESSIONS, call("vwap_day", ctx=INTRADAY)) == got


def test_a_table_without_session_keys_is_one_session() -> None:
    ctx = EvalContext(timeframe="step", session_keys=(), date_col=None)
    assert values(SESSIONS, call("session_high_sofar", ctx=ctx))[-1] == 25.0


# --- time and calendar ----------------------------------------------------------------------------------------


def test_time_parts_of_intraday_bars() -> None:
    assert values(SESSIONS, call("time", ctx=INTRADAY))[3] == dt.time(18, 0)
    assert values(SESSIONS, call("hour", ctx=INTRADAY)) == [9, 10, 10, 18, 18, 9, 10]
    assert values(SESSIONS, call("minute", ctx=INTRADAY)) == [30, 0, 30, 0, 30, 30, 0]
    # The Thursday-evening bar belongs to Friday's trade date.
    assert values(SESSIONS, call("dayofweek", ctx=INTRADAY)) == [3] * 3 + [4] * 4
    assert values(SESSIONS, call("time")) == [None] * 7
    assert values(SESSIONS, call("hour")) == [None] * 7


def test_date_parts() -> None:
    frame = series(date=[dt.date(2024, 12, 30), dt.date(2025, 3, 9)])
    assert values(frame, call("year")) == [2024, 2025]
    assert values(frame, call("quarter")) == [4, 1]
    assert values(frame, call("month")) == [12, 3]
    assert values(frame, call("week")) == [1, 10]
    assert values(frame, call("day")) == [30, 9]
    assert values(frame, call("dayofweek")) == [0, 6]
    assert values(frame, call("date")) == [dt.date(2024, 12, 30), dt.date(2025, 3, 9)]


def test_date_functions_read_the_steps_date_column() -> None:
    ctx = EvalContext(timeframe="step", session_keys=("d",), date_col="d")
    frame = series(d=[dt.date(2024, 3, 15)], n=[3])
    assert values(frame, call("dayofweek", ctx=ctx)) == [4]
    assert values(frame, call("is_opex", ctx=ctx)) == [True]
    with pytest.raises(QueryFailed):
        call("quarter", ctx=EvalContext(timeframe="step", session_keys=(), date_col=None))


CALENDAR_DATES = [dt.date(2024, 3, d) for d in (14, 15)] + [
    dt.date(2024, 4, 19),
    dt.date(2024, 8, 30),
    dt.date(2024, 9, 2),
    dt.date(2024, 9, 3),
    dt.date(2024, 12, 31),
    dt.date(2025, 4, 17),
    dt.date(2025, 4, 18),
]


@pytest.mark.parametrize(
    ("calendar", "expected"),
    [
        (
            None,
            {
                "is_opex": [False, True, True, False, False, False, False, False, True],
                "is_quad_witching": [False, True, False, False, False, False, False, False, False],
                "is_month_start": [False, False, False, False, True, False, False, False, False],
                "is_month_end": [False, False, False, True, False, False, True, False, False],
                "is_quarter_end": [False, False, False, False, False, False, True, False, False],
            },
        ),
        (
            # Labor Day 2024 and Good Friday 2025 closed; an early close does not move anything.
            [
                Holiday(dt.date(2024, 9, 2), "Labor Day", "closed"),
                dt.date(2025, 4, 18),
                Holiday(dt.date(2024, 12, 31), "New Year's Eve", "early_close", dt.time(13, 0)),
            ],
            {
                "is_opex": [False, True, True, False, False, False, False, True, False],
                "is_month_start": [False, False, False, False, False, True, False, False, False],
                "is_month_end": [False, False, False, True, False, False, True, False, False],
            },
        ),
    ],
)
def test_calendar_flags(calendar: list | None, expected: dict[str, list[bool]]) -> None:
    ctx = EvalContext(extras={"calendar": calendar} if calendar else {})
    frame = series(date=CALENDAR_DATES)
    for name, flags in expected.items():
        assert values(frame, call(name, ctx=ctx)) == flags, name


# --- aggregates -----------------------------------------------------------------------------------------------


def test_aggregates_in_select_group_by_and_broadcast() -> None:
    frame = series(g=["a", "a", "b", "b", "b"], x=[1.0, 3.0, 2.0, None, 6.0], y=[2.0, 6.0, 4.0, 1.0, 12.0])
    whole = frame.select(
        n=call("count"),
        total=call("sum", X),
        avg=call("mean", X),
        mid=call("median", X),
        sd=call("std", X),
        share=call("pct", X > 2),
        p90=call("percentile", X, 0.9),
        r=call("correlation", X, pl.col("y")),
        first=call("first", X),
        last=call("last", X),
    ).row(0, named=True)
    assert whole["n"] == 5 and whole["total"] == 12.0 and whole["avg"] == 3.0 and whole["mid"] == 2.5
    assert whole["sd"] == pytest.approx(math.sqrt(((1 - 3) ** 2 + 0 + 1 + 9) / 3))
    assert whole["share"] == pytest.approx(40.0)
    assert whole["p90"] == pytest.approx(3 + 0.7 * 3)
    assert whole["r"] == pytest.approx(1.0)
    assert (whole["first"], whole["last"]) == (1.0, 6.0)
    grouped = frame.group_by("g", maintain_order=True).agg(
        n=call("count"), avg=call("mean", X), share=call("pct", X > 2)
    )
    assert grouped.rows() == [("a", 2, 2.0, 50.0), ("b", 3, 4.0, pytest.approx(100 / 3))]
    broadcast = frame.with_columns(above=call("mean", X) < X, n=call("count"))
    assert broadcast["above"].to_list() == [False, False, False, None, True]
    assert broadcast["n"].to_list() == [5] * 5
