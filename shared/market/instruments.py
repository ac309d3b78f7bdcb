"""The instrument catalogue: 31 seeded futures plus symbols registered at import time (e.g. stocks)."""

from __future__ import annotations

import re
import threading
from typing import Any, NamedTuple

from pydantic import BaseModel, field_validator, model_validator

from shared.lazy import singleton

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


_ETH_CME = ("18:00", "17:00")
_NOTE_OFFSET = (
    "Unadjusted continuous contract: its rollover dates differ from other platforms, so prices can show a "
    "constant offset against them."
)

# (symbol, name, exchange, category, currency, ETH, RTH or None, tick size, tick value, point value, notes)
_ROWS: tuple[tuple[Any, ...], ...] = (
    ("NQ", "E-Mini Nasdaq 100", "CME", "index", "USD", _ETH_CME, ("09:30", "16:15"), 0.25, 5, 20, None),
    ("ES", "E-mini S&P 500", "CME", "index", "USD", _ETH_CME, ("09:30", "16:15"), 0.25, 12.5, 50, None),
    ("YM", "E-mini Dow ($5)", "CBOT", "index", "USD", _ETH_CME, ("09:30", "16:15"), 1, 5, 5, None),
    ("RTY", "E-mini Russell 2000", "CME", "index", "USD", _ETH_CME, ("09:30", "16:15"), 0.1, 5, 50, None),
    ("FDAX", "DAX Futures", "EUREX", "index", "EUR", ("19:15", "16:00"), ("03:00", "11:30"), 1, 25, 25, None),
    (
        "FESX",
        "Euro Stoxx 50 Index Futures",
        "EUREX",
        "index",
        "EUR",
        ("19:15", "16:00"),
        ("03:00", "11:30"),
        1,
        10,
        10,
        None,
    ),
    (
        "CL",
        "WTI Crude Oil Futures",
        "NYMEX",
        "energy",
        "USD",
        _ETH_CME,
        ("09:00", "14:30"),
        0.01,
        10,
        1000,
        None,
    ),
    (
        "BRN",
        "Brent Crude Oil Futures",
        "ICEEUR",
        "energy",
        "USD",
        ("20:00", "17:00"),
        ("03:00", "14:30"),
        0.01,
        10,
        1000,
        _NOTE_OFFSET,
    ),
    (
        "NG",
        "Henry Hub Natural Gas",
        "NYMEX",
        "energy",
        "USD",
        _ETH_CME,
        ("09:00", "14:30"),
        0.001,
        10,
        10000,
        None,
    ),
    ("RB", "RBOB Gasoline", "NYMEX", "energy", "USD", _ETH_CME, ("09:00", "14:30"), 0.0001, 4.2, 42000, None),
    (
        "HO",
        "NY Harbor ULSD",
        "NYMEX",
        "energy",
        "USD",
        _ETH_CME,
        ("09:00", "14:30"),
        0.0001,
        4.2,
        42000,
        _NOTE_OFFSET,
    ),
    ("GC", "Gold", "COMEX", "metals", "USD", _ETH_CME, ("08:20", "13:30"), 0.1, 10, 100, None),
    ("SI", "Silver", "COMEX", "metals", "USD", _ETH_CME, ("08:20", "13:30"), 0.005, 25, 5000, None),
    ("HG", "Copper", "COMEX", "metals", "USD", _ETH_CME, ("08:20", "13:30"), 0.0005, 12.5, 25000, None),
    ("PL", "Platinum", "NYMEX", "metals", "USD", _ETH_CME, ("08:20", "13:30"), 0.1, 5, 50, _NOTE_OFFSET),
    (
        "6A",
        "Australian Dollar",
        "CME",
        "currency",
        "USD",
        _ETH_CME,
        ("08:20", "16:00"),
        0.00005,
        5,
        100000,
        None,
    ),
    (
        "6B",
        "British Pound",
        "CME",
        "currency",
        "USD",
        _ETH_CME,
        ("08:20", "16:00"),
        0.0001,
        6.25,
        62500,
        None,
    ),
    (
        "6C",
        "Canadian Dollar",
        "CME",
        "currency",
        "USD",
        _ETH_CME,
        ("08:20", "16:00"),
        0.00005,
        5,
        100000,
        None,
    ),
    ("6E", "Euro FX", "CME", "currency", "USD", _ETH_CME, ("08:20", "16:00"), 0.00005, 6.25, 125000, None),
    (
        "6J",
        "Japanese Yen",
        "CME",
        "currency",
        "USD",
        _ETH_CME,
        ("08:20", "16:00"),
        0.0000005,
        6.25,
        12500000,
        None,
    ),
    (
        "6S",
        "Swiss Franc",
        "CME",
        "currency",
        "USD",
        _ETH_CME,
        ("08:20", "16:00"),
        0.00005,
        6.25,
        125000,
        None,
    ),
    (
        "ZN",
        "10-Year T-Note",
        "CBOT",
        "treasury",
        "USD",
        _ETH_CME,
        ("08:20", "15:00"),
        0.015625,
        15.625,
        1000,
        None,
    ),
    (
        "ZF",
        "5-Year T-Note",
        "CBOT",
        "treasury",
        "USD",
        _ETH_CME,
        ("08:20", "15:00"),
        0.0078125,
        7.8125,
        1000,
        None,
    ),
    (
        "ZT",
        "2-Year T-Note",
        "CBOT",
        "treasury",
        "USD",
        _ETH_CME,
        ("08:20", "15:00"),
        0.00390625,
        7.8125,
        2000,
        None,
    ),
    (
        "US",
        "30-Year T-Bond",
        "CBOT",
        "treasury",
        "USD",
        _ETH_CME,
        ("08:20", "15:00"),
        0.03125,
        31.25,
        1000,
        None,
    ),
    (
        "ZC",
        "Corn",
        "CBOT",
        "agriculture",
        "USD",
        ("20:00", "14:20"),
        ("09:30", "14:20"),
        0.25,
        12.5,
        50,
        None,
    ),
    (
        "ZW",
        "Wheat",
        "CBOT",
        "agriculture",
        "USD",
        ("20:00", "14:20"),
        ("09:30", "14:20"),
        0.25,
        12.5,
        50,
        None,
    ),
    (
        "ZS",
        "Soybeans",
        "CBOT",
        "agriculture",
        "USD",
        ("20:00", "14:20"),
        ("09:30", "14:20"),
        0.25,
        12.5,
        50,
        None,
    ),
    (
        "KC",
        "Coffee C",
        "ICEUS",
        "agriculture",
        "USD",
        ("04:15", "13:25"),
        None,
        0.05,
        18.75,
        375,
        _NOTE_OFFSET,
    ),
    ("CC", "Cocoa", "ICEUS", "agriculture", "USD", ("04:45", "13:25"), None, 1, 10, 10, None),
    ("BTC", "Bitcoin Futures", "CME", "crypto", "USD", _ETH_CME, ("09:30", "16:00"), 5, 25, 5, None),
)

_EVENTS_BY_CATEGORY = {
    "index": ("macro", "options"),
    "energy": ("macro", "oil"),
    "crypto": ("macro", "crypto"),
}
_CALENDAR_BY_EXCHANGE = {"CME": "CME", "CBOT": "CME", "NYMEX": "CME", "COMEX": "CME"}


def _catalogue_entry(row: tuple[Any, ...]) -> Instrument:
    symbol, name, exchange, category, currency, eth, rth, tick, tick_value, point_value, notes = row
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
        calendar=_CALENDAR_BY_EXCHANGE.get(exchange, exchange),
        events=_EVENTS_BY_CATEGORY.get(category, ("macro",)),
        notes=notes,
    )


_CATALOGUE: dict[str, Instrument] = {row[0]: _catalogue_entry(row) for row in _ROWS}
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
