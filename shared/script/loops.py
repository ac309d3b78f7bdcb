"""Compiled loops behind ``shared.script.kernels``: the recursions NumPy cannot vectorize, one pass each.

Wilder/EMA averages and the indicators built on them (ATR, Keltner, MACD, RSI, DMI) are sequential (each bar needs the previous bar's
result), so as Python loops they cost about a second per million bars. Here they are compiled with numba and
cached on disk (in ``NUMBA_CACHE_DIR`` when set, else ``__pycache__`` beside this file; numba falls back to the
user's cache folder when that is not writable, and ``compiled`` to compiling once per process when none is). ``kernels`` imports this module on first use, so
importing the library never pays numba's own import.

Every loop repeats the floating-point operations of the NumPy/Polars code it replaced, in the same order, so
results are bit-for-bit the same: the average update is Polars' ``y += α·(x − y)``, and its seed is the mean of
the first n present values summed the way ``np.nansum`` does (pairwise, 8 accumulators). NaN marks a missing
value on input and output.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np
import numpy.typing as npt
from numba import NumbaWarning, njit

NAN = np.nan
Array = npt.NDArray[np.float64]
Stream = tuple[float, int, Array, int, float]
"""A seeded average's running state (see :func:`new_stream`)."""
F = TypeVar("F", bound=Callable[..., Any])


def compiled(fn: F) -> F:
    """``fn`` compiled in nopython mode, cached on disk where a cache folder is writable.

    Helpers are compiled the same way: LLVM inlines the small per-bar ones into each loop that calls them.
    """
    try:
        compiled = njit(cache=True, error_model="numpy")(fn)
    except RuntimeError:  # no writable cache folder anywhere: compile in each process instead
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NumbaWarning)
            compiled = njit(error_model="numpy")(fn)
    return cast(F, compiled)  # a dispatcher is called exactly like the function it compiles


@compiled
def _block_sum(values: Array, start: int, count: int) -> float:
    """NumPy's pairwise sum of at most 128 values: sequential below 8, else 8 interleaved accumulators."""
    if count < 8:
        total = -0.0
        for i in range(start, start + count):
            total += values[i]
        return total
    r0, r1, r2, r3 = values[start], values[start + 1], values[start + 2], values[start + 3]
    r4, r5, r6, r7 = values[start + 4], values[start + 5], values[start + 6], values[start + 7]
    i = 8
    while i < count - count % 8:
        j = start + i
        r0 += values[j]
        r1 += values[j + 1]
        r2 += values[j + 2]
        r3 += values[j + 3]
        r4 += values[j + 4]
        r5 += values[j + 5]
        r6 += values[j + 6]
        r7 += values[j + 7]
        i += 8
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < count:
        total += values[start + i]
        i += 1
    return float(total)  # a float64 already: tells the type checker what indexing an array gives


@compiled
def _half(count: int) -> int:
    """Where NumPy splits a longer block: half of it, rounded down to a multiple of 8."""
    half = count // 2
    return half - half % 8


@compiled
def _pairwise_sum(values: Array, start: int, count: int) -> float:
    """Sum of ``values[start : start + count]`` exactly as ``np.sum`` computes it (so bit-identical).

    NumPy halves blocks longer than 128 recursively and adds the halves' sums; the recursion is unrolled onto
    an explicit stack here, because numba cannot reload a cached recursive function.
    """
    if count <= 128:
        return _block_sum(values, start, count)
    starts, counts = np.empty(64, np.int64), np.empty(64, np.int64)
    left_sums, right_started = np.empty(64), np.zeros(64, np.bool_)
    depth, starts[0], counts[0] = 0, start, count
    while True:
        if counts[depth] > 128:  # descend into the left half
            depth += 1
            starts[depth], counts[depth] = starts[depth - 1], _half(counts[depth - 1])
            right_started[depth] = False
            continue
        total = _block_sum(values, starts[depth], counts[depth])
        while True:  # climb while the finished block is a right half
            depth -= 1
            if depth < 0:
                return total
            if right_started[depth]:
                total = left_sums[depth] + total
                continue
            half = _half(counts[depth])
            left_sums[depth], right_started[depth] = total, True
            depth += 1
            starts[depth], counts[depth] = starts[depth - 1] + half, counts[depth - 1] - half
            right_started[depth] = False
            break


