"""Benchmark of the Barb Script engine on ~18 years of NQ-like one-minute sample bars (~6 M rows).

    python -m bench.bench_engine [--repeat 7] [--source store|scan]

The sample bars are generated once and cached under ``var/bench``. ``store`` (the default) reads them the way
the app does (``StoreBars``: each file read once per process, then kept in memory); ``scan`` re-reads the
Parquet files for every query. Prints the median milliseconds per query (after one warm-up run), the rows
returned, and the median validation time.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date
from pathlib import Path

import polars as pl

from bench import bench_series
from bench.timing import median_ms
from shared.ingest.sample import generate_daily_bars, generate_minute_bars
from shared.market import get_instrument
from shared.script import FrameBars, QueryTimeout, StoreBars, run_query, validate
from tests.script.queries import early_high, prompt_example

CACHE = Path("var/bench")
START, END = date(2007, 1, 2), date(2024, 12, 31)
TARGET_MS = {"daily": 10.0, "1m": 300.0}


QUERIES: list[tuple[str, str, dict]] = [
    # Daily (stored settlement bars unless a session is named).
    (
        "daily",
        "falls 2024",
        {"period": "2024", "map": {"chg": "change_pct(close)"}, "where": "chg <= -2.5", "sort": "chg asc"},
    ),
    (
        "daily",
        "range by weekday",
        {"map": {"r": "range()", "dow": "dayofweek()"}, "group_by": "dow", "select": "mean(r)"},
    ),
    ("daily", "rsi oversold count", {"map": {"r": "rsi(close, 14)"}, "where": "r < 30", "select": "count()"}),
    ("daily", "sma last 50", {"period": "last_50", "map": {"s": "sma(close, 20)"}}),
    (
        "daily",
        "weekly best",
        {"from": "weekly", "map": {"chg": "change_pct(close)"}, "sort": "chg desc", "limit": 10},
    ),
    (
        "daily",
        "monthly up share",
        {
            "from": "monthly",
            "map": {"m": "month()", "up": "close > open"},
            "group_by": "m",
            "select": "pct(up)",
        },
    ),
    ("daily", "gap stats", {"map": {"g": "gap()"}, "select": ["count()", "mean(g)", "percentile(g, 0.9)"]}),
    (
        "daily",
        "supertrend atr",
        {"map": {"st": "supertrend_dir(10, 3.0)", "a": "atr(14)"}, "where": "st == 1", "select": "mean(a)"},
    ),
    (
        "daily",
        "steps by year",
        {
            "steps": [
                {"map": {"y": "year()", "r": "range_pct()"}, "group_by": "y", "select": {"avg": "mean(r)"}},
                {"sort": "avg desc", "limit": 3},
            ]
        },
    ),
    (
        "daily",
        "bbands breakouts",
        {
            "period": "2020:2022",
            "map": {"bb": "bbands_pctb(close)"},
            "where": "bb > 1",
            "columns": ["date", "close", "bb"],
        },
    ),
    (
        "daily",
        "volume spikes",
        {"period": "2023", "where": "volume > 1.5 * mean(volume)", "select": "count()"},
    ),
    # Built from one-minute bars, full history.
    (
        "1m",
        "RTH falls (all)",
        {"session": "RTH", "map": {"chg": "change_pct(close)"}, "where": "chg <= -2.5", "sort": "chg asc"},
    ),
    ("1m", "RTH range by weekday", prompt_example("range_by_weekday")),
    ("1m", "RTH gap fills", prompt_example("gap_fill_points")),
    ("1m", "early high by quarter 2024", early_high("quarter", period="2024")),
    ("1m", "early high by year (all)", early_high("year")),
    (
        "1m",
        "hourly range by hour",
        {"from": "1h", "map": {"h": "hour()", "r": "range()"}, "group_by": "h", "select": "mean(r)"},
    ),
    (
        "1m",
        "RTH 5m volume profile",
        {"from": "5m", "session": "RTH", "group_by": "time", "select": "mean(volume)"},
    ),
    ("1m", "minute totals", {"from": "1m", "select": ["count()", "max(high)", "min(low)"]}),
    (
        "1m",
        "above vwap share",
        {"from": "1m", "session": "RTH", "map": {"vw": "vwap()"}, "select": "pct(close > vw)"},
    ),
    (
        "1m",
        "15m rsi extremes",
        {"from": "15m", "map": {"r": "rsi(close, 14)"}, "where": "r > 80", "select": "count()"},
    ),
    (
        "1m",
        "4h ema crosses 2023",
        {"from": "4h", "period": "2023", "map": {"e": "ema(close, 20)"}, "where": "crossover(close, e)"},
    ),
    (
        "1m",
        "ETH daily from minutes",
        {"session": "ETH", "from": "daily", "map": {"r": "range()"}, "where": "r > 0", "select": "count()"},
    ),
    (
        "1m",
        "last 5 days session highs",
        {
            "from": "1m",
            "period": "last_5",
            "map": {"hi": "session_high_sofar()"},
            "where": "high == hi",
            "select": "count()",
        },
    ),
]


def sample_files() -> tuple[Path, Path]:
    """The cached Parquet files of the benchmark's sample bars (generated on first use)."""
    minute_path, daily_path = CACHE / "NQ_1m.parquet", CACHE / "NQ_1d.parquet"
    if not minute_path.exists() or not daily_path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        began = time.perf_counter()
        minutes = generate_minute_bars("NQ", START, END, seed=1)
        minutes.write_parquet(minute_path, row_group_size=1_000_000, statistics=True)
        generate_daily_bars(minutes, "NQ").write_parquet(daily_path, statistics=True)
        print(f"generated {minutes.height:,} one-minute bars in {time.perf_counter() - began:.1f} s")
    return minute_path, daily_path


