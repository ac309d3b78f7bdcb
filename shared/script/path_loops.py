"""Compiled loops that follow the price path bar by bar: SuperTrend and Parabolic SAR trails, CCI's mean
deviation, session VWAP and percentile ranks.

Compiled and cached like :mod:`shared.script.loops` (whose seeded averages SuperTrend's ATR uses), with the
same rule: each loop repeats the floating-point operations of the code it replaced, in the same order, so the
results are bit-for-bit the same.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from shared.script.loops import NAN, Array, Stream, compiled, is_seeded, new_stream, push, true_range_at

SupertrendState = tuple[Stream, tuple[float, float, float, bool]]
"""The ATR's stream and the previous bar's (lower band, upper band, line, whether it had an ATR)."""


@compiled
def _supertrend_bars(
    high: Array,
    low: Array,
    close: Array,
    factor: float,
    line: Array,
    direction: Array,
    state: SupertrendState,
    first: int,
    seeded: bool,
) -> tuple[int, SupertrendState]:
    stream, (prev_lower, prev_upper, prev_line, prev_has_atr) = state
    for i in range(first, close.shape[0]):
        average_range, stream = push(stream, i, true_range_at(high, low, close, i, True), seeded)
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
        if not seeded and is_seeded(stream):
            return i + 1, (stream, (prev_lower, prev_upper, prev_line, prev_has_atr))
    return close.shape[0], (stream, (prev_lower, prev_upper, prev_line, prev_has_atr))


@compiled
def supertrend(high: Array, low: Array, close: Array, n: int, factor: float) -> tuple[Array, Array]:
    """SuperTrend line and direction (1 = up, −1 = down), following Pine ``ta.supertrend(factor, n)``.

    Bars without an ATR are missing. The lower band only rises (the upper only falls) unless the previous
    close broke through it. Pine's direction is −1 for up; it is negated here.
    """
    size = close.shape[0]
    line, direction = np.empty(size), np.empty(size)
    state = (new_stream(size, n, 1.0 / n), (NAN, NAN, NAN, False))
    start, state = _supertrend_bars(high, low, close, factor, line, direction, state, 0, False)
    _supertrend_bars(high, low, close, factor, line, direction, state, start, True)
    return line, direction


@compiled
def _lowest(a: float, b: float) -> float:
    """Python's ``min(a, b)``: ``b`` only when it compares lower (so a NaN first argument is kept)."""
    return b if b < a else a


@compiled
def _highest(a: float, b: float) -> float:
    """Python's ``max(a, b)``."""
    return b if b > a else a


@compiled
def parabolic_sar(
    high: Array, low: Array, close: Array, start: float, increment: float, maximum: float
) -> Array:
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


@compiled
def cci(typical: Array, mean: Array, n: int) -> Array:
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


@compiled
def session_vwap(typical: Array, volume: Array, session: npt.NDArray[Any]) -> Array:
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


@compiled
def percentile_ranks(values: Array, order: npt.NDArray[np.intp], count: int) -> Array:
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
