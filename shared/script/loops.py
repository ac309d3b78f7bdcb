"""Compiled loops behind ``shared.script.kernels``: the recursions NumPy cannot vectorize, one pass each.

Wilder/EMA averages, SuperTrend bands and Parabolic SAR are sequential (each bar needs the previous bar's
result), so as Python loops they cost about a second per million bars. Here they are compiled with numba and
cached on disk (in ``NUMBA_CACHE_DIR`` when set, else ``__pycache__`` beside this file; numba falls back to the
user's cache folder when that is not writable, and ``_compiled`` to compiling once per process when none is). ``kernels`` imports this module on first use, so
importing the library never pays numba's own import.

Every loop repeats the floating-point operations of the NumPy/Polars code it replaced, in the same order, so
results are bit-for-bit the same: the average update is Polars' ``y += α·(x − y)``, and its seed is the mean of
the first n present values summed the way ``np.nansum`` does (pairwise, 8 accumulators). NaN marks a missing
value on input and output.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from numba import NumbaWarning, njit

NAN = np.nan


def _compiled(fn):
    """``fn`` compiled in nopython mode, cached on disk where a cache folder is writable.

    Helpers are compiled the same way: LLVM inlines the small per-bar ones into each loop that calls them.
    """
    try:
        return njit(cache=True, error_model="numpy")(fn)
    except RuntimeError:  # no writable cache folder anywhere: compile in each process instead
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NumbaWarning)
            return njit(error_model="numpy")(fn)


@_compiled
def _block_sum(values, start, count):
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
    return total


@_compiled
def _half(count):
    """Where NumPy splits a longer block: half of it, rounded down to a multiple of 8."""
    half = count // 2
    return half - half % 8


@_compiled
def _pairwise_sum(values, start, count):
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


@_compiled
def _stream(size, n, alpha):
    """A seeded average's running state: (average, present values seen, seed buffer, n, α).

    The buffer holds the values up to the seed; ``np.empty`` pages it in lazily, so only the pages written
    (usually the first) are ever touched.
    """
    return (0.0, 0, np.empty(size), n, alpha)


@_compiled
def _seeded(stream):
    return stream[1] >= stream[3]


@_compiled
def _push(stream, i, x, seeded):
    """Feed bar i's value x to a seeded average; returns (its value after bar i, the new state).

    The value is NaN while unseeded or when x is missing. The seed is the mean of the first n present values,
    summed like ``np.nansum(values[: i + 1])``; then ``y += α·(x − y)`` on each present value (Polars'
    ``ewm_mean(adjust=False)`` update). Each indicator runs its bars twice over: up to the last seed
    (``_seeded``), then from there with ``seeded`` true, a loop-invariant flag that lets the compiler drop the
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


@_compiled
def _ewm_bars(values, out, stream, first, seeded):
    for i in range(first, values.shape[0]):
        out[i], stream = _push(stream, i, values[i], seeded)
        if not seeded and _seeded(stream):
            return i + 1, stream
    return values.shape[0], stream


@_compiled
def seeded_ewm(values, n, alpha):
    """``y += α·(x − y)`` seeded with the mean of the first n present values.

    Missing before the seed; a missing value later stays missing and is skipped by the recursion.
    """
    size = values.shape[0]
    out = np.empty(size)
    start, stream = _ewm_bars(values, out, _stream(size, n, alpha), 0, False)
    _ewm_bars(values, out, stream, start, True)
    return out


@_compiled
def _fmax(a, b):
    """``np.fmax``: the larger value, ignoring one NaN."""
    if math.isnan(a):
        return b
    if math.isnan(b):
        return a
    return a if a >= b else b


@_compiled
def _true_range_at(high, low, close, i, first_bar_range):
    """Bar i's true range (see ``kernels.true_range``)."""
    spread = high[i] - low[i]
    prev_close = close[i - 1] if i > 0 else NAN
    gaps = _fmax(abs(high[i] - prev_close), abs(low[i] - prev_close))
    if first_bar_range:
        return _fmax(spread, gaps)
    if math.isnan(prev_close) or math.isnan(spread) or math.isnan(gaps):
        return NAN
    return spread if spread >= gaps else gaps