class _Folder:
    """The part of the bar store ``StoreBars`` uses: the local path of a symbol's file."""

    def __init__(self, paths: dict[str, Path]) -> None:
        self.paths = paths

    def path(self, symbol: str, bar_size: str) -> Path | None:
        return self.paths.get(bar_size)


class _StuckBars:
    """Bars that take a second to arrive: a query on them can only end by its time budget."""

    def minute(self) -> pl.LazyFrame:
        time.sleep(1.0)
        raise LookupError("arrived too late")

    def daily(self) -> pl.LazyFrame | None:
        return self.minute()


def _give_up(instrument) -> None:
    try:
        run_query({"from": "1m"}, instrument, _StuckBars(), timeout_s=0.2)
    except QueryTimeout:
        return
    raise AssertionError("the query on stuck bars did not time out")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--source", choices=("store", "scan"), default="store")
    args = parser.parse_args()
    instrument = get_instrument("NQ")
    assert instrument is not None
    minute_path, daily_path = sample_files()
    if args.source == "scan":
        bars = FrameBars(pl.scan_parquet(minute_path), pl.scan_parquet(daily_path))
    else:
        began = time.perf_counter()
        bars = StoreBars(_Folder({"1m": minute_path, "1d": daily_path}), "NQ")
        bars.minute(), bars.daily()
        print(f"first read of the files into memory: {(time.perf_counter() - began) * 1000:.0f} ms")
    rows = pl.scan_parquet(minute_path).select(pl.len()).collect().item()
    print(f"{rows:,} one-minute bars {START} → {END}, source={args.source}, {pl.thread_pool_size()} threads")
    print(f"{'kind':<6} {'query':<30} {'median ms':>10} {'target':>8} {'rows':>7}")
    misses = 0
    for kind, name, query in QUERIES:
        result = run_query(query, instrument, bars, timeout_s=60)
        ms = median_ms(lambda q=query: run_query(q, instrument, bars, timeout_s=60), args.repeat)
        ok = ms < TARGET_MS[kind]
        misses += not ok
        shown = result.get("total_rows", len(result["rows"]))
        print(f"{kind:<6} {name:<30} {ms:>10.1f} {TARGET_MS[kind]:>7.0f}{'' if ok else '!'} {shown:>7}")
    validation = statistics.median(
        median_ms(lambda q=query: validate(q, instrument), 50) for _, _, query in QUERIES
    )
    print(f"validation: median {validation:.3f} ms per query (target 1 ms)")
    timeout = median_ms(lambda: _give_up(instrument), 5)
    print(f"timeout of 0.2 s: median {timeout:.0f} ms until QueryTimeout (target 1000 ms)")
    print(f"{len(QUERIES) - misses}/{len(QUERIES)} queries within target")
    print("\nmany series at once (bench/bench_series.py):")
    bench_series.report(args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