@compiled
def new_stream(size: int, n: int, alpha: float) -> Stream:
    """A seeded average's running state: (average, present values seen, seed buffer, n, α).

    The buffer holds the values up to the seed; ``np.empty`` pages it in lazily, so only the pages written
    (usually the first) are ever touched.
    """
    return (0.0, 0, np.empty(size), n, alpha)


@compiled
def is_seeded(stream: Stream) -> bool:
    return stream[1] >= stream[3]


@compiled
def push(stream: Stream, i: int, x: float, seeded: bool) -> tuple[float, Stream]:
    """Feed bar i's value x to a seeded average; returns (its value after bar i, the new state).

    The value is NaN while unseeded or when x is missing. The seed is the mean of the first n present values,
    summed like ``np.nansum(values[: i + 1])``; then ``y += α·(x − y)`` on each present value (Polars'
    ``ewm_mean(adjust=False)`` update). Each indicator runs its bars twice over: up to the last seed
    (``is_seeded``), then from there with ``seeded`` true, a loop-invariant flag that lets the compiler drop the
    seeding branches from the loop where nearly all the time goes (about 1.5× faster).
    """
    average, seen, buffer, n, alpha = stream
    if seeded or seen >= n:
        if math.isnan(x):
            return NAN, stream
        average += alpha * (x - average)
        return average, (average, seen, buffer, n, alpha)
    if math.isnan(x):
        buffer[i] = 0.0
        return NAN, stream
    buffer[i] = x
    seen += 1
    if seen < n:
        return NAN, (average, seen, buffer, n, alpha)
    average = _pairwise_sum(buffer, 0, i + 1) / n
    return average, (average, seen, buffer, n, alpha)


@compiled
def _ewm_bars(values: Array, out: Array, stream: Stream, first: int, seeded: bool) -> tuple[int, Stream]:
    for i in range(first, values.shape[0]):
        out[i], stream = push(stream, i, values[i], seeded)
        if not seeded and is_seeded(stream):
            return i + 1, stream
    return values.shape[0], stream


@compiled
def seeded_ewm(values: Array, n: int, alpha: float) -> Array:
    """``y += α·(x − y)`` seeded with the mean of the first n present values.

    Missing before the seed; a missing value later stays missing and is skipped by the recursion.
    """
    size = values.shape[0]
    out = np.empty(size)
    start, stream = _ewm_bars(values, out, new_stream(size, n, alpha), 0, False)
    _ewm_bars(values, out, stream, start, True)
    return out


@compiled
def _fmax(a: float, b: float) -> float:
    """``np.fmax``: the larger value, ignoring one NaN."""
    if math.isnan(a):
        return b
    if math.isnan(b):
        return a
    return a if a >= b else b


@compiled
def true_range_at(high: Array, low: Array, close: Array, i: int, first_bar_range: bool) -> float:
    """Bar i's true range (see ``kernels.true_range``)."""
    spread = high[i] - low[i]
    prev_close = close[i - 1] if i > 0 else NAN
    gaps = _fmax(abs(high[i] - prev_close), abs(low[i] - prev_close))
    if first_bar_range:
        return _fmax(spread, gaps)
    if math.isnan(prev_close) or math.isnan(spread) or math.isnan(gaps):
        return NAN
    return spread if spread >= gaps else gaps