@_compiled
def true_range(high, low, close, first_bar_range):
    """``max(high − low, |high − prev close|, |low − prev close|)`` (see ``kernels.true_range``)."""
    size = close.shape[0]
    out = np.empty(size)
    for i in range(size):
        out[i] = _true_range_at(high, low, close, i, first_bar_range)
    return out


@_compiled
def _atr_bars(high, low, close, out, stream, first, seeded):
    for i in range(first, close.shape[0]):
        out[i], stream = _push(stream, i, _true_range_at(high, low, close, i, True), seeded)
        if not seeded and _seeded(stream):
            return i + 1, stream
    return close.shape[0], stream


@_compiled
def atr(high, low, close, n):
    """Wilder's average of the true range (Pine ``ta.atr``)."""
    size = close.shape[0]
    out = np.empty(size)
    start, stream = _atr_bars(high, low, close, out, _stream(size, n, 1.0 / n), 0, False)
    _atr_bars(high, low, close, out, stream, start, True)
    return out


@_compiled
def _keltner_bars(high, low, close, mult, middle, width, streams, first, seeded):
    closes, ranges = streams
    for i in range(first, close.shape[0]):
        middle[i], closes = _push(closes, i, close[i], seeded)
        average_range, ranges = _push(ranges, i, _true_range_at(high, low, close, i, True), seeded)
        width[i] = mult * average_range
        if not seeded and _seeded(closes) and _seeded(ranges):
            return i + 1, (closes, ranges)
    return close.shape[0], (closes, ranges)


@_compiled
def keltner(high, low, close, n, mult):
    """Keltner middle line ema(close, n) and half-width mult · ema(true range, n)."""
    size = close.shape[0]
    middle, width = np.empty(size), np.empty(size)
    alpha = 2.0 / (n + 1)
    streams = (_stream(size, n, alpha), _stream(size, n, alpha))
    start, streams = _keltner_bars(high, low, close, mult, middle, width, streams, 0, False)
    _keltner_bars(high, low, close, mult, middle, width, streams, start, True)
    return middle, width


@_compiled
def _macd_bars(values, line, smoothed, histogram, streams, first, seeded):
    fast, slow, signal = streams
    for i in range(first, values.shape[0]):
        fast_ema, fast = _push(fast, i, values[i], seeded)
        slow_ema, slow = _push(slow, i, values[i], seeded)
        line[i] = fast_ema - slow_ema
        smoothed[i], signal = _push(signal, i, line[i], seeded)
        histogram[i] = line[i] - smoothed[i]
        if not seeded and _seeded(fast) and _seeded(slow) and _seeded(signal):
            return i + 1, (fast, slow, signal)
    return values.shape[0], (fast, slow, signal)


@_compiled
def macd(values, fast, slow, signal):
    """MACD line ema(fast) − ema(slow), its signal line ema(line, signal) and the histogram line − signal."""
    size = values.shape[0]
    line, smoothed, histogram = np.empty(size), np.empty(size), np.empty(size)
    streams = (
        _stream(size, fast, 2.0 / (fast + 1)),
        _stream(size, slow, 2.0 / (slow + 1)),
        _stream(size, signal, 2.0 / (signal + 1)),
    )
    start, streams = _macd_bars(values, line, smoothed, histogram, streams, 0, False)
    _macd_bars(values, line, smoothed, histogram, streams, start, True)
    return line, smoothed, histogram


@_compiled
def _balance(up, down):
    """``100 − 100 / (1 + up/down)``: 100 when nothing went down, missing when nothing moved."""
    if down == 0:
        return 100.0 if up != 0 and not math.isnan(up) else NAN
    ratio = up / down
    ratio += 1
    return 100.0 - 100.0 / ratio


@_compiled
def _rsi_bars(values, out, streams, first, seeded):
    gains, losses = streams
    for i in range(first, values.shape[0]):
        delta = values[i] - values[i - 1] if i > 0 else NAN
        gain = delta if math.isnan(delta) or delta > 0.0 else 0.0
        loss = -delta if math.isnan(delta) or -delta > 0.0 else 0.0
        up, gains = _push(gains, i, gain, seeded)
        down, losses = _push(losses, i, loss, seeded)
        out[i] = _balance(up, down)
        if not seeded and _seeded(gains) and _seeded(losses):
            return i + 1, (gains, losses)
    return values.shape[0], (gains, losses)


