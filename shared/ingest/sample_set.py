"""The synthetic sample set: generated into the data folder on first start and by ``barb sample-data``.

Instruments written here are marked ``sample`` in the manifest so the API and the UI can say "synthetic
sample" next to every figure computed from them. The default set spans the asset classes (equity indices, energy,
metals, rates, currency) so cross-instrument questions have meaningful answers: the instruments share common
market factors (``shared.ingest.factors``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path

from data_store.layout import DataFolder
from shared.ingest.sample import generate_daily_bars, generate_minute_bars
from shared.market import get_instrument

DEFAULT_SYMBOLS = ("NQ", "ES", "YM", "RTY", "CL", "GC", "ZN", "6E")


def write_sample_data(
    data_dir: Path,
    symbols: Sequence[str] = DEFAULT_SYMBOLS,
    years: float = 3,
    seed: int = 0,
    *,
    end: date | None = None,
    progress: Callable[[str], None] = print,
) -> list[str]:
    """Generate ``years`` of one-minute and daily bars per symbol into ``data_dir``; returns the symbols.

    ``end`` defaults to yesterday, so the set looks current; the same ``seed``, ``end`` and ``years`` give
    the same bars.
    """
    end = end or date.today() - timedelta(days=1)
    start = end - timedelta(days=round(365.25 * years))
    folder = DataFolder(data_dir)
    written = []
    for raw_symbol in symbols:
        instrument = get_instrument(raw_symbol)
        if instrument is None:
            raise ValueError(f"{raw_symbol} is not in the instrument catalogue")
        began = time.perf_counter()
        minute = generate_minute_bars(instrument.symbol, start, end, seed)
        folder.add_bars(instrument.symbol, "1m", minute, sample=True)
        folder.add_bars(instrument.symbol, "1d", generate_daily_bars(minute, instrument), sample=True)
        progress(
            f"sample data: {instrument.symbol} {start} → {end}, {minute.height:,} one-minute bars "
            f"({time.perf_counter() - began:.1f} s)"
        )
        written.append(instrument.symbol)
    return written


def ensure_sample_data(
    data_dir: Path,
    symbols: Sequence[str] = DEFAULT_SYMBOLS,
    years: float = 3,
    seed: int = 0,
    progress: Callable[[str], None] = print,
) -> bool:
    """Generate the default sample set when ``data_dir`` has no bars yet; True when it generated.

    A sample set missing some of ``symbols`` (interrupted half-way, or written when the default set was smaller)
    is generated again whole, so every instrument shares one end date and one generator; a folder with any
    imported data is left alone.
    """
    manifest = DataFolder(data_dir).manifest()
    present = set(manifest.instruments) if manifest else set()
    if manifest is not None and not all(entry.sample for entry in manifest.instruments.values()):
        return False
    missing = [s for s in symbols if s.upper() not in present]
    if not missing:
        return False
    progress(
        f"no bar data in {data_dir} for {', '.join(missing)}: "
        f"generating a synthetic sample set ({', '.join(symbols)}, {years} years)"
    )
    write_sample_data(data_dir, symbols, years, seed, progress=progress)
    return True