@compiled
def true_range(high: Array, low: Array, close: Array, first_bar_range: bool) -> Array:
    """``max(high − low, |high − prev close|, |low − prev close|)`` (see ``kernels.true_range``)."""
    size = close.shape[0]
    out = np.empty(size)
    for i in range(size):
        out[i] = true_range_at(high, low, close, i, first_bar_range)
    return out


@compiled
def _atr_bars(
    high: Array, low: Array, close: Array, out: Array, stream: Stream, first: int, seeded: bool
) -> tuple[int, Stream]:
    for i in range(first, close.shape[0]):
        out[i], stream = push(stream, i, true_range_at(high, low, close, i, True), seeded)
        if not seeded and is_seeded(stream):
            return i + 1, stream
    return close.shape[0], stream


@compiled
def atr(high: Array, low: Array, close: Array, n: int) -> Array:
    """Wilder's average of the true range (Pine ``ta.atr``)."""
    size = close.shape[0]
    out = np.empty(size)
    start, stream = _atr_bars(high, low, close, out, new_stream(size, n, 1.0 / n), 0, False)
    _atr_bars(high, low, close, out, stream, start, True)
    return out


@compiled
def _keltner_bars(
    high: Array,
    low: Array,
    close: Array,
    mult: float,
    middle: Array,
    width: Array,
    streams: tuple[Stream, Stream],
    first: int,
    seeded: bool,
) -> tuple[int, tuple[Stream, Stream]]:
    closes, ranges = streams
    for i in range(first, close.shape[0]):
        middle[i], closes = push(closes, i, close[i], seeded)
        average_range, ranges = push(ranges, i, true_range_at(high, low, close, i, True), seeded)
        width[i] = mult * average_range
        if not seeded and is_seeded(closes) and is_seeded(ranges):
            return i + 1, (closes, ranges)
    return close.shape[0], (closes, ranges)


@compiled
def keltner(high: Array, low: Array, close: Array, n: int, mult: float) -> tuple[Array, Array]:
    """Keltner middle line ema(close, n) and half-width mult · ema(true range, n)."""
    size = close.shape[0]
    middle, width = np.empty(size), np.empty(size)
    alpha = 2.0 / (n + 1)
    streams = (new_stream(size, n, alpha), new_stream(size, n, alpha))
    start, streams = _keltner_bars(high, low, close, mult, middle, width, streams, 0, False)
    _keltner_bars(high, low, close, mult, middle, width, streams, start, True)
    return middle, width


@compiled
def _macd_bars(
    values: Array,
    line: Array,
    smoothed: Array,
    histogram: Array,
    streams: tuple[Stream, Stream, Stream],
    first: int,
    seeded: bool,
) -> tuple[int, tuple[Stream, Stream, Stream]]:
    fast, slow, signal = streams
    for i in range(first, values.shape[0]):
        fast_ema, fast = push(fast, i, values[i], seeded)
        slow_ema, slow = push(slow, i, values[i], seeded)
        line[i] = fast_ema - slow_ema
        smoothed[i], signal = push(signal, i, line[i], seeded)
        histogram[i] = line[i] - smoothed[i]
        if not seeded and is_seeded(fast) and is_seeded(slow) and is_seeded(signal):
            return i + 1, (fast, slow, signal)
    return values.shape[0], (fast, slow, signal)


@compiled
def macd(values: Array, fast: int, slow: int, signal: int) -> tuple[Array, Array, Array]:
    """MACD line ema(fast) − ema(slow), its signal line ema(line, signal) and the histogram line − signal."""
    size = values.shape[0]
    line, smoothed, histogram = np.empty(size), np.empty(size), np.empty(size)
    streams = (
        new_stream(size, fast, 2.0 / (fast + 1)),
        new_stream(size, slow, 2.0 / (slow + 1)),
        new_stream(size, signal, 2.0 / (signal + 1)),
    )
    start, streams = _macd_bars(values, line, smoothed, histogram, streams, 0, False)
    _macd_bars(values, line, smoothed, histogram, streams, start, True)
    return line, smoothed, histogram


