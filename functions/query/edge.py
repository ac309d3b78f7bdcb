"""What ``/api/query`` and ``/api/backtest`` share at the HTTP edge: finding the instrument and its bars."""

from __future__ import annotations

from shared.bars import get_bar_store
from shared.errors import BarbError, not_found
from shared.market import Instrument, get_instrument
from shared.script import StoreBars, StoreUniverse


def instrument_bars(symbol: str) -> tuple[Instrument, StoreBars, bool]:
    """The instrument, its bars and whether they are synthetic sample data; 404 when either is missing."""
    instrument = get_instrument(symbol)
    if instrument is None:
        raise not_found(f"Instrument {symbol.upper()!r}")
    store = get_bar_store()
    if instrument.symbol not in store.symbols():
        raise BarbError(404, "NO_DATA", f"There are no bars for {instrument.symbol} yet.")
    return instrument, StoreBars(store, instrument.symbol), store.is_sample(instrument.symbol)


def store_universe() -> StoreUniverse:
    """Every instrument with bars in the bar store, for ``on('ES', …)`` and screens."""
    return StoreUniverse(get_bar_store())


def any_sample(symbols: list[str]) -> bool:
    """Whether any of ``symbols``' bars are the synthetic sample set."""
    store = get_bar_store()
    return any(store.is_sample(symbol) for symbol in symbols)
