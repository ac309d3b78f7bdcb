"""Test support shared by the assistant and chat tests: the synthetic sample bars, generated once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from shared.ingest import write_sample_data

SAMPLE_SYMBOLS = ("NQ", "ES")
SAMPLE_END = date(2026, 11, 20)
SAMPLE_YEARS = 1.5


def write_sample(data_dir: Path, symbols: Sequence[str] = SAMPLE_SYMBOLS) -> Path:
    """Deterministic sample bars (by default NQ and ES, 1.5 years of one-minute and daily bars) into ``data_dir``."""
    write_sample_data(data_dir, symbols, SAMPLE_YEARS, seed=7, end=SAMPLE_END, progress=lambda _: None)
    return data_dir
