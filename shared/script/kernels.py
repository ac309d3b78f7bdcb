"""NumPy kernels for the few indicators that Polars expressions cannot express.

Two are recursions whose state depends on its own previous value in a branching way (Parabolic SAR and the
SuperTrend bands): they run a plain Python loop over lists, about 1 µs per bar (≈ 1 s per million bars), kept
deliberately simple so they can be checked line by line against TradingView Pine's published algorithms. The
mean absolute deviation (CCI) is vectorised over sliding windows, chunked to bound memory.

Inputs are float arrays where NaN marks a missing value; outputs use NaN the same way.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

_CHUNK_ELEMENTS = 4_000_000


def rolling_mean_deviation(values: np.ndarray, n: int) -> np.ndarray:
    """Mean absolute deviation from the window mean over the last n values (Pine ``ta.dev``)."""
    out = np.full(len(values), np.nan)
    if len(values) < n:
        return out
    windows = sliding_window_view(values, n)
    rows = max(1, _CHUNK_ELEMENTS // n)
    for start in range(0, len(windows), rows):
        block = windows[start : start + rows]
        centre = block.mean(axis=1, keepdims=True)
        out[start + n - 1 : start + n - 1 + len(block)] = np.abs(block - centre).mean(axis=1)
    return out


def supertrend(
    hl2: np.ndarray, atr: np.ndarray, close: np.ndarray, factor: float
) -> tuple[np.ndarray, np.ndarray]:
    """SuperTrend line and direction (1 = up, −1 = down), following Pine ``ta.supertrend``.

    Bars without an ATR are NaN. The band ratchets: the lower band only rises (the upper only falls) unless the
    previous close broke through it. Pine's direction is −1 for up; it is negated here.
    """
    size = len(close)
    line = np.full(size, np.nan)
    direction = np.full(size, np.nan)
    lower_basic = (hl2 - factor * atr).tolist()
    upper_basic = (hl2 + factor * atr).tolist()
    closes = close.tolist()
    has_atr = (~np.isnan(atr)).tolist()
    prev_lower = prev_upper = prev_line = math.nan
    for i in range(size):
        if not has_atr[i]:
            continue
        lower, upper = lower_basic[i], upper_basic[i]
        if i > 0 and has_atr[i - 1]:
            prev_close = closes[i - 1]
            if not (lower > prev_lower or prev_close < prev_lower):
                lower = prev_lower
            if not (upper < prev_upper or prev_close > prev_upper):
                upper = prev_upper
            if prev_line == prev_upper:
                pine_dir = -1 if closes[i] > upper else 1
            else:
                pine_dir = 1 if closes[i] < lower else -1
        else:
            pine_dir = 1
        current = lower if pine_dir == -1 else upper
        line[i] = current
        direction[i] = -pine_dir
        prev_lower, prev_upper, prev_line = lower, upper, current
    return line, direction


def parabolic_sar(
    high: np.ndarray, low: np.ndarray, close: np.ndarray, start: float, increment: float, maximum: float
) -> np.ndarray:
    """Parabolic SAR following Pine ``ta.sar``: the first trend is up when close[1] > close[0]; NaN on bar 0."""
    size = len(close)
    out = np.full(size, np.nan)
    if size < 2:
        return out
    highs, lows = high.tolist(), low.tolist()
    if close[1] > close[0]:
        below, extreme, result = True, highs[1], lows[0]
    else:
        below, extreme, result = False, lows[1], highs[0]
    acceleration = start
    for i in range(1, size):
        first_trend_bar = i == 1
        result += acceleration * (extreme - result)
        if below and result > lows[i]:
            first_trend_bar, below = True, False
            result, extreme, acceleration = max(highs[i], extreme), lows[i], start
        elif not below and result < highs[i]:
            first_trend_bar, below = True, True
            result, extreme, acceleration = min(lows[i], extreme), highs[i], start
        if not first_trend_bar:
            if below and highs[i] > extreme:
                extreme, acceleration = highs[i], min(acceleration + increment, maximum)
            elif not below and lows[i] < extreme:
                extreme, acceleration = lows[i], min(acceleration + increment, maximum)
        if below:
            result = min(result, lows[i - 1], lows[i - 2]) if i > 1 else min(result, lows[i - 1])
        else:
            result = max(result, highs[i - 1], highs[i - 2]) if i > 1 else max(result, highs[i - 1])
        out[i] = result
    return out
