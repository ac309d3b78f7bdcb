"""Reading vendor bar files (CSV/TXT) into a frame of UTC bars, refusing bad input with line numbers.

Accepted shapes, with or without a header line, separated by commas, semicolons or tabs:
``timestamp,open,high,low,close[,volume]`` or ``date,time,open,high,low,close[,volume]``. Timestamps are ISO
dates or date-times (``T`` or space, optional seconds, optional UTC offset), ``MM/DD/YYYY[ HH:MM[:SS]]``,
``YYYYMMDD[ HHMMSS]`` or epoch seconds. Timestamps without an offset are in the stated time zone. The exact
tables are in :mod:`shared.ingest.formats`, which ``barb import --help`` describes.

Every refusal is a :class:`VendorFileError`, whose first line says on its own what is wrong with which file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from shared.ingest.formats import (
    DATE_FORMATS,
    DATETIME_FORMATS,
    EPOCH_DIGITS,
    POSITIONAL,
    PRICE_ALIASES,
    REQUIRED,
    SEPARATORS,
    TIME_NAMES,
    example,
)

MAX_REPORTED = 20
"""At most this many problems are listed in one error."""

_VALUES = ("open", "high", "low", "close", "volume")
# Leading bytes of binary files people export by mistake, so the refusal can name what the file is.
_BINARY_KINDS = {
    b"PK\x03\x04": "a ZIP archive or an Excel workbook (export it as CSV)",
    b"PAR1": "a Parquet file",
    b"\x1f\x8b": "gzip-compressed (decompress it first)",
    b"\xff\xfe": "UTF-16 text (save it as UTF-8)",
    b"\xfe\xff": "UTF-16 text (save it as UTF-8)",
}


class VendorFileError(ValueError):
    """The file cannot be imported; ``problems`` lists what is wrong, each naming its line.

    The message's first line names the file, the number of problems and the first one; the others follow,
    indented, one a line.
    """

    def __init__(self, path: Path | str, problems: list[str], total: int | None = None) -> None:
        problems = problems or ["the file cannot be imported"]
        self.path = path
        self.problems = problems[:MAX_REPORTED]
        self.total = max(total or 0, len(problems))
        count = "" if self.total == 1 else f", {self.total} problems"
        lines = [f"{path}: refused{count}: {self.problems[0]}", *(f"  {p}" for p in self.problems[1:])]
        more = self.total - len(self.problems)
        if more > 0:
            lines.append(f"  … and {more} more")
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class RawBars:
    """Bars read from a vendor file: ``line`` (1-based), ``ts`` (UTC), prices and volume; ``daily`` when the
    timestamps were dates without a time of day."""

    frame: pl.DataFrame
    daily: bool


def read_vendor_file(path: Path, timezone: str) -> RawBars:
    """Read ``path``; naive timestamps are in ``timezone``. Raises :class:`VendorFileError`."""
    try:
        return _read(path, timezone)
    except pl.exceptions.PolarsError as exc:
        # A shape of input the checks did not foresee: still one line naming the file, not a traceback.
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise VendorFileError(path, [f"the file could not be read: {reason}"]) from exc


def _read(path: Path, timezone: str) -> RawBars:
    lines = _lines(path)
    first, first_line = lines["text"][0], lines["line"][0]
    separator = max(SEPARATORS, key=first.count)
    fields = lines.with_columns(pl.col("text").str.split(separator).alias("fields"))
    cells = first.split(separator)
    header = _header(cells)
    if header is not None:
        _check_header(path, first_line, cells, header)
        fields = fields.slice(1)
        width, names = len(cells), header
    else:
        width = len(cells)
        positional = POSITIONAL.get(width)
        if positional is None:
            raise VendorFileError(
                path,
                [
                    f"line {first_line}: expected {min(POSITIONAL)} to {max(POSITIONAL)} fields "
                    f"(timestamp, OHLC, volume), found {width}"
                ],
            )
        names = list(positional)
    counts = fields.filter(pl.col("fields").list.len() != width)
    if not counts.is_empty():
        problems = [
            f"line {row['line']}: expected {width} fields, found {len(row['fields'])}"
            for row in counts.head(MAX_REPORTED).iter_rows(named=True)
        ]
        raise VendorFileError(path, problems, counts.height)
    if fields.is_empty():
        raise VendorFileError(path, [f"line {first_line}: the file has a header but no bars"])
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
    """The file's non-blank lines with their 1-based numbers; refuses what is not readable UTF-8 text."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise VendorFileError(path, ["the file does not exist"]) from None
    except IsADirectoryError:
        raise VendorFileError(path, ["this is a folder, not a file"]) from None
    except OSError as exc:
        raise VendorFileError(path, [f"the file cannot be read: {exc.strerror or exc}"]) from None
    if not data:
        raise VendorFileError(path, ["the file is empty"])
    kind = next((k for magic, k in _BINARY_KINDS.items() if data.startswith(magic)), None)
    if kind is not None:
        raise VendorFileError(path, [f"not a text file of bars: it is {kind}"])
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise VendorFileError(path, [f"line {line}: not a text file of bars: it holds binary (NUL) bytes"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise VendorFileError(
            path, [f"line {line}: byte 0x{data[exc.start]:02x} is not UTF-8 text (save the file as UTF-8)"]
        ) from None
    # The schema is explicit: a file of only line breaks would otherwise give a column of type Null.
    lines = pl.DataFrame({"text": text.splitlines()}, schema={"text": pl.String})
    lines = lines.with_row_index("line", offset=1).filter(pl.col("text").str.strip_chars() != "")
    if lines.is_empty():
        raise VendorFileError(path, ["the file has only blank lines, no bars"])
    return lines


def _header(cells: list[str]) -> list[str | None] | None:
    """Column roles from a header line (None for columns not recognised), or None when the line is data
    (it starts with a digit)."""
    cells = [c.strip().strip('"').lower() for c in cells]
    if cells and cells[0][:1].isdigit():
        return None
    names: list[str | None] = []
    for cell in cells:
        role = next((k for k, aliases in PRICE_ALIASES.items() if cell in aliases), None)
        if role is None and cell in TIME_NAMES:
            role = "time" if cell == "time" and "date" in cells else "date" if cell == "date" else "timestamp"
        names.append(role)
    if "timestamp" not in names and "date" not in names:
        names = [("timestamp" if n == "time" else n) for n in names]
    return names


def _check_header(path: Path, line: int, cells: list[str], names: list[str | None]) -> None:
    """Refuse a header that lacks a required column or names one role twice."""
    shown = [c.strip().strip('"') for c in cells]
    for role in dict.fromkeys(n for n in names if n):
        where = [i for i, n in enumerate(names) if n == role]
        if len(where) > 1:
            columns = ", ".join(f"{i + 1} ({shown[i]!r})" for i in where)
            raise VendorFileError(path, [f"line {line}: more than one {role} column: columns {columns}"])
    missing = [c for c in REQUIRED if c not in names]
    if "timestamp" not in names and "date" not in names:
        missing.insert(0, "timestamp")
    if missing:
        unknown = [c for c, n in zip(shown, names, strict=True) if n is None]
        extra = f" (not recognised: {', '.join(map(repr, unknown))})" if unknown else ""
        raise VendorFileError(
            path,
            [
                f"line {line}: the header has no column for {', '.join(missing)}{extra}; "
                "barb import --help lists the accepted names"
            ],
        )


@dataclass(frozen=True)
class _Stamps:
    """Timestamps read in the format of the first bar."""

    ts: pl.Series
    """UTC; null where a value is not in the format or not a time."""
    daily: bool
    shape: str
    """The format, written out as an example, for messages."""
    skipped: pl.Series
    """True where a time without an offset does not exist in the zone (skipped by a DST change)."""


def _parse(path: Path, columns: pl.DataFrame, timezone: str) -> RawBars:
    if "timestamp" not in columns.columns:
        stamp = pl.col("date") + pl.lit(" ") + pl.col("time") if "time" in columns.columns else pl.col("date")
        columns = columns.with_columns(stamp.alias("timestamp"))
    if "volume" not in columns.columns:
        columns = columns.with_columns(pl.lit("0").alias("volume"))
    stamps = _parse_timestamps(columns["timestamp"], timezone)
    if stamps is None:
        first = columns.row(0, named=True)
        raise VendorFileError(
            path,
            [
                f"line {first['line']}: timestamp {first['timestamp']!r} is in none of the accepted formats "
                "(barb import --help lists them)"
            ],
        )
    ts, daily = stamps.ts, stamps.daily
    local = ts.dt.convert_time_zone(timezone)
    if not daily and ts.null_count() == 0 and (local.dt.truncate("1d") == local).all():
        # Date-times that are all midnight are dates written with a time (``2024-01-02 00:00:00``).
        daily, ts = True, local.dt.date().cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    prices = columns.select(
        "line",
        pl.col("timestamp").alias("raw_ts"),
        ts.alias("ts"),
        stamps.skipped.alias("skipped"),
        *(pl.col(c).cast(pl.Float64, strict=False).alias(c) for c in _VALUES),
        *(pl.col(c).alias(f"raw_{c}") for c in _VALUES),
    )
    bad, bad_total = _bad_values(prices, stamps.shape, timezone)
    insane, insane_total = _insane_bars(prices)
    problems = sorted([*bad, *insane], key=lambda p: p[0])
    if problems:
        raise VendorFileError(path, [text for _, text in problems], bad_total + insane_total)
    return RawBars(prices.select("line", "ts", *_VALUES), daily)


def _parse_timestamps(raw: pl.Series, timezone: str) -> _Stamps | None:
    """UTC timestamps from text, in the format of the first value (None when it has none we know)."""
    sample = raw[0] or ""
    none_skipped = pl.Series([False] * len(raw), dtype=pl.Boolean)
    if sample.isdigit() and len(sample) in EPOCH_DIGITS:
        seconds = raw.cast(pl.Int64, strict=False)
        epoch = (seconds * 1_000_000).cast(pl.Datetime("us", "UTC"))
        return _Stamps(
            epoch, False, f"epoch seconds ({' or '.join(map(str, EPOCH_DIGITS))} digits)", none_skipped
        )
    for fmt in DATE_FORMATS:
        if pl.Series([sample]).str.to_date(fmt, strict=False)[0] is not None:
            dates = raw.str.to_date(fmt, strict=False)
            return _Stamps(
                dates.cast(pl.Datetime("us")).dt.replace_time_zone("UTC"), True, example(fmt), none_skipped
            )
    for fmt in DATETIME_FORMATS:
        if pl.Series([sample]).str.to_datetime(fmt, strict=False, time_unit="us")[0] is not None:
            parsed = raw.str.to_datetime(fmt, strict=False, time_unit="us")
            skipped = none_skipped
            if getattr(parsed.dtype, "time_zone", None) is None:
                zoned = parsed.dt.replace_time_zone(timezone, ambiguous="earliest", non_existent="null")
                skipped = zoned.is_null() & parsed.is_not_null()
                parsed = zoned
            return _Stamps(parsed.dt.convert_time_zone("UTC"), False, example(fmt), skipped)
    return None


def _bad_values(frame: pl.DataFrame, shape: str, timezone: str) -> tuple[list[tuple[int, str]], int]:
    """Unreadable timestamps and values, at most ``MAX_REPORTED`` of each column, and how many in all."""
    first = frame["line"][0]
    problems = []
    for row in frame.filter(pl.col("ts").is_null()).head(MAX_REPORTED).iter_rows(named=True):
        if row["skipped"]:
            text = f"{row['raw_ts']!r} does not exist in {timezone} (the clocks skip it when they change)"
        else:
            text = f"bad timestamp {row['raw_ts']!r}: expected the format of line {first}, e.g. {shape!r}"
        problems.append((row["line"], f"line {row['line']}: {text}"))
    total = frame["ts"].null_count()
    for column in _VALUES:
        # NaN and infinities parse as floats but are no price or volume.
        unreadable = pl.col(column).is_null() | ~pl.col(column).is_finite()
        bad = frame.filter(unreadable)
        total += bad.height
        problems += [
            (row["line"], f"line {row['line']}: {column} {row[f'raw_{column}']!r} is not a number")
            for row in bad.head(MAX_REPORTED).iter_rows(named=True)
        ]
    return problems, total


def _insane_bars(frame: pl.DataFrame) -> tuple[list[tuple[int, str]], int]:
    """Bars whose prices contradict each other (one problem per line), and how many lines in all."""
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
    failing = pl.any_horizontal(*(condition.fill_null(False) for condition, _ in checks))
    return list(problems.items()), frame.filter(failing).height