@compiled
def _balance(up: float, down: float) -> float:
    """``100 − 100 / (1 + up/down)``: 100 when nothing went down, missing when nothing moved."""
    if down == 0:
        return 100.0 if up != 0 and not math.isnan(up) else NAN
    ratio = up / down
    ratio += 1
    return 100.0 - 100.0 / ratio


@compiled
def _rsi_bars(
    values: Array, out: Array, streams: tuple[Stream, Stream], first: int, seeded: bool
) -> tuple[int, tuple[Stream, Stream]]:
    gains, losses = streams
    for i in range(first, values.shape[0]):
        delta = values[i] - values[i - 1] if i > 0 else NAN
        gain = delta if math.isnan(delta) or delta > 0.0 else 0.0
        loss = -delta if math.isnan(delta) or -delta > 0.0 else 0.0
        up, gains = push(gains, i, gain, seeded)
        down, losses = push(losses, i, loss, seeded)
        out[i] = _balance(up, down)
        if not seeded and is_seeded(gains) and is_seeded(losses):
            return i + 1, (gains, losses)
    return values.shape[0], (gains, losses)


@compiled
def rsi(values: Array, n: int) -> Array:
    """Relative Strength Index on Wilder's averages of gains and losses."""
    size = values.shape[0]
    out = np.empty(size)
    streams = (new_stream(size, n, 1.0 / n), new_stream(size, n, 1.0 / n))
    start, streams = _rsi_bars(values, out, streams, 0, False)
    _rsi_bars(values, out, streams, start, True)
    return out


@compiled
def _divide(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator != 0 else NAN


@compiled
def _directional_bars(
    high: Array,
    low: Array,
    close: Array,
    plus: Array,
    minus: Array,
    adx: Array,
    streams: tuple[Stream, Stream, Stream, Stream],
    first: int,
    seeded: bool,
) -> tuple[int, tuple[Stream, Stream, Stream, Stream]]:
    ranges, rises, falls, spreads = streams
    for i in range(first, close.shape[0]):
        up = high[i] - high[i - 1] if i > 0 else NAN
        down = low[i - 1] - low[i] if i > 0 else NAN
        if math.isnan(up) or math.isnan(down):
            plus_dm = minus_dm = NAN
        else:
            plus_dm = up if up > down and up > 0 else 0.0
            minus_dm = down if down > up and down > 0 else 0.0
        average_range, ranges = push(ranges, i, true_range_at(high, low, close, i, False), seeded)
        rise, rises = push(rises, i, plus_dm, seeded)
        fall, falls = push(falls, i, minus_dm, seeded)
        plus[i] = 100 * _divide(rise, average_range)
        minus[i] = 100 * _divide(fall, average_range)
        total = plus[i] + minus[i]
        strength, spreads = push(spreads, i, abs(plus[i] - minus[i]) / (1.0 if total == 0 else total), seeded)
        adx[i] = 100 * strength
        if not seeded and is_seeded(ranges) and is_seeded(rises) and is_seeded(falls) and is_seeded(spreads):
            return i + 1, (ranges, rises, falls, spreads)
    return close.shape[0], (ranges, rises, falls, spreads)


@compiled
def directional(high: Array, low: Array, close: Array, n: int) -> tuple[Array, Array, Array]:
    """+DI, −DI and ADX (see ``kernels.directional``)."""
    size = close.shape[0]
    plus, minus, adx = np.empty(size), np.empty(size), np.empty(size)
    alpha = 1.0 / n
    streams = (
        new_stream(size, n, alpha),
        new_stream(size, n, alpha),
        new_stream(size, n, alpha),
        new_stream(size, n, alpha),
    )
    start, streams = _directional_bars(high, low, close, plus, minus, adx, streams, 0, False)
    _directional_bars(high, low, close, plus, minus, adx, streams, start, True)
    return plus, minus, adx
