"""Benchmark of many series at once: ``on()`` across instruments and screens, each against hand-written Polars.

    python -m bench.bench_series [--repeat 5]     (also run at the end of ``python -m bench.bench_engine``)

Run in the same process as its baselines (medians of ``--repeat`` runs after one warm-up):
- a two-instrument daily correlation over 18 years (NQ and ES) vs a Polars join + ``pl.corr`` (target ≤ 1.5×);
- a two-instrument one-minute RTH query over a year vs the same query on one instrument (target ≤ 2×);
- a screen of every sample instrument on one-minute bars vs the sum of its single-instrument queries
  (targets: under 1 s and ≤ 1.5× the sum on 2 cores).
The 18-year bars of NQ and ES and a 3-year sample set are generated once and cached under ``var/bench``.
"""

from __future__ import annotations

import argparse
import time
from datetime import date
from pathlib import Path

import polars as pl

from bench.timing import median_ms
from shared.ingest.sample import generate_daily_bars, generate_minute_bars
from shared.ingest.sample_set import DEFAULT_SYMBOLS
from shared.market import get_instrument
from shared.script import FrameBars, FramesUniverse, run_query, start_screen

CACHE = Path("var/bench")
START, END = date(2007, 1, 2), date(2024, 12, 31)
SAMPLE_START, SAMPLE_END = date(2022, 1, 3), date(2024, 12, 31)


def _bars(symbol: str, start: date, end: date, tag: str) -> FrameBars:
    """Seeded one-minute and daily bars of ``symbol``, cached as Parquet and read into memory."""
    minute_path, daily_path = CACHE / f"{tag}_{symbol}_1m.parquet", CACHE / f"{tag}_{symbol}_1d.parquet"
    if not minute_path.exists() or not daily_path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        began = time.perf_counter()
        minutes = generate_minute_bars(symbol, start, end, seed=1)
        minutes.write_parquet(minute_path, statistics=True)
        generate_daily_bars(minutes, symbol).write_parquet(daily_path, statistics=True)
        print(
            f"generated {minutes.height:,} one-minute bars of {symbol} in {time.perf_counter() - began:.1f} s"
        )
    return FrameBars(pl.read_parquet(minute_path), pl.read_parquet(daily_path))


def _daily(bars: FrameBars) -> pl.DataFrame:
    daily = bars.daily_frame
    assert isinstance(daily, pl.DataFrame)
    return daily


def _correlation_by_hand(nq: FrameBars, es: FrameBars) -> float:
    a = _daily(nq).select("trade_date", pl.col("close").pct_change().alias("a"))
    b = _daily(es).select("trade_date", pl.col("close").pct_change().alias("b"))
    value: float = a.join(b, on="trade_date", how="left").select(pl.corr("a", "b")).item()
    return value


def _report(name: str, barb_ms: float, base_ms: float, target: float, what: str) -> bool:
    ratio = barb_ms / base_ms
    ok = ratio <= target
    print(
        f"{name:<44} {barb_ms:>9.1f} {base_ms:>11.1f} {ratio:>6.2f}× (≤ {target}× {what}){'' if ok else ' !'}"
    )
    return ok


def report(repeat: int) -> int:
    """Run every form against its baseline and print the table; returns how many met their target."""
    nq_i, es_i = get_instrument("NQ"), get_instrument("ES")
    assert nq_i is not None and es_i is not None
    nq, es = _bars("NQ", START, END, "long"), _bars("ES", START, END, "long")
    pair = FramesUniverse({"NQ": nq, "ES": es})
    print(f"{pl.thread_pool_size()} Polars threads; medians of {repeat} runs")
    print(f"{'form':<44} {'barb ms':>9} {'baseline ms':>11} {'ratio':>7}")
    results = []

    correlation = {
        "map": {"a": "change_pct(close)", "b": "on('ES', change_pct(close))"},
        "select": "correlation(a, b)",
    }
    got = run_query(correlation, nq_i, nq, universe=pair)["value"]
    assert abs(got - _correlation_by_hand(nq, es)) < 1e-9, "the correlation disagrees with its baseline"
    barb = median_ms(lambda: run_query(correlation, nq_i, nq, universe=pair), repeat, warm=True)
    base = median_ms(lambda: _correlation_by_hand(nq, es), repeat, warm=True)
    results.append(_report("daily correlation NQ/ES, 18 years", barb, base, 1.5, "hand-written Polars"))
    alone = {"map": {"a": "change_pct(close)", "b": "change_pct(open)"}, "select": "correlation(a, b)"}
    one = median_ms(lambda: run_query(alone, nq_i, nq), repeat, warm=True)
    print(f"{'  the same correlation within NQ alone':<44} {one:>9.1f} (on() adds {barb - one:.1f} ms)")

    single = {
        "from": "1m",
        "session": "RTH",
        "period": "2024",
        "map": {"d": "close - open"},
        "select": "mean(d)",
    }
    double = single | {"map": {"d": "close - on('ES', close)"}}
    run_query(double, nq_i, nq, universe=pair)
    barb = median_ms(lambda: run_query(double, nq_i, nq, universe=pair), repeat, warm=True)
    base = median_ms(lambda: run_query(single, nq_i, nq), repeat, warm=True)
    results.append(_report("1m RTH 2024, NQ − ES vs NQ alone", barb, base, 2.0, "the one-instrument query"))

    sample = {s: _bars(s, SAMPLE_START, SAMPLE_END, "sample") for s in DEFAULT_SYMBOLS}
    universe = FramesUniverse(sample)
    per = {"from": "1m", "session": "RTH", "map": {"r": "high - low"}, "select": {"r": "mean(r)"}}
    screen = {"screen": "all", **per, "sort": "r desc"}
    instruments = {s: get_instrument(s) for s in sample}

    def singles() -> None:
        for symbol, bars in sample.items():
            instrument = instruments[symbol]
            assert instrument is not None
            run_query(per, instrument, bars)

    barb = median_ms(lambda: start_screen(screen, universe).result(), repeat, warm=True)
    base = median_ms(singles, repeat, warm=True)
    what = f"the sum of {len(sample)} single queries"
    results.append(_report(f"screen of {len(sample)} sample instruments, 1m RTH", barb, base, 1.5, what))
    print(f"screen: {barb:.0f} ms (target under 1000 ms){'' if barb < 1000 else ' !'}")
    print(f"{sum(results)}/{len(results)} forms within target")
    return sum(results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    report(parser.parse_args().repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
