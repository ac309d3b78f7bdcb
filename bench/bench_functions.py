"""Per-function benchmark of the Barb Script library on the engine benchmark's ~6 M one-minute sample bars.

    python -m bench.bench_functions [--repeat 7] [--all] [--compare REV] [EXPR ...]

Each expression is compiled as a ``map`` expression and evaluated over every bar of the in-memory one-minute
frame (the sample data of ``bench.bench_engine``, generated once and cached under ``var/bench``). Prints the
first call (which includes any one-time JIT compile or cache load) and the median wall milliseconds of the
following ``--repeat`` calls. ``--all`` times one call of every series function with its default arguments.

``--compare REV`` times the library as committed at git revision REV (extracted to a temporary folder) against
the working tree in the same run: two worker processes, their calls interleaved, and reports the largest
relative difference between their results (and whether their nulls fall on the same bars).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from bench import function_timer
from bench.bench_engine import sample_files

ROOT = Path(__file__).resolve().parents[1]

EXPRESSIONS = [
    "change_pct(close)",
    "dayofweek()",
    "sma(close, 20)",
    "ema(close, 20)",
    "rma(close, 14)",
    "rsi(close, 14)",
    "atr(14)",
    "natr(14)",
    "vwap()",
    "macd(close, 12, 26)",
    "macd_hist(close, 12, 26, 9)",
    "rank(volume)",
    "cci(20)",
    "mfi(14)",
    "stoch_d(14, 3, 3)",
    "bbands_pctb(close, 20, 2)",
    "kc_width(20, 1.5)",
    "plus_di(14)",
    "adx(14)",
    "supertrend(10, 3)",
    "supertrend_dir(10, 3)",
    "sar(0.02, 0.2)",
]


def every_function() -> list[str]:
    """One call of each series function: declared defaults, ``close``/``open`` for columns, 20 for windows."""
    from shared.script.registry import library

    calls = []
    for spec in {spec.name: spec for spec in library().functions.values()}.values():
        if spec.kind != "series":
            continue
        columns = iter(["close", "open", "volume"])
        args = []
        for arg in spec.args:
            if arg.kind == "column":
                args.append("close > open" if arg.name == "cond" else next(columns))
            elif not arg.required:
                args.append(json.dumps(arg.default))
            else:
                args.append("20")
        calls.append(f"{spec.name}({', '.join(args)})")
    return sorted(calls)


class _Worker:
    """A ``function_timer`` process running on the library tree at ``tree``."""

    def __init__(self, tree: Path, minute_path: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, function_timer.__file__, str(minute_path.resolve())],
            cwd=tree,
            env={**os.environ, "PYTHONPATH": str(tree)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        library = Path(self._read()["library"])
        if not library.is_relative_to(tree.resolve()):
            raise RuntimeError(f"the worker for {tree} imported the library from {library}")

    def _read(self) -> dict:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the timing worker stopped (see its error above)")
        return json.loads(line)

    def run(self, text: str, save: Path | None = None) -> float:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"expr": text, "save": str(save) if save else None}) + "\n")
        self.process.stdin.flush()
        return self._read()["ms"]

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait()


def _extract(rev: str, into: Path) -> Path:
    """The library (``shared``, ``data_store``) as committed at ``rev``, unpacked under ``into``."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", rev, "shared", "data_store"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def _difference(old: np.ndarray, new: np.ndarray) -> str:
    """Largest relative difference of two results, or why they cannot be compared."""
    if old.shape != new.shape:
        return "length differs"
    if not np.array_equal(np.isnan(old), np.isnan(new)):
        return "nulls differ"
    both = ~np.isnan(old)
    a, b = old[both], new[both]
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(a == b, 0.0, np.abs(a - b) / np.maximum(np.abs(a), np.abs(b)))
    return "identical" if not relative.any() else f"{relative.max():.1e}"


def _time(run: Callable[[], float], repeat: int) -> tuple[float, list[float]]:
    return run(), [run() for _ in range(repeat)]


def measure(expressions: list[str], repeat: int, minute_path: Path) -> None:
    timer = function_timer.FunctionTimer(minute_path)
    print(f"{timer.frame.height:,} one-minute bars, wall ms, first call then median of {repeat}")
    print(f"{'expression':<32} {'first':>9} {'median':>9}")
    for text in expressions:
        first, times = _time(lambda t=text: timer.run(t), repeat)
        print(f"{text:<32} {first:>9.1f} {statistics.median(times):>9.1f}", flush=True)


def compare(expressions: list[str], repeat: int, minute_path: Path, rev: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        old = _Worker(_extract(rev, Path(tmp) / "old"), minute_path)
        new = _Worker(ROOT, minute_path)
        print(f"{rev} (old) against the working tree (new), wall ms, first call then median of {repeat}")
        print(f"{'expression':<32} {'old first':>9} {'new first':>9} {'old':>9} {'new':>9} {'×':>6}  result")
        for text in expressions:
            saved = Path(tmp) / "old.npy", Path(tmp) / "new.npy"
            firsts = old.run(text, saved[0]), new.run(text, saved[1])
            times: tuple[list[float], list[float]] = ([], [])
            for i in range(repeat):
                # Alternate who goes first, so neither always runs on a cache the other just warmed.
                order = (0, 1) if i % 2 == 0 else (1, 0)
                for side in order:
                    times[side].append((old, new)[side].run(text))
            old_ms, new_ms = statistics.median(times[0]), statistics.median(times[1])
            same = _difference(np.load(saved[0]), np.load(saved[1]))
            print(
                f"{text:<32} {firsts[0]:>9.1f} {firsts[1]:>9.1f} {old_ms:>9.1f} {new_ms:>9.1f} "
                f"{old_ms / new_ms:>6.1f}  {same}",
                flush=True,
            )
        old.close()
        new.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("expressions", nargs="*", help="Barb Script expressions (default: a fixed list)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--all", action="store_true", help="every series function with default arguments")
    parser.add_argument("--compare", metavar="REV", help="also time the library at this git revision")
    args = parser.parse_args()
    expressions = args.expressions or (every_function() if args.all else EXPRESSIONS)
    minute_path, _ = sample_files()
    if args.compare:
        compare(expressions, args.repeat, minute_path, args.compare)
    else:
        measure(expressions, args.repeat, minute_path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
