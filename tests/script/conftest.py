"""Shared fixtures: NQ and ~9 months of deterministic one-minute bars (DST changes, holidays, early closes)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from shared.market import Instrument, get_instrument
from shared.script import FrameBars, run_query
from tests.script.bars_fixture import minute_bars, settlement_bars


@pytest.fixture(scope="session")
def nq() -> Instrument:
    instrument = get_instrument("NQ")
    assert instrument is not None
    return instrument


@pytest.fixture(scope="session")
def minutes(nq: Instrument) -> pl.DataFrame:
    return minute_bars(nq, date(2023, 10, 2), date(2024, 6, 28))


@pytest.fixture(scope="session")
def settlements(minutes: pl.DataFrame) -> pl.DataFrame:
    return settlement_bars(minutes)


@pytest.fixture(scope="session")
def bars(minutes: pl.DataFrame, settlements: pl.DataFrame) -> FrameBars:
    return FrameBars(minutes, settlements)


@pytest.fixture(scope="session")
def minute_only(minutes: pl.DataFrame) -> FrameBars:
    return FrameBars(minutes)


@pytest.fixture(scope="session")
def run(nq: Instrument, bars: FrameBars):
    def run_(query: dict, **kwargs) -> dict:
        return run_query(query, nq, kwargs.pop("data", bars), **kwargs)

    return run_
