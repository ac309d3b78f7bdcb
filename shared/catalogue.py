"""The instrument catalogue as the API shows it: catalogue rows from the store, plus symbols imported with
their own catalogue entry (stored in the data manifest), each with the status of its bars.

Only instruments with data are queryable; the others are listed with ``data.available = false``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from shared.bars import get_bar_store
from shared.errors import BarbError, not_found
from shared.market import Instrument, get_exchange, get_instrument
from shared.script import StoreBars, StoreUniverse
from shared.store import CatalogueEntry, get_store


def entry_from_instrument(instrument: Instrument) -> CatalogueEntry:
    """The catalogue row of an instrument defined in code or by an import."""
    exchange = get_exchange(instrument.exchange)
    return CatalogueEntry(
        **instrument.model_dump(exclude={"sessions", "events"}),
        exchange_name=exchange.name if exchange else instrument.exchange,
        sessions={name: list(session) for name, session in instrument.sessions.items()},
        events=list(instrument.events),
    )


def _imported_entries() -> dict[str, CatalogueEntry]:
    entries = {}
    for symbol, raw in get_bar_store().catalogue_entries().items():
        try:
            entries[symbol] = entry_from_instrument(Instrument.model_validate(raw))
        except ValidationError:
            continue  # the bar store already logged the bad entry when it loaded the manifest
    return entries


async def list_catalogue(*, search: str | None = None, category: str | None = None) -> list[CatalogueEntry]:
    """Every instrument matching a plain substring ``search`` (symbol or name) and ``category``."""
    entries = {e.symbol: e for e in await get_store().list_catalogue(search=search, category=category)}
    needle = search.lower() if search else None
    for symbol, entry in _imported_entries().items():
        if symbol in entries:
            continue
        if needle and needle not in symbol.lower() and needle not in entry.name.lower():
            continue
        if category and entry.category.lower() != category.lower():
            continue
        entries[symbol] = entry
    return sorted(entries.values(), key=lambda e: e.symbol)


async def find_instrument(symbol: str) -> CatalogueEntry | None:
    """One instrument by symbol (case-insensitive), or None."""
    entry = await get_store().get_catalogue_entry(symbol)
    return entry or _imported_entries().get(symbol.upper())


async def require_instrument(symbol: str) -> CatalogueEntry:
    """One instrument by symbol (case-insensitive); 404 ``NOT_FOUND`` naming the symbol when it is unknown."""
    entry = await find_instrument(symbol)
    if entry is None:
        raise not_found(f"Instrument {symbol.upper()!r}")
    return entry


class DataStatus(BaseModel):
    """Whether an instrument has bars, their range (trade dates) and bar sizes, and whether they are synthetic."""

    available: bool
    sample: bool
    first: str | None
    last: str | None
    bar_sizes: list[str]


class InstrumentView(CatalogueEntry):
    """An instrument as the API shows it: its catalogue entry and the status of its data."""

    data: DataStatus


def data_status(symbol: str) -> dict[str, Any]:
    """:class:`DataStatus` of ``symbol``, as JSON."""
    store = get_bar_store()
    span = store.data_range(symbol)
    if span is None:
        status = DataStatus(available=False, sample=False, first=None, last=None, bar_sizes=[])
    else:
        first, last = span[0].isoformat(), span[1].isoformat()
        status = DataStatus(
            available=True,
            sample=store.is_sample(symbol),
            first=first,
            last=last,
            bar_sizes=store.bar_sizes(symbol),
        )
    return status.model_dump()


def describe(entry: CatalogueEntry) -> dict[str, Any]:
    """An instrument as clients see it (:class:`InstrumentView`), with the status of its bars, as JSON."""
    return entry.model_dump(mode="json") | {"data": data_status(entry.symbol)}


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
