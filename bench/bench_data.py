"""Bar loading figures for 6 M one-minute rows: cold from the bucket (moto), cached, one year, peak RSS.

Run: ``.venv/bin/python bench/bench_data.py [--rows 6000000] [--repeat 5]``. Each measured load runs in its
own subprocess so it has its own peak RSS and no warm Polars state; the figures are medians. CPU time (all
threads, user + system) is printed next to wall time because the machine may be shared.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _rss(field: str) -> int:
    """``VmRSS`` (now) or ``VmHWM`` (peak) of this process in bytes. Unlike ``ru_maxrss``, the peak is reset
    by exec, so it does not include the parent's memory at fork time."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def child(mode: str, cache_dir: str, endpoint: str, bucket: str) -> None:
    """One measured load; prints JSON with seconds, rows, and RSS before and at peak (bytes).

    A cold load is timed from an empty cache including the manifest request. Cached loads are timed as a
    serving worker sees them, with the manifest already known (it is revalidated once per TTL, not per
    load): first the first load of the process, then (after dropping it) the same load again, as in a worker
    that has served before. The peak RSS covers both.
    """
    import polars as pl

    from data_store import BarStore, StoreConfig

    store = BarStore(StoreConfig(bucket=bucket, endpoint_url=endpoint, cache_dir=Path(cache_dir)))
    if mode != "cold":
        store.manifest()
    baseline = _rss("VmRSS")

    def load() -> tuple[float, float, int]:
        cpu = time.process_time()
        began = time.perf_counter()
        frame = store.scan("NQ", "1m")
        assert frame is not None
        if mode == "year":
            last = store.data_range("NQ")[1]  # type: ignore[index]
            frame = frame.filter(pl.col("ts") >= last.replace(year=last.year - 1))
        rows = frame.collect().height
        return time.perf_counter() - began, time.process_time() - cpu, rows

    seconds, cpu, rows = load()
    again, _, _ = load()
    result = {
        "seconds": seconds,
        "cpu": cpu,
        "again": again,
        "rows": rows,
        "baseline": baseline,
        "peak": _rss("VmHWM"),
    }
    print(json.dumps(result))


def measure(mode: str, cache_dir: Path, endpoint: str, bucket: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(cache_dir), endpoint, bucket],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=6_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return

    from moto.server import ThreadedMotoServer

    from data_store.layout import DataFolder
    from data_store.s3 import make_s3_client
    from shared.ingest import upload_folder
    from shared.ingest.sample import generate_minute_bars

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's request log
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    years = args.rows / 340_000 + 1
    began = time.perf_counter()
    bars = generate_minute_bars("NQ", date(2026 - int(years), 1, 1), date(2026, 10, 30), seed=0).tail(
        args.rows
    )
    column_bytes = bars.estimated_size()
    print(f"generated {bars.height:,} one-minute bars in {time.perf_counter() - began:.1f} s")

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            stored = DataFolder(work / "data").add_bars("NQ", "1m", bars)
            del bars
            client = make_s3_client(endpoint, None)
            client.create_bucket(Bucket="bench")
            upload_folder(work / "data", client, "bench")
            print(f"Parquet file {stored.bytes / 1e6:.1f} MB, in-memory columns {column_bytes / 1e6:.1f} MB")

            runs: dict[str, list[dict]] = {"cold": [], "cached": [], "year": []}
            for i in range(args.repeat):
                runs["cold"].append(measure("cold", work / f"cold-{i}", endpoint, "bench"))
            for mode, name in (("full", "cached"), ("year", "year")):
                for _ in range(args.repeat):
                    runs[name].append(measure(mode, work / "cold-0", endpoint, "bench"))
    finally:
        server.stop()

    labels = {
        "cold": "cold load from the bucket (manifest, download, sha256, read)",
        "cached": "full load from the cache",
        "year": "one year with a period filter (cache)",
    }
    print(f"\nmedians of {args.repeat} runs, each in its own process:")
    for name, results in runs.items():
        seconds = statistics.median(r["seconds"] for r in results)
        cpu = statistics.median(r["cpu"] for r in results)
        again = statistics.median(r["again"] for r in results)
        peak = statistics.median(r["peak"] for r in results)
        baseline = statistics.median(r["baseline"] for r in results)
        print(
            f"  {labels[name]:<62} {seconds:6.3f} s (CPU {cpu:5.2f} s; again in the process {again:5.3f} s)  "
            f"{results[0]['rows']:>9,} rows  peak RSS {peak / 1e6:4.0f} MB (before loading {baseline / 1e6:.0f} MB)"
        )
    peak_full = statistics.median(r["peak"] for r in runs["cached"])
    baseline = statistics.median(r["baseline"] for r in runs["cached"])
    print(
        f"\npeak RSS of the cached full load / in-memory column bytes = {peak_full / column_bytes:.2f} "
        f"(excluding the interpreter and imports: {(peak_full - baseline) / column_bytes:.2f}); target < 2"
    )
    print("targets: cached full load < 0.5 s, one-year load < 0.1 s")


if __name__ == "__main__":
    main()
