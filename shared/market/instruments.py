"""The instrument catalogue: 31 seeded futures plus symbols registered at import time (e.g. stocks)."""

from __future__ import annotations

import re
import threading
from typing import Any, NamedTuple

from pydantic import BaseModel, field_validator, model_validator

from shared.lazy import singleton
from shared.market.contracts import CONTRACTS
from shared.market.holidays import CME_CLASS_CALENDARS

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class Session(NamedTuple):
    """A trading session in display time. ``end < start`` means the session wraps midnight."""

    start: str
    end: str

    @property
    def start_minute(self) -> int:
        """Minutes since midnight of ``start``."""
        return _to_minute(self.start)

    @property
    def end_minute(self) -> int:
        """Minutes since midnight of ``end``."""
        return _to_minute(self.end)

    @property
    def wraps_midnight(self) -> bool:
        """True when the session starts on the evening before its trade date."""
        return self.end_minute <= self.start_minute


def _to_minute(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


class Instrument(BaseModel, frozen=True):
    """One tradable instrument. Session times and bar ``minute`` values are in ``timezone`` (display time)."""

    symbol: str
    name: str
    exchange: str
    type: str = "futures"
    category: str
    currency: str = "USD"
    timezone: str = "America/New_York"
    default_session: str
    sessions: dict[str, Session]
    tick_size: float
    tick_value: float
    point_value: float
    calendar: str
    events: tuple[str, ...] = ("macro",)
    notes: str | None = None

    @field_validator("symbol", "exchange", "calendar", "default_session")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.strip().upper()

    @field_validator("sessions")
    @classmethod
    def _check_sessions(cls, value: dict[str, Session]) -> dict[str, Session]:
        for name, session in value.items():
            for t in session:
                if not _HHMM.match(t):
                    raise ValueError(f"session {name}: {t!r} is not HH:MM")
        return {name.upper(): session for name, session in value.items()}

    @model_validator(mode="after")
    def _default_session_exists(self) -> Instrument:
        if self.default_session not in self.sessions:
            raise ValueError(
                f"default_session {self.default_session!r} is not one of {sorted(self.sessions)}"
            )
        if self.tick_size <= 0:
            raise ValueError("tick_size must be positive")
        return self


_EVENTS_BY_CATEGORY = {
    "index": ("macro", "options"),
    "energy": ("macro", "oil"),
    "crypto": ("macro", "crypto"),
}
_CME_GROUP = frozenset({"CME", "CBOT", "NYMEX", "COMEX"})


def _calendar_of(exchange: str, category: str) -> str:
    """A CME Group product gets its class's calendar (``CME`` for a class without one); others their exchange's."""
    if exchange in _CME_GROUP:
        return CME_CLASS_CALENDARS.get(category, "CME")
    return exchange


def _catalogue_entry(category: str, row: tuple[Any, ...]) -> Instrument:
    symbol, name, exchange, currency, eth, rth, tick, tick_value, point_value, notes = row
    sessions = {"ETH": Session(*eth)}
    if rth is not None:
        sessions["RTH"] = Session(*rth)
    return Instrument(
        symbol=symbol,
        name=name,
        exchange=exchange,
        category=category,
        currency=currency,
        default_session="ETH",
        sessions=sessions,
        tick_size=tick,
        tick_value=tick_value,
        point_value=point_value,
        calendar=_calendar_of(exchange, category),
        events=_EVENTS_BY_CATEGORY.get(category, ("macro",)),
        notes=notes,
    )


_CATALOGUE: dict[str, Instrument] = {
    row[0]: _catalogue_entry(category, row) for category, rows in CONTRACTS.items() for row in rows
}
_lock = threading.Lock()


@singleton
def _registered() -> dict[str, Instrument]:
    """Symbols registered by imports in this process (a singleton: ``reset_singletons()`` forgets them)."""
    return {}


def catalogue_instruments() -> list[Instrument]:
    """The built-in catalogue only (the rows seeded into the store), without imported symbols."""
    return list(_CATALOGUE.values())


def get_instrument(symbol: str) -> Instrument | None:
    """Return the instrument for ``symbol`` (case-insensitive), catalogue first, or None."""
    key = symbol.strip().upper()
    return _CATALOGUE.get(key) or _registered().get(key)


def list_instruments(search: str | None = None, category: str | None = None) -> list[Instrument]:
    """Catalogue then registered instruments, optionally filtered.

    ``search`` is a case-insensitive substring of the symbol or the name; ``category`` matches exactly
    (case-insensitive).
    """
    with _lock:
        everything = [*_CATALOGUE.values(), *_registered().values()]
    needle = search.strip().lower() if search else None
    wanted = category.strip().lower() if category else None
    return [
        i
        for i in everything
        if (needle is None or needle in i.symbol.lower() or needle in i.name.lower())
        and (wanted is None or i.category.lower() == wanted)
    ]


def register_instrument(instrument: Instrument) -> None:
    """Add or replace an imported symbol outside the catalogue.

    Catalogue symbols are fixed: registering one again is accepted only when identical, so an import cannot
    silently change the sessions or tick size of a seeded future.
    """
    existing = _CATALOGUE.get(instrument.symbol)
    if existing is not None:
        if existing != instrument:
            raise ValueError(f"{instrument.symbol} is a catalogue instrument and cannot be redefined")
        return
    with _lock:
        _registered()[instrument.symbol] = instrument
