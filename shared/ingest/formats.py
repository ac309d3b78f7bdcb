"""What a vendor bar file may look like: the declarations :mod:`shared.ingest.vendor_csv` reads by, and the
description ``barb import --help`` prints from them.

Kept free of Polars so building the ``barb`` parser (for every command, ``barb serve`` included) stays cheap;
the reader and the help text share these tables, so they cannot drift apart.
"""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime

DEFAULT_TIMEZONE = "America/New_York"
"""Zone of timestamps written without a UTC offset, unless ``--timezone`` says otherwise."""

SEPARATORS = (",", ";", "\t")
"""Field separators; the one the first line holds most of wins."""

TIME_NAMES = ("timestamp", "datetime", "date_time", "ts", "time", "date")
"""Header names of the time column. ``date`` plus ``time`` are two columns joined with a space."""

PRICE_ALIASES = {
    "open": ("open", "o"),
    "high": ("high", "h"),
    "low": ("low", "l"),
    "close": ("close", "c", "last"),
    "volume": ("volume", "v", "vol"),
}
"""Header names (lower case) of each value column; ``volume`` is optional (0 when absent)."""

REQUIRED = ("open", "high", "low", "close")
"""Value columns a file must have, besides a time column."""

POSITIONAL = {
    5: ("timestamp", "open", "high", "low", "close"),
    6: ("timestamp", "open", "high", "low", "close", "volume"),
    7: ("date", "time", "open", "high", "low", "close", "volume"),
}
"""Column roles of a file without a header, by its number of fields."""

EPOCH_DIGITS = (9, 10)
"""Lengths of a timestamp written as whole seconds since 1970-01-01 UTC."""

DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%Y%m%d", "%Y/%m/%d")
"""Formats of dates without a time of day (daily bars)."""

DATETIME_FORMATS = (
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
"""Formats of date-times (one-minute bars); a trailing ``Z`` or offset makes the time zone explicit."""

# One instant whose day (31) cannot be mistaken for a month and whose hour, minute and second all differ,
# so the examples show the order of the fields unambiguously.
_EXAMPLE = {
    "%Y": "2024",
    "%m": "01",
    "%d": "31",
    "%H": "09",
    "%M": "30",
    "%S": "05",
    "%:z": "-05:00",
    "%z": "-0500",
}


def example(fmt: str) -> str:
    """``fmt`` (a strftime pattern of this module) written out for 2024-01-31 09:30:05 at UTC-5."""
    # Longest directives first, so ``%:z`` is not read as ``%`` followed by ``:z``.
    for directive in sorted(_EXAMPLE, key=len, reverse=True):
        fmt = fmt.replace(directive, _EXAMPLE[directive])
    return fmt


def describe(width: int = 100) -> str:
    """The accepted files as plain text for ``barb import --help``, built from the tables above."""
    separators = ", ".join(repr(s).replace("'\\t'", "tab") for s in SEPARATORS)
    time_names = ", ".join(n for n in TIME_NAMES if n not in ("date", "time"))
    columns = [f"  time: {time_names}, or date (with an optional separate time column)"]
    for role, aliases in PRICE_ALIASES.items():
        note = "" if role in REQUIRED else " (optional, 0 when absent)"
        columns.append(f"  {role}: {', '.join(aliases)}{note}")
    epoch_example = int(datetime(2024, 1, 31, 14, 30, 5, tzinfo=UTC).timestamp())  # the examples' instant
    blocks = [
        f"Files: UTF-8 text (CSV/TXT), one bar a line, fields separated by {separators} (whichever the first "
        "line holds most of); values may be quoted.",
        "Columns with a header line (names case-insensitive; other columns are ignored):",
        *columns,
        "Columns without a header (the first line starts with a digit), by the number of fields:",
        *(f"  {n} fields: {' '.join(roles)}" for n, roles in POSITIONAL.items()),
        "Timestamps (every line in the format of the first bar): dates make daily bars, date-times "
        "one-minute bars (all at midnight: daily).",
        _items("  dates: ", [example(f) for f in DATE_FORMATS], width),
        _items("  date-times: ", [example(f) for f in DATETIME_FORMATS], width),
        f"  epoch seconds ({' or '.join(map(str, EPOCH_DIGITS))} digits, UTC): {epoch_example}",
        "Time zones: a timestamp with a UTC offset or Z is read as written; one without is in --timezone "
        f"(an IANA name, default {DEFAULT_TIMEZONE}), which is also the display zone of a new symbol. "
        "Times the clocks skip at a daylight-saving change are refused; repeated ones are read as the first.",
    ]
    return "\n".join(_fill(block, width) for block in blocks)


def _fill(block: str, width: int) -> str:
    """``block`` wrapped to ``width``, continuation lines indented two more than its first line."""
    if "\n" in block:  # laid out by _items already
        return block
    indent = " " * (len(block) - len(block.lstrip(" ")) + 2)
    return textwrap.fill(block, width, subsequent_indent=indent, break_on_hyphens=False)


def _items(prefix: str, items: list[str], width: int) -> str:
    """``prefix`` then ``items`` separated by commas, wrapped between items only (an example holds spaces)."""
    indent = " " * (len(prefix) - len(prefix.lstrip(" ")) + 2)
    lines, line = [], prefix + items[0]
    for item in items[1:]:
        if len(line) + 2 + len(item) > width:
            lines.append(line + ",")
            line = indent + item
        else:
            line = f"{line}, {item}"
    return "\n".join([*lines, line])
