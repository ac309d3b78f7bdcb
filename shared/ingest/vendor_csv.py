"""Reading vendor bar files (CSV/TXT) into a frame of UTC bars, refusing bad input with line numbers.

Accepted shapes, with or without a header line, separated by commas, semicolons or tabs:
``timestamp,open,high,low,close[,volume]`` or ``date,time,open,high,low,close[,volume]``. Timestamps are ISO
dates or date-times (``T`` or space, optional seconds, optional UTC offset), ``MM/DD/YYYY[ HH:MM[:SS]]``,
``YYYYMMDD[ HHMMSS]`` or epoch seconds. Timestamps without an offset are in the stated time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

MAX_REPORTED = 20
"""At most this many problems are listed in one error."""

_SEPARATORS = (",", ";", "\t")
_TIME_NAMES = ("timestamp", "datetime", "date_time", "ts", "time", "date")
_PRICE_ALIASES = {
    "open": ("open", "o"),
    "high": ("high", "h"),
    "low": ("low", "l"),
    "close": ("close", "c", "last"),
    "volume": ("volume", "v", "vol"),
}
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%Y%m%d", "%Y/%m/%d")
_DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S%:z",
    "%Y-%m-%dT%H:%M:%S%:z",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%Y%m%d %H%M%S",
    "%Y%m%d %H:%M:%S",
    "%Y%m%d %H:%M",
    "%Y.%m.%d %H:%M",
)


class VendorFileError(ValueError):
    """The file cannot be imported; ``problems`` lists what is wrong, each naming its line."""

    def __init__(self, path: Path | str, problems: list[str], total: int | None = None) -> None:
        self.problems = problems[:MAX_REPORTED]
        more = (total or len(problems)) - len(self.problems)
        suffix = f"\n  … and {more} more" if more > 0 else ""
        super().__init__(f"{path}: refused\n  " + "\n  ".join(self.problems) + suffix)


@dataclass(frozen=True)
class RawBars:
    """Bars read from a vendor file: ``line`` (1-based), ``ts`` (UTC), prices and volume; ``daily`` when the
    timestamps were dates without a time of day."""

    frame: pl.DataFrame
    daily: bool


def read_vendor_file(path: Path, timezone: str) -> RawBars:
    """Read ``path``; naive timestamps are in ``timezone``. Raises :class:`VendorFileError`."""
    lines = _lines(path)
    if lines.is_empty():
        raise VendorFileError(path, ["the file has no bars"])
    first = lines["text"][0]
    separator = max(_SEPARATORS, key=first.count)
    fields = lines.with_columns(pl.col("text").str.split(separator).alias("fields"))
    header = _header(first.split(separator))
    if header is not None:
        fields = fields.slice(1)
        width, names = len(first.split(separator)), header
    else:
        width = first.count(separator) + 1
        names = _positional_names(width)
        if names is None:
            raise VendorFileError(
                path,
                [f"line {lines['line'][0]}: expected 5 to 7 fields (timestamp, OHLC, volume), found {width}"],
            )
    counts = fields.filter(pl.col("fields").list.len() != width)
    if not counts.is_empty():
        problems = [
            f"line {row['line']}: expected {width} fields, found {len(row['fields'])}"
            for row in counts.head(MAX_REPORTED).iter_rows(named=True)
        ]
        raise VendorFileError(path, problems, counts.height)
    if fields.is_empty():
        raise VendorFileError(path, ["the file has a header but no bars"])
    columns = fields.select(
        "line",
        *(
            pl.col("fields").list.get(i).str.strip_chars().str.strip_chars('"').alias(name)
            for i, name in enumerate(names)
            if name
        ),
    )
    return _parse(path, columns, timezone)


def _lines(path: Path) -> pl.DataFrame:
    text = path.read_text(encoding="utf-8-sig")
    lines = pl.DataFrame({"text": text.splitlines()}).with_row_index("line", offset=1)
    return lines.filter(pl.col("text").str.strip_chars() != "")


def _header(cells: list[str]) -> list[str | None] | None:
    """Column roles from a header line, or None when the line is data (it starts with a digit)."""
    cells = [c.strip().strip('"').lower() for c in cells]
    if cells and cells[0][:1].isdigit():
        return None
    names: list[str | None] = []
    for cell in cells:
        role = next((k for k, aliases in _PRICE_ALIASES.items() if cell in aliases), None)
        if role is None and cell in _TIME_NAMES:
            role = "time" if cell == "time" and "date" in cells else "date" if cell == "date" else "timestamp"
        names.append(role)
    if "timestamp" not in names and "date" not in names:
        names = [("timestamp" if n == "time" else n) for n in names]
    return names


def _positional_names(width: int) -> list[str | None] | None:
    return {
        5: ["timestamp", "open", "high", "low", "close"],
        6: ["timestamp", "open", "high", "low", "close", "volume"],
        7: ["date", "time", "open", "high", "low", "close", "volume"],
    }.get(width)


def _parse(path: Path, columns: pl.DataFrame, timezone: str) -> RawBars:
    missing = [c for c in ("open", "high", "low", "close") if c not in columns.columns]
    if "timestamp" not in columns.columns and "date" not in columns.columns:
        missing.insert(0, "timestamp")
    if missing:
        raise VendorFileError(path, [f"line 1: the header has no column for {', '.join(missing)}"])
    if "timestamp" not in columns.columns:
        stamp = pl.col("date") + pl.lit(" ") + pl.col("time") if "time" in columns.columns else pl.col("date")
        columns = columns.with_columns(stamp.alias("timestamp"))
    if "volume" not in columns.columns:
        columns = columns.with_columns(pl.lit("0").alias("volume"))
    ts, daily = _parse_timestamps(columns["timestamp"], timezone)
    local = ts.dt.convert_time_zone(timezone)
    if not daily and ts.null_count() == 0 and (local.dt.truncate("1d") == local).all():
        # Date-times that are all midnight are dates written with a time (``2024-01-02 00:00:00``).
        daily, ts = True, local.dt.date().cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    prices = columns.select(
        "line",
        pl.col("timestamp").alias("raw_ts"),
        ts.alias("ts"),
        *(
            pl.col(c).cast(pl.Float64, strict=False).alias(c)
            for c in ("open", "high", "low", "close", "volume")
        ),
        *(pl.col(c).alias(f"raw_{c}") for c in ("open", "high", "low", "close", "volume")),
    )
    problems = [
        *_bad_values(prices),
        *_insane_bars(prices),
    ]
    if problems:
        problems.sort(key=lambda p: p[0])
        raise VendorFileError(path, [text for _, text in problems], len(problems))
    return RawBars(prices.select("line", "ts", "open", "high", "low", "close", "volume"), daily)


def _parse_timestamps(raw: pl.Series, timezone: str) -> tuple[pl.Series, bool]:
    """UTC timestamps from text, with the format chosen from the first value; unparsable values → null."""
    sample = raw[0]
    if sample.isdigit() and len(sample) in (9, 10):
        seconds = raw.cast(pl.Int64, strict=False)
        return (seconds * 1_000_000).cast(pl.Datetime("us", "UTC")), False
    for fmt in _DATE_FORMATS:
        if pl.Series([sample]).str.to_date(fmt, strict=False)[0] is not None:
            dates = raw.str.to_date(fmt, strict=False)
            return dates.cast(pl.Datetime("us")).dt.replace_time_zone("UTC"), True
    for fmt in _DATETIME_FORMATS:
        if pl.Series([sample]).str.to_datetime(fmt, strict=False, time_unit="us")[0] is not None:
            parsed = raw.str.to_datetime(fmt, strict=False, time_unit="us")
            if parsed.dtype.time_zone is None:  # type: ignore[union-attr]
                parsed = parsed.dt.replace_time_zone(timezone, ambiguous="earliest", non_existent="null")
            return parsed.dt.convert_time_zone("UTC"), False
    return pl.Series([None] * len(raw), dtype=pl.Datetime("us", "UTC")), False


def _bad_values(frame: pl.DataFrame) -> list[tuple[int, str]]:
    problems = [
        (row["line"], f"line {row['line']}: bad timestamp {row['raw_ts']!r}")
        for row in frame.filter(pl.col("ts").is_null()).head(MAX_REPORTED).iter_rows(named=True)
    ]
    for column in ("open", "high", "low", "close", "volume"):
        bad = frame.filter(pl.col(column).is_null() | pl.col(column).is_nan())
        problems += [
            (row["line"], f"line {row['line']}: {column} {row[f'raw_{column}']!r} is not a number")
            for row in bad.head(MAX_REPORTED).iter_rows(named=True)
        ]
    return problems


def _insane_bars(frame: pl.DataFrame) -> list[tuple[int, str]]:
    checks = (
        (pl.col("high") < pl.col("low"), "high {high} is below low {low}"),
        (pl.col("open") > pl.col("high"), "open {open} is above high {high}"),
        (pl.col("close") > pl.col("high"), "close {close} is above high {high}"),
        (pl.col("open") < pl.col("low"), "open {open} is below low {low}"),
        (pl.col("close") < pl.col("low"), "close {close} is below low {low}"),
        (pl.col("volume") < 0, "volume {volume} is negative"),
    )
    problems: dict[int, str] = {}  # one problem per line: the first check it fails
    for condition, message in checks:
        for row in frame.filter(condition.fill_null(False)).head(MAX_REPORTED).iter_rows(named=True):
            problems.setdefault(row["line"], f"line {row['line']}: " + message.format(**row))
    return list(problems.items())
