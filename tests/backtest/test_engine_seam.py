"""``shared.script.run.execute_plan``: the whole computed frame of a plan, with the engine's typed failures."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from shared.ingest.sample import generate_minute_bars
from shared.market import get_instrument
from shared.script import FrameBars, QueryFailed, build_plan, execute_plan


def test_execute_plan_returns_every_bar_with_map_columns():
    nq = get_instrument("NQ")
    minutes = generate_minute_bars("NQ", date(2024, 1, 2), date(2024, 1, 12), seed=3)
    plan, errors = build_plan({"from": "1m", "map": {"up": "close > prev(close)"}}, nq)
    assert errors == []
    execution = execute_plan(plan, nq, FrameBars(minutes))
    frame = execution.frame
    assert frame.height == minutes.height > 10_000  # no result-object row cap
    assert {"date", "time", "open", "close", "up"} <= set(frame.columns)
    expected = minutes.get_column("close") > minutes.get_column("close").shift(1)
    assert frame.get_column("up").equals(expected.alias("up"), null_equal=True)


def test_execute_plan_failures_are_typed():
    nq = get_instrument("NQ")
    plan, _ = build_plan({"from": "daily"}, nq)

    class NoMinutes:
        def minute(self) -> pl.LazyFrame:
            raise LookupError("no one-minute bars for NQ")

        def daily(self) -> None:
            return None

    with pytest.raises(QueryFailed) as caught:
        execute_plan(plan, nq, NoMinutes())
    assert caught.value.code == "NO_DATA"
