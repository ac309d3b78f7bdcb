"""A quarter of NQ sample bars and a strategy that trades on them, for the tool and endpoint tests."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from shared.ingest.sample import generate_daily_bars, generate_minute_bars
from tests.backtest.frames import NQ

STRATEGY = {
    "entry": "streak(red()) >= 2",
    "direction": "long",
    "stop_loss": "1%",
    "take_profit": "2%",
    "exit_bars": 3,
}


@pytest.fixture(scope="module")
def nq_bars() -> tuple[pl.DataFrame, pl.DataFrame]:
    """One-minute and daily sample bars of NQ, January to March 2024."""
    minutes = generate_minute_bars("NQ", date(2024, 1, 2), date(2024, 3, 29), seed=8)
    return minutes, generate_daily_bars(minutes, NQ)
