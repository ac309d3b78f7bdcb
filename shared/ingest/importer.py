"""``barb import``: a vendor file → the Parquet layout in a data folder, with its manifest updated.

The file is validated (see :mod:`shared.ingest.vendor_csv`), sorted, exact duplicate bars are dropped and
conflicting ones refused, ``trade_date``/``minute`` are computed once from the instrument's calendar and
sessions, and a report lists what was dropped, missing trading days and bars outside the sessions. A symbol
outside the catalogue gets a catalogue entry from the options (defaults per type), stored in the manifest;
importing it again with options updates that entry (see :mod:`shared.ingest.entries`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl
from pydantic import BaseModel, field_validator

from data_store.layout import DataFolder
from shared.ingest.entries import TYPE_DEFAULTS, EntryOptions, resolve_entry
from shared.ingest.formats import DEFAULT_TIMEZONE
from shared.ingest.vendor_csv import MAX_REPORTED, VendorFileError, read_vendor_file
from shared.market import Instrument, assign_trade_date_and_minute, register_instrument, trading_days


class ImportOptions(BaseModel):
    """How to read the file and, for a symbol outside the catalogue, how to describe it.

    ``type``, ``name``, ``exchange``, ``session`` and ``tick_size`` left at None keep what the catalogue
    has (or the type's defaults for a new symbol); given, they update an imported symbol's entry.
    """

    symbol: str
    timezone: str = DEFAULT_TIMEZONE
    """Time zone of timestamps written without a UTC offset; also the display zone of a new symbol."""
    bar_size: str | None = None
    """``1m`` or ``1d``; detected from the timestamps when omitted."""
    type: str | None = None
    """``stock`` or ``futures``; a new symbol without it is a stock."""
    name: str | None = None
    exchange: str | None = None
    session: tuple[str, str] | None = None
    """Default session (``HH:MM``, ``HH:MM``); for a new symbol defaults per type (stocks 09:30–16:00)."""
    tick_size: float | None = None
    sample: bool = False

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str | None) -> str | None:
        if value is not None and value not in TYPE_DEFAULTS:
            raise ValueError(f"unknown type {value!r} (use one of {', '.join(TYPE_DEFAULTS)})")
        return value

    @field_validator("name", "exchange")
    @classmethod
    def _blank_is_not_given(cls, value: str | None) -> str | None:
        return (value.strip() or None) if value is not None else None

    @field_validator("tick_size")
    @classmethod
    def _positive_tick(cls, value: float | None) -> float | None:
        if value is not None and not value > 0:
            raise ValueError("the tick size must be a positive number")
        return value

    def entry_options(self) -> EntryOptions:
        """The options that describe the symbol in the catalogue."""
        return EntryOptions(
            symbol=self.symbol,
            timezone=self.timezone,
            type=self.type,
            name=self.name,
            exchange=self.exchange,
            session=self.session,
            tick_size=self.tick_size,
        )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (use an IANA name such as America/New_York)"
            ) from None
        return value


@dataclass
class ImportReport:
    """What an import did and noticed."""

    symbol: str
    bar_size: str
    rows: int
    key: str
    first: datetime
    last: datetime
    duplicates_dropped: int = 0
    was_unsorted: bool = False
    missing_trading_days: list[date] = field(default_factory=list)
    outside_session: int = 0
    intraday_gaps: int = 0
    """Runs of missing minutes between two bars of the same trade date."""
    largest_gap: tuple[datetime, int] | None = None
    """Where the largest intraday gap starts (UTC) and how many minutes are missing."""
    registered: bool = False
    """The symbol was new: its catalogue entry was built from the import options."""
    updated: list[str] = field(default_factory=list)
    """How the import options changed the catalogue entry of a symbol imported before."""

    def lines(self) -> list[str]:
        """The report as human-readable lines."""
        out = [
            f"{self.symbol} {self.bar_size}: {self.rows} bars {self.first:%Y-%m-%d %H:%M} → "
            f"{self.last:%Y-%m-%d %H:%M} UTC stored as {self.key}"
        ]
        if self.registered:
            out.append(f"{self.symbol} is not in the catalogue: registered it from the import options")
        if self.updated:
            out.append(f"{self.symbol}: updated its catalogue entry: {'; '.join(self.updated)}")
        if self.was_unsorted:
            out.append("the file was not in time order: sorted")
        if self.duplicates_dropped:
            out.append(f"dropped {self.duplicates_dropped} exact duplicate bars")
        if self.missing_trading_days:
            days = ", ".join(d.isoformat() for d in self.missing_trading_days[:MAX_REPORTED])
            more = len(self.missing_trading_days) - MAX_REPORTED
            out.append(
                f"{len(self.missing_trading_days)} trading days without bars: {days}"
                + (f" … and {more} more" if more > 0 else "")
            )
        if self.outside_session:
            out.append(f"{self.outside_session} bars outside the instrument's sessions")
        if self.largest_gap is not None:
            at, minutes = self.largest_gap
            out.append(
                f"{self.intraday_gaps} gaps inside trade dates; the largest, {minutes} minutes, after {at:%Y-%m-%d %H:%M} UTC"
            )
        return out


def import_file(path: Path, data_dir: Path, options: ImportOptions) -> ImportReport:
    """Import ``path`` into the data folder ``data_dir``. Raises :class:`VendorFileError` on bad input."""
    folder = DataFolder(data_dir)
    resolved = resolve_entry(options.entry_options(), folder)
    instrument = resolved.instrument
    raw = read_vendor_file(path, options.timezone)
    bar_size = options.bar_size or ("1d" if raw.daily else "1m")
    if bar_size == "1d" and not raw.daily:
        raise VendorFileError(path, ["daily bars need dates (or midnight timestamps), not times of day"])
    bars = raw.frame
    was_unsorted = not bars["ts"].is_sorted()
    bars, dropped = _drop_duplicates(path, bars.sort("ts", maintain_order=True))
    if bar_size == "1m":
        _check_minute_spacing(path, bars)
        trade_date, minute = assign_trade_date_and_minute(bars.select("ts"), instrument)
        bars = bars.with_columns(trade_date, minute)
    else:
        bars = _daily_layout(bars, instrument)
    bar_file = folder.add_bars(
        instrument.symbol,
        bar_size,
        bars,
        sample=options.sample,
        # Every import of a symbol outside the catalogue writes its entry, so the folder holds it even when
        # it came from another folder registered in this process.
        instrument=None if resolved.builtin else instrument.model_dump(mode="json"),
    )
    if not resolved.builtin:
        register_instrument(instrument)
    return ImportReport(
        symbol=instrument.symbol,
        bar_size=bar_size,
        rows=bars.height,
        key=bar_file.key,
        first=bar_file.first,
        last=bar_file.last,
        duplicates_dropped=dropped,
        was_unsorted=was_unsorted,
        missing_trading_days=_missing_days(bars, instrument),
        outside_session=_outside_sessions(bars, instrument) if bar_size == "1m" else 0,
        **(_intraday_gaps(bars) if bar_size == "1m" else {}),
        registered=resolved.new,
        updated=resolved.changes,
    )


def _drop_duplicates(path: Path, bars: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """Drop bars identical to an earlier one at the same time; refuse two different bars at one time."""
    values = ["ts", "open", "high", "low", "close", "volume"]
    repeated = bars.filter(pl.col("ts").is_duplicated())
    if repeated.is_empty():
        return bars, 0
    conflicts = repeated.group_by("ts", maintain_order=True).agg(
        pl.col("line"), pl.struct(values[1:]).n_unique().alias("variants")
    )
    conflicts = conflicts.filter(pl.col("variants") > 1)
    if not conflicts.is_empty():
        problems = [
            f"lines {', '.join(map(str, row['line']))}: different bars with the same timestamp {row['ts']}"
            for row in conflicts.head(MAX_REPORTED).iter_rows(named=True)
        ]
        raise VendorFileError(path, problems, conflicts.height)
    unique = bars.unique(subset=["ts"], keep="first", maintain_order=True)
    return unique, bars.height - unique.height


def _check_minute_spacing(path: Path, bars: pl.DataFrame) -> None:
    """Refuse intraday bars that are not one-minute bars (only ``1m`` and ``1d`` are stored)."""
    steps = bars["ts"].diff().drop_nulls()
    if not steps.is_empty() and steps.min() != timedelta(minutes=1):
        raise VendorFileError(
            path, [f"bars are {steps.min()!s} apart: only one-minute or daily bars can be imported"]
        )


def _daily_layout(bars: pl.DataFrame, instrument: Instrument) -> pl.DataFrame:
    """Daily bars: ``trade_date`` is the file's date; ``ts`` the default session's open for that date."""
    session = instrument.sessions[instrument.default_session]
    zone = ZoneInfo(instrument.timezone)
    start = time.fromisoformat(session.start)
    lead = timedelta(days=1) if session.wraps_midnight else timedelta(0)
    trade_dates = bars["ts"].dt.date()
    opens = [datetime.combine(d - lead, start, zone) for d in trade_dates]
    return bars.with_columns(
        pl.Series("ts", opens).dt.convert_time_zone("UTC").cast(pl.Datetime("us", "UTC")),
        trade_dates.alias("trade_date"),
        pl.lit(session.start_minute, pl.Int16).alias("minute"),
    )


def _missing_days(bars: pl.DataFrame, instrument: Instrument) -> list[date]:
    present = set(bars["trade_date"].unique().to_list())
    first, last = bars["trade_date"].min(), bars["trade_date"].max()
    return [d for d in trading_days(instrument.calendar, first, last) if d not in present]  # type: ignore[arg-type]


def _intraday_gaps(bars: pl.DataFrame) -> dict[str, Any]:
    """Count runs of missing minutes inside a trade date and find the largest (early closes show up too)."""
    missing = (pl.col("ts").diff().dt.total_minutes() - 1).over("trade_date")
    gaps = bars.select("ts", missing.alias("missing")).filter(pl.col("missing") > 0)
    if gaps.is_empty():
        return {}
    at_most = gaps["missing"].arg_max()
    assert at_most is not None  # gaps is not empty
    widest = gaps.row(at_most, named=True)
    at = widest["ts"] - timedelta(minutes=int(widest["missing"]) + 1)
    return {"intraday_gaps": gaps.height, "largest_gap": (at, int(widest["missing"]))}


def _outside_sessions(bars: pl.DataFrame, instrument: Instrument) -> int:
    inside = pl.lit(False)
    for session in instrument.sessions.values():
        start, end = session.start_minute, session.end_minute
        if session.wraps_midnight:
            inside = inside | (pl.col("minute") >= start) | (pl.col("minute") < end)
        else:
            inside = inside | pl.col("minute").is_between(start, end, closed="left")
    return bars.filter(~inside).height
