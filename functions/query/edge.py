"""What ``/api/query`` and ``/api/backtest`` share at the HTTP edge: finding the bars, reporting problems."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from shared.bars import get_bar_store
from shared.market.instruments import Instrument, get_instrument
from shared.script import StoreBars
from shared.web.errors import ApiError, not_found

FAILED_STATUS = {
    "NO_DATA": 404,
    "DATA_UNAVAILABLE": 503,
    "QUERY_INTERNAL": 500,
    "BACKTEST_INTERNAL": 500,
    "QUERY_TOO_LARGE": 422,
    "ENGINE_BUSY": 429,
}
"""HTTP status of each ``QueryFailed`` code (anything else is the caller's problem: 422)."""


class _Problem(Protocol):
    message: str

    def to_dict(self) -> dict: ...


def instrument_bars(symbol: str) -> tuple[Instrument, StoreBars, bool]:
    """The instrument, its bars and whether they are synthetic sample data; 404 when either is missing."""
    instrument = get_instrument(symbol)
    if instrument is None:
        raise not_found(f"Instrument {symbol.upper()!r}")
    store = get_bar_store()
    if instrument.symbol not in store.symbols():
        raise ApiError(404, "NO_DATA", f"There are no bars for {instrument.symbol} yet.")
    return instrument, StoreBars(store, instrument.symbol), store.is_sample(instrument.symbol)


def invalid(code: str, what: str, problems: Sequence[_Problem]) -> ApiError:
    """422 naming the first problem and carrying every one in ``details``."""
    count = len(problems)
    more = " (and more)" if count > 1 else ""
    return ApiError(
        422,
        code,
        f"The {what} has {count} problem{'s' if count != 1 else ''}: {problems[0].message}{more}",
        details=[p.to_dict() for p in problems],
    )
