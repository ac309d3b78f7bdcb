"""The catalogue entry an import stores for its symbol: taken from the built-in catalogue, updated from the
import options for a symbol imported before, or built from the options for a new one.

Only symbols outside the built-in catalogue carry an entry in the manifest; the built-in ones are fixed (an
import cannot redefine NQ), so options that contradict them are refused rather than silently ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from shared.market import Instrument, Session, catalogue_instruments, get_instrument

if TYPE_CHECKING:  # the ``barb`` parser imports this module for its help text: Polars stays unloaded
    from data_store.layout import DataFolder

TYPE_DEFAULTS: dict[str, dict[str, Any]] = {
    "stock": {
        "exchange": "NYSE",
        "category": "equity",
        "default_session": "RTH",
        "sessions": {"RTH": Session("09:30", "16:00")},
        "tick_size": 0.01,
        "tick_value": 0.01,
        "point_value": 1.0,
        "calendar": "NYSE",
    },
    "futures": {
        "exchange": "CME",
        "category": "index",
        "default_session": "ETH",
        "sessions": {"ETH": Session("18:00", "17:00")},
        "tick_size": 0.01,
        "tick_value": 0.01,
        "point_value": 1.0,
        "calendar": "CME",
    },
}
"""What a new symbol of each ``--type`` gets unless an option says otherwise."""

DEFAULT_TYPE = "stock"


def describe_defaults() -> str:
    """``TYPE_DEFAULTS`` in a line for ``barb import --help``."""
    parts = []
    for kind, d in TYPE_DEFAULTS.items():
        sessions = _sessions(d["sessions"])
        parts.append(
            f"{kind}: exchange {d['exchange']}, calendar {d['calendar']}, {sessions}, tick {d['tick_size']}"
        )
    return "; ".join(parts)


@dataclass(frozen=True)
class EntryOptions:
    """The options that describe a symbol in the catalogue; None means "not given"."""

    symbol: str
    timezone: str
    type: str | None = None
    name: str | None = None
    exchange: str | None = None
    session: tuple[str, str] | None = None
    tick_size: float | None = None


@dataclass(frozen=True)
class ResolvedEntry:
    """The instrument to import under and what the import does to the catalogue."""

    instrument: Instrument
    builtin: bool
    """A symbol of the built-in catalogue: the manifest stores no entry for it."""
    new: bool = False
    """The symbol was unknown: its entry was built from the options."""
    changes: list[str] = field(default_factory=list)
    """How the options changed the entry of a symbol imported before (``name 'AAPL' → 'Apple Inc.'``)."""


def resolve_entry(options: EntryOptions, folder: DataFolder) -> ResolvedEntry:
    """The catalogue entry for ``options.symbol`` importing into ``folder``.

    Looked up in the built-in catalogue, then in the folder's manifest (a symbol imported there before), then
    among symbols registered in this process; options given for a known imported symbol update its entry.
    Raises ValueError when options contradict a built-in instrument.
    """
    symbol = options.symbol.strip().upper()
    builtin = {i.symbol: i for i in catalogue_instruments()}.get(symbol)
    if builtin is not None:
        contradicted = _contradictions(builtin, options)
        if contradicted:
            raise ValueError(
                f"{symbol} is in the built-in catalogue, which an import cannot change: "
                + "; ".join(contradicted)
            )
        return ResolvedEntry(builtin, builtin=True)
    manifest = folder.manifest()
    stored = manifest.instruments.get(symbol) if manifest else None
    if stored is not None and stored.instrument is not None:
        # The folder's own entry wins over one registered in this process from another data folder.
        existing: Instrument | None = Instrument.model_validate(stored.instrument)
    else:
        existing = get_instrument(symbol)
    if existing is None:
        return ResolvedEntry(_new(symbol, options), builtin=False, new=True)
    updated = _apply(existing, options)
    return ResolvedEntry(updated, builtin=False, changes=_differences(existing, updated))


def _new(symbol: str, options: EntryOptions) -> Instrument:
    kind = options.type or DEFAULT_TYPE
    defaults = {**TYPE_DEFAULTS[kind]}
    base = Instrument(symbol=symbol, name=symbol, type=kind, timezone=options.timezone, **defaults)
    return _apply(base, options)


def _apply(instrument: Instrument, options: EntryOptions) -> Instrument:
    """``instrument`` with the options that were given applied."""
    update: dict[str, Any] = {}
    if options.type is not None and options.type != instrument.type:
        # Another type brings that type's exchange, calendar, sessions and contract terms (the other options
        # then apply on top); the name and the display zone are the symbol's own and stay.
        update.update(TYPE_DEFAULTS[options.type], type=options.type)
    if options.name:
        update["name"] = options.name
    if options.exchange:
        update["exchange"] = options.exchange
    default_session = update.get("default_session", instrument.default_session)
    if options.session is not None:
        sessions = update.get("sessions", instrument.sessions)
        update["sessions"] = {**sessions, default_session: Session(*options.session)}
    if options.tick_size:
        point_value = update.get("point_value", instrument.point_value)
        update["tick_size"] = options.tick_size
        update["tick_value"] = options.tick_size * point_value
    if not update:
        return instrument
    # Validate again (upper-case exchange, HH:MM sessions, positive tick size): model_copy would not.
    return Instrument.model_validate({**instrument.model_dump(), **update})


def _contradictions(builtin: Instrument, options: EntryOptions) -> list[str]:
    """The options given that disagree with a built-in instrument, each with the value it has."""
    out = []
    for option, given, actual in (
        ("--type", options.type, builtin.type),
        ("--name", options.name, builtin.name),
        ("--exchange", options.exchange.strip().upper() if options.exchange else None, builtin.exchange),
        ("--tick-size", options.tick_size, builtin.tick_size),
    ):
        if given is not None and given != actual:
            out.append(f"{option} {given!r} differs from its {actual!r}")
    # A session matching any of the instrument's own (say NQ's RTH) agrees with it.
    if options.session is not None and Session(*options.session) not in builtin.sessions.values():
        have = _sessions(builtin.sessions)
        out.append(f"--session {' '.join(options.session)} is none of its sessions ({have})")
    return out


def _differences(old: Instrument, new: Instrument) -> list[str]:
    """``field old → new`` for each field that differs, in the options' words."""
    labels = {"tick_size": "tick-size", "sessions": "session"}
    out = []
    for name in ("type", "name", "exchange", "calendar", "sessions", "tick_size"):
        before, after = getattr(old, name), getattr(new, name)
        if before == after:
            continue
        if name == "sessions":
            before, after = _sessions(before), _sessions(after)
        out.append(f"{labels.get(name, name)} {before!r} → {after!r}")
    return out


def _sessions(sessions: dict[str, Session]) -> str:
    return ", ".join(f"{name} {s.start}-{s.end}" for name, s in sessions.items())
