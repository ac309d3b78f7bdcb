"""Times Barb Script expressions on the benchmark's one-minute bar frame; ``bench.bench_functions`` drives it.

It imports nothing but ``shared`` (the library), so ``--compare`` can run it as a subprocess on another
checkout of the library (the one PYTHONPATH names); there it answers JSON lines on stdin/stdout:

    {"expr": "sar(0.02, 0.2)", "save": "/tmp/x.npy"}  ->  {"ms": 2810.4}

``save`` (optional) writes the result as float64 with NaN for null, to check two implementations agree.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

import shared
import shared.script.functions  # fills the registry
from shared.market import get_instrument, holidays
from shared.script import BarRequest, FrameBars, anchor_session, build_bars
from shared.script.compile import Compiler
from shared.script.declarations import EvalContext
from shared.script.expressions import parse_expression

SYMBOL = "NQ"


class FunctionTimer:
    """The one-minute bar frame of the sample data in memory, and the engine's compiler for it."""

    def __init__(self, minute_path: Path) -> None:
        instrument = get_instrument(SYMBOL)
        assert instrument is not None
        request = BarRequest(timeframe="1m", anchor=anchor_session(instrument))
        lazy, _ = build_bars(FrameBars(pl.read_parquet(minute_path)), request)
        self.frame = lazy.collect()
        first, last = self.frame["date"].min(), self.frame["date"].max()
        calendar = tuple(
            h for y in range(first.year, last.year + 1) for h in holidays(instrument.calendar, y)
        )
        self.ctx = EvalContext(
            timeframe="1m", intraday=True, extras={"calendar": calendar, "instrument": instrument}
        )

    def compile(self, text: str) -> pl.Expr:
        """The Polars expression the engine builds for ``text`` (a ``map`` expression)."""
        parsed = parse_expression(text)
        assert parsed.tree is not None and not parsed.problems, parsed.problems
        lazy = self.frame.lazy()

        def dtype_of(expr: pl.Expr) -> pl.DataType:
            return lazy.select(expr.alias("__probe")).collect_schema()["__probe"]

        return Compiler(self.ctx, dtype_of).compile(parsed.tree).alias("value")

    def run(self, text: str, save: Path | None = None) -> float:
        """Wall milliseconds of one evaluation of ``text`` over every bar (compiling it is not counted)."""
        expr = self.compile(text)
        began = time.perf_counter()
        out = self.frame.lazy().select(expr).collect()
        ms = (time.perf_counter() - began) * 1000
        if save is not None:
            np.save(save, out["value"].cast(pl.Float64).fill_null(np.nan).to_numpy())
        return ms


def serve(minute_path: Path) -> None:
    """Answer timing requests, one JSON object per line, until stdin closes."""
    timer = FunctionTimer(minute_path)
    print(json.dumps({"rows": timer.frame.height, "library": shared.__file__}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        save = Path(request["save"]) if request.get("save") else None
        print(json.dumps({"ms": timer.run(request["expr"], save)}), flush=True)


if __name__ == "__main__":
    serve(Path(sys.argv[1]))
