"""The benchmarks' one way of timing: the median wall time of repeated calls."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_ms(fn: Callable[[], object], repeat: int, *, warm: bool = False) -> float:
    """Median milliseconds of ``repeat`` calls of ``fn``, after one untimed call when ``warm``."""
    if warm:
        fn()
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)