@_compiled
def rsi(values, n):
    """Relative Strength Index on Wilder's averages of gains and losses."""
    size = values.shape[0]
    out = np.empty(size)
    streams = (_stream(size, n, 1.0 / n), _stream(size, n, 1.0 / n))
    start, streams = _rsi_bars(values, out, streams, 0, False)
    _rsi_bars(values, out, streams, start, True)
    return out


@_compiled
def _divide(numerator, denominator):
    return numerator / denominator if denominator != 0 else NAN


@_compiled
def _directional_bars(high, low, close, plus, minus, adx, streams, first, seeded):
    ranges, rises, falls, spreads = streams
    for i in range(first, close.shape[0]):
        up = high[i] - high[i - 1] if i > 0 else NAN
        down = low[i - 1] - low[i] if i > 0 else NAN
        if math.isnan(up) or math.isnan(down):
            plus_dm = minus_dm = NAN
        else:
            plus_dm = up if up > down and up > 0 else 0.0
            minus_dm = down if down > up and down > 0 else 0.0
        average_range, ranges = _push(ranges, i, _true_range_at(high, low, close, i, False), seeded)
        rise, rises = _push(rises, i, plus_dm, seeded)
        fall, falls = _push(falls, i, minus_dm, seeded)
        plus[i] = 100 * _divide(rise, average_range)
        minus[i] = 100 * _divide(fall, average_range)
        total = plus[i] + minus[i]
        strength, spreads = _push(
            spreads, i, abs(plus[i] - minus[i]) / (1.0 if total == 0 else total), seeded
        )
        adx[i] = 100 * strength
        if not seeded and _seeded(ranges) and _seeded(rises) and _seeded(falls) and _seeded(spreads):
            return i + 1, (ranges, rises, falls, spreads)
    return close.shape[0], (ranges, rises, falls, spreads)


@_compiled
def directional(high, low, close, n):
    """+DI, −DI and ADX (see ``kernels.directional``)."""
    size = close.shape[0]
    plus, minus, adx = np.empty(size), np.empty(size), np.empty(size)
    alpha = 1.0 / n
    streams = (
        _stream(size, n, alpha),
        _stream(size, n, alpha),
        _stream(size, n, alpha),
        _stream(size, n, alpha),
    )
    start, streams = _directional_bars(high, low, close, plus, minus, adx, streams, 0, False)
    _directional_bars(high, low, close, plus, minus, adx, streams, start, True)
    return plus, minus, adx


@_compiled
def _supertrend_bars(high, low, close, factor, line, direction, state, first, seeded):
    stream, (prev_lower, prev_upper, prev_line, prev_has_atr) = state
    for i in range(first, close.shape[0]):
        average_range, stream = _push(stream, i, _true_range_at(high, low, close, i, True), seeded)
        if math.isnan(average_range):
            line[i] = direction[i] = NAN
            prev_has_atr = False
        else:
            hl2 = (high[i] + low[i]) / 2
            lower, upper = hl2 - factor * average_range, hl2 + factor * average_range
            if prev_has_atr:
                prev_close = close[i - 1]
                if not (lower > prev_lower or prev_close < prev_lower):
                    lower = prev_lower
                if not (upper < prev_upper or prev_close > prev_upper):
                    upper = prev_upper
                if prev_line == prev_upper:
                    pine_dir = -1 if close[i] > upper else 1
                else:
                    pine_dir = 1 if close[i] < lower else -1
            else:
                pine_dir = 1
            current = lower if pine_dir == -1 else upper
            line[i] = current
            direction[i] = -pine_dir
            prev_lower, prev_upper, prev_line, prev_has_atr = lower, upper, current, True
        if not seeded and _seeded(stream):
            return i + 1, (stream, (prev_lower, prev_upper, prev_line, prev_has_atr))
    return close.shape[0], (stream, (prev_lower, prev_upper, prev_line, prev_has_atr))


@_compiled
def supertrend(high, low, close, n, factor):
    """SuperTrend line and direction (1 = up, −1 = down), following Pine ``ta.supertrend(factor, n)``.

    Bars without an ATR are missing. The lower band only rises (the upper only falls) unless the previous
    close broke through it. Pine's direction is −1 for up; it is negated here.
    """
    size = close.shape[0]
    line, direction = np.empty(size), np.empty(size)
    state = (_stream(size, n, 1.0 / n), (NAN, NAN, NAN, False))
    start, state = _supertrend_bars(high, low, close, factor, line, direction, state, 0, False)
    _supertrend_bars(high, low, close, factor, line, direction, state, start, True)
    return line, direction


