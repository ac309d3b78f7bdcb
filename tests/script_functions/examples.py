"""Every declared function's ``example``, run as a query on a small fixed bar set, reduced to a digest.

``python -m tests.script_functions.examples`` rewrites ``examples.json`` (the pinned digests) after a change that
is meant to alter a result; ``test_examples_run.py`` fails on any other difference. The bars are the sample
generator's, seeded, so every machine computes the same ones.
"""

from __future__ import annotations

import json
import math
import sys
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from shared.ingest.sample import generate_daily_bars, generate_minute_bars
from shared.market import Instrument, get_instrument
from shared.script import FrameBars, FramesUniverse, FunctionSpec, run_query

PINNED = Path(__file__).with_name("examples.json")
_DIGITS = 9  # significant digits kept: the same on every platform, still sensitive to any real change


@cache
def seeded_bars(symbol: str) -> FrameBars:
    """Six months of seeded one-minute bars of ``symbol`` and the daily bars built from them."""
    instrument = get_instrument(symbol)
    assert instrument is not None
    minutes = generate_minute_bars(symbol, date(2023, 9, 1), date(2024, 2, 29), seed=7)
    return FrameBars(minutes, generate_daily_bars(minutes, instrument))


def instrument_bars() -> tuple[Instrument, FrameBars]:
    """ES, the instrument every example runs on, and its seeded bars."""
    es = get_instrument("ES")
    assert es is not None
    return es, seeded_bars("ES")


def universe() -> FramesUniverse:
    """ES and NQ, so the examples of ``on('NQ', …)`` have another instrument to read."""
    return FramesUniverse({symbol: seeded_bars(symbol) for symbol in ("ES", "NQ")})


def example_query(spec: FunctionSpec) -> dict[str, Any]:
    """The query that runs ``spec.example``: selected when it is an aggregate, mapped per bar otherwise."""
    bars = "1h" if spec.intraday else "daily"
    if spec.kind == "aggregate":
        return {"from": bars, "select": {"value": spec.example}}
    return {"from": bars, "map": {"value": spec.example}, "columns": ["value"]}


def _rounded(value: Any) -> Any:
    if isinstance(value, float) and math.isfinite(value) and value != 0:
        return round(value, _DIGITS - 1 - math.floor(math.log10(abs(value))))
    return value


def digest(spec: FunctionSpec) -> dict[str, Any]:
    """Rows, how many values are present, and the first, last and sum of them (numbers rounded)."""
    instrument, bars = instrument_bars()
    result = run_query(example_query(spec), instrument, bars, universe=universe())
    values = [row[-1] for row in result["rows"]]
    present = [v for v in values if v is not None]
    numbers = [float(v) for v in present if isinstance(v, int | float)]
    return {
        "rows": len(values),
        "present": len(present),
        "first": _rounded(present[0]) if present else None,
        "last": _rounded(present[-1]) if present else None,
        "sum": _rounded(math.fsum(numbers)) if numbers else None,
    }


def all_digests() -> dict[str, dict[str, Any]]:
    """The digest of every declared function's example, by function name."""
    from shared.script.registry import library

    return {spec.name: digest(spec) for spec in sorted(library().unique(), key=lambda s: s.name)}


if __name__ == "__main__":
    PINNED.write_text(json.dumps(all_digests(), indent=1, sort_keys=True) + "\n")
    sys.stdout.write(f"wrote {PINNED}\n")
