"""Compiled loops behind ``shared.script.kernels``: the recursions NumPy cannot vectorize, one pass each.

Wilder/EMA averages, SuperTrend bands and Parabolic SAR are sequential (each bar needs the previous bar's
result), so as Python loops they cost about a second per million bars. Here they are compiled with numba and
cached on disk (``__pycache__`` beside this file; numba falls back to the user's cache folder when that is not
writable, and to compiling once per process when neither is). ``kernels`` imports this module on first use, so
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


def _compiled(fn, inline="never"):
    """``fn`` compiled in nopython mode, cached on disk where a cache folder is writable."""
    try:
        return njit(cache=True, error_model="numpy", inline=inline)(fn)
    except RuntimeError:  # no writable cache folder anywhere: compile in each process instead
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NumbaWarning)
            return njit(error_model="numpy", inline=inline)(fn)


def _inlined(fn):
    """A small per-bar step, inlined into each loop that calls it (keeps the loop's state in registers)."""
    return _compiled(fn, inline="always")


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


@_inlined
def _push(average, seen, buffer, i, x, n, alpha):
    """Feed bar i's value x to a seeded average; returns (its value after bar i, average, seen).

    ``average`` and ``seen`` (present values so far) are the running state, kept by the caller in locals so the
    recursion stays in registers; ``buffer`` holds the values up to the seed (``np.empty(size)``: only the
    pages written, usually the first, are ever touched). The value is NaN while unseeded or when x is missing.
    The seed is the mean of the first n present values, summed like ``np.nansum(values[: i + 1])``; then
    ``y += α·(x − y)`` on each present value (Polars' ``ewm_mean(adjust=False)`` update).
    """
    if seen >= n:
        if math.isnan(x):
            return NAN, average, seen
        average += alpha * (x - average)
        return average, average, seen
    if math.isnan(x):
        buffer[i] = 0.0
        return NAN, average, seen
    buffer[i] = x
    seen += 1
    if seen < n:
        return NAN, average, seen
    average = _pairwise_sum(buffer, 0, i + 1) / n
    return average, average, seen


@_compiled
def seeded_ewm(values, n, alpha):
    """``y += α·(x − y)`` seeded with the mean of the first n present values.

    Missing before the seed; a missing value later stays missing and is skipped by the recursion.
    """
    size = values.shape[0]
    out = np.full(size, NAN)
    average, seen, buffer = 0.0, 0, np.empty(size)
    start = size
    for i in range(size):  # up to the seed
        out[i], average, seen = _push(average, seen, buffer, i, values[i], n, alpha)
        if seen == n:
            start = i + 1
            break
    for i in range(start, size):  # then the bare recursion, which runs about a third faster
        x = values[i]
        if not math.isnan(x):
            average += alpha * (x - average)
            out[i] = average
    return out


@_inlined
def _fmax(a, b):
    """``np.fmax``: the larger value, ignoring one NaN."""
    if math.isnan(a):
        return b
    if math.isnan(b):
        return a
    return a if a >= b else b


@_inlined
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
def atr(high, low, close, n):
    """Wilder's average of the true range (Pine ``ta.atr``)."""
    size = close.shape[0]
    out = np.empty(size)
    average, seen, buffer = 0.0, 0, np.empty(size)
    for i in range(size):
        true_range = _true_range_at(high, low, close, i, True)
        out[i], average, seen = _push(average, seen, buffer, i, true_range, n, 1.0 / n)
    return out


@_compiled
def keltner(high, low, close, n, mult):
    """Keltner middle line ema(close, n) and half-width mult · ema(true range, n)."""
    size = close.shape[0]
    middle, width = np.empty(size), np.empty(size)
    middle_average, middle_seen, middle_buffer = 0.0, 0, np.empty(size)
    range_average, range_seen, range_buffer = 0.0, 0, np.empty(size)
    alpha = 2.0 / (n + 1)
    for i in range(size):
        middle[i], middle_average, middle_seen = _push(
            middle_average, middle_seen, middle_buffer, i, close[i], n, alpha
        )
        true_range = _true_range_at(high, low, close, i, True)
        average_range, range_average, range_seen = _push(
            range_average, range_seen, range_buffer, i, true_range, n, alpha
        )
        width[i] = mult * average_range
    return middle, width


@_compiled
def macd(values, fast, slow, signal):
    """MACD line ema(fast) − ema(slow), its signal line ema(line, signal) and the histogram line − signal."""
    size = values.shape[0]
    line, smoothed, histogram = np.empty(size), np.empty(size), np.empty(size)
    fast_average, fast_seen, fast_buffer = 0.0, 0, np.empty(size)
    slow_average, slow_seen, slow_buffer = 0.0, 0, np.empty(size)
    signal_average, signal_seen, signal_buffer = 0.0, 0, np.empty(size)
    for i in range(size):
        fast_ema, fast_average, fast_seen = _push(
            fast_average, fast_seen, fast_buffer, i, values[i], fast, 2.0 / (fast + 1)
        )
        slow_ema, slow_average, slow_seen = _push(
            slow_average, slow_seen, slow_buffer, i, values[i], slow, 2.0 / (slow + 1)
        )
        line[i] = fast_ema - slow_ema
        smoothed[i], signal_average, signal_seen = _push(
            signal_average, signal_seen, signal_buffer, i, line[i], signal, 2.0 / (signal + 1)
        )
        histogram[i] = line[i] - smoothed[i]
    return line, smoothed, histogram


@_inlined
def _balance(up, down):
    """``100 − 100 / (1 + up/down)``: 100 when nothing went down, missing when nothing moved."""
    if down == 0:
        return 100.0 if up != 0 and not math.isnan(up) else NAN
    ratio = up / down
    ratio += 1
    return 100.0 - 100.0 / ratio


@_compiled
def rsi(values, n):
    """Relative Strength Index on Wilder's averages of gains and losses."""
    size = values.shape[0]
    out = np.empty(size)
    gain_average, gain_seen, gain_buffer = 0.0, 0, np.empty(size)
    loss_average, loss_seen, loss_buffer = 0.0, 0, np.empty(size)
    for i in range(size):
        delta = values[i] - values[i - 1] if i > 0 else NAN
        gain = delta if math.isnan(delta) or delta > 0.0 else 0.0
        loss = -delta if math.isnan(delta) or -delta > 0.0 else 0.0
        up, gain_average, gain_seen = _push(gain_average, gain_seen, gain_buffer, i, gain, n, 1.0 / n)
        down, loss_average, loss_seen = _push(loss_average, loss_seen, loss_buffer, i, loss, n, 1.0 / n)
        out[i] = _balance(up, down)
    return out


@_inlined
def _divide(numerator, denominator):
    return numerator / denominator if denominator != 0 else NAN


@_compiled
def directional(high, low, close, n):
    """+DI, −DI and ADX (see ``kernels.directional``)."""
    size = close.shape[0]
    alpha = 1.0 / n
    plus, minus, adx = np.empty(size), np.empty(size), np.empty(size)
    range_average, range_seen, range_buffer = 0.0, 0, np.empty(size)
    plus_average, plus_seen, plus_buffer = 0.0, 0, np.empty(size)
    minus_average, minus_seen, minus_buffer = 0.0, 0, np.empty(size)
    adx_average, adx_seen, adx_buffer = 0.0, 0, np.empty(size)
    for i in range(size):
        up = high[i] - high[i - 1] if i > 0 else NAN
        down = low[i - 1] - low[i] if i > 0 else NAN
        if math.isnan(up) or math.isnan(down):
            plus_dm = minus_dm = NAN
        else:
            plus_dm = up if up > down and up > 0 else 0.0
            minus_dm = down if down > up and down > 0 else 0.0
        true_range = _true_range_at(high, low, close, i, False)
        average_range, range_average, range_seen = _push(
            range_average, range_seen, range_buffer, i, true_range, n, alpha
        )
        plus_move, plus_average, plus_seen = _push(plus_average, plus_seen, plus_buffer, i, plus_dm, n, alpha)
        minus_move, minus_average, minus_seen = _push(
            minus_average, minus_seen, minus_buffer, i, minus_dm, n, alpha
        )
        plus[i] = 100 * _divide(plus_move, average_range)
        minus[i] = 100 * _divide(minus_move, average_range)
        total = plus[i] + minus[i]
        spread = abs(plus[i] - minus[i]) / (1.0 if total == 0 else total)
        strength, adx_average, adx_seen = _push(adx_average, adx_seen, adx_buffer, i, spread, n, alpha)
        adx[i] = 100 * strength
    return plus, minus, adx


@_compiled
def supertrend(high, low, close, n, factor):
    """SuperTrend line and direction (1 = up, −1 = down), following Pine ``ta.supertrend(factor, n)``."""
    size = close.shape[0]
    line, direction = np.empty(size), np.empty(size)
    average, seen, buffer = 0.0, 0, np.empty(size)
    prev_lower = prev_upper = prev_line = NAN
    prev_has_atr = False
    for i in range(size):
        true_range = _true_range_at(high, low, close, i, True)
        average_range, average, seen = _push(average, seen, buffer, i, true_range, n, 1.0 / n)
        if math.isnan(average_range):
            line[i] = direction[i] = NAN
            prev_has_atr = False
            continue
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
    return line, direction


@_inlined
def _lowest(a, b):
    """Python's ``min(a, b)``: ``b`` only when it compares lower (so a NaN first argument is kept)."""
    return b if b < a else a


@_inlined
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