@_compiled
def _lowest(a, b):
    """Python's ``min(a, b)``: ``b`` only when it compares lower (so a NaN first argument is kept)."""
    return b if b < a else a


@_compiled
def _highest(a, b):
    """Python's ``max(a, b)``."""
    return b if b > a else a


@_compiled
def parabolic_sar(high, low, close, start, increment, maximum):
    """Parabolic SAR following Pine ``ta.sar``: the first trend is up when close[1] > close[0]."""
    size = close.shape[0]
    out = np.full(size, NAN)
    if size < 2:
        return out
    if close[1] > close[0]:
        below, extreme, result = True, high[1], low[0]
    else:
        below, extreme, result = False, low[1], high[0]
    acceleration = start
    for i in range(1, size):
        first_trend_bar = i == 1
        result += acceleration * (extreme - result)
        if below and result > low[i]:
            first_trend_bar, below = True, False
            result, extreme, acceleration = _highest(high[i], extreme), low[i], start
        elif not below and result < high[i]:
            first_trend_bar, below = True, True
            result, extreme, acceleration = _lowest(low[i], extreme), high[i], start
        if not first_trend_bar:
            if below and high[i] > extreme:
                extreme, acceleration = high[i], _lowest(acceleration + increment, maximum)
            elif not below and low[i] < extreme:
                extreme, acceleration = low[i], _lowest(acceleration + increment, maximum)
        if below:
            result = _lowest(result, low[i - 1])
            if i > 1:
                result = _lowest(result, low[i - 2])
        else:
            result = _highest(result, high[i - 1])
            if i > 1:
                result = _highest(result, high[i - 2])
        out[i] = result
    return out


@_compiled
def cci(typical, mean, n):
    """``(tp − mean) / (0.015 · mean deviation)`` over n bars (Pine ``ta.cci``; ``mean`` is the n-bar SMA of tp).

    The deviation of each bar still sums its window oldest first, as before, but bars are processed in
    blocks, lag by lag, so the sums of a block's bars run side by side (SIMD) instead of one after another.
    """
    size = typical.shape[0]
    out = np.full(size, NAN)
    block = 256
    totals = np.empty(block)
    for first in range(n - 1, size, block):
        count = min(block, size - first)
        totals[:count] = 0.0
        centre = mean[first:]
        for lag in range(n):
            window = typical[first - n + 1 + lag :]  # views indexed from 0, so no negative-index handling
            for k in range(count):
                totals[k] += abs(window[k] - centre[k])
        for k in range(count):
            i = first + k
            scale = 0.015 * (totals[k] / n)
            out[i] = (typical[i] - mean[i]) / scale if scale != 0 else NAN
    return out


@_compiled
def session_vwap(typical, volume, session):
    """Running Σ(tp·volume) / Σ(volume) since the start of each run of equal ``session`` values.

    A missing product or volume is skipped by its running sum (and is missing on its bar), as Polars'
    ``cum_sum`` does; the ratio is missing where the volume so far is zero.
    """
    size = typical.shape[0]
    out = np.empty(size)
    weighted = traded = 0.0
    for i in range(size):
        if i == 0 or session[i] != session[i - 1]:
            weighted = traded = 0.0
        flow = typical[i] * volume[i]
        if not math.isnan(flow):
            weighted += flow
        if not math.isnan(volume[i]):
            traded += volume[i]
        if math.isnan(flow) or math.isnan(volume[i]) or traded == 0:
            out[i] = NAN
        else:
            out[i] = weighted / traded
    return out


@_compiled
def percentile_ranks(values, order, count):
    """Average rank / count of each value, given ``order`` (an argsort) whose first ``count`` are present."""
    out = np.full(values.shape[0], NAN)
    scale = 1.0 / count  # Polars divides a column by a number this way; kept so results stay bit-identical
    start = 0
    while start < count:
        value = values[order[start]]
        end = start + 1
        while end < count and values[order[end]] == value:
            end += 1
        rank = ((start + 1 + end) / 2) * scale
        for k in range(start, end):
            out[order[k]] = rank
        start = end
    return out
