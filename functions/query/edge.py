"""What ``/api/query`` and ``/api/backtest`` share at the HTTP edge: finding the instrument and its bars."""

from __future__ import annotations

from shared.bars import get_bar_store
from shared.errors import BarbError, not_found
from shared.market import Instrument, get_instrument
from shared.script import StoreBars


def instrument_bars(symbol: str) -> tuple[Instrument, StoreBars, bool]:
    """The instrument, its bars and whether they are synthetic sample data; 404 when either is missing."""
    instrument = get_instrument(symbol)
    if instrument is None:
        raise not_found(f"Instrument {symbol.upper()!r}")
    store = get_bar_store()
    if instrument.symbol not in store.symbols():
        raise BarbError(404, "NO_DATA", f"There are no bars for {instrument.symbol} yet.")
    return instrument, StoreBars(store, instrument.symbol), store.is_sample(instrument.symbol)
