"""Whole-column kernels for indicators whose intermediates are reused or recursive.

Each kernel takes float arrays where NaN marks a missing value and returns arrays in the same convention. Inside a
kernel every intermediate is computed exactly once (a Polars expression tree would repeat a shared sub-expression
once per use: ADX uses each DI twice, each DI two Wilder averages, …). Rolling and exponential steps use Polars'
Series methods; the two branching recursions (Parabolic SAR, SuperTrend bands) are plain Python loops over lists,
about 1 µs per bar, kept deliberately simple so they can be checked line by line against TradingView Pine's
published algorithms.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl

NAN = np.nan


def to_series(values: np.ndarray) -> pl.Series:
    return pl.Series(values, dtype=pl.Float64, nan_to_null=True)


def to_array(series: pl.Series) -> np.ndarray:
    return series.cast(pl.Float64).fill_null(NAN).to_numpy()


def divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """``numerator / denominator`` with NaN (missing) where the denominator is zero."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator != 0, numerator / denominator, NAN)


def shift(values: np.ndarray, n: int = 1) -> np.ndarray:
    """Values n bars earlier; NaN on the first n bars."""
    out = np.empty(len(values))
    out[:n] = NAN
    if n < len(values):
        out[n:] = values[: len(values) - n]
    return out


def change(values: np.ndarray) -> np.ndarray:
    """Difference from the previous value; NaN on the first bar."""
    return np.diff(values, prepend=NAN)


def rolling_max(values: np.ndarray, n: int) -> np.ndarray:
    return to_array(to_series(values).rolling_max(n))


def rolling_min(values: np.ndarray, n: int) -> np.ndarray:
    return to_array(to_series(values).rolling_min(n))


def rolling_mean(values: np.ndarray, n: int) -> np.ndarray:
    return to_array(to_series(values).rolling_mean(n))


def rolling_sum(values: np.ndarray, n: int) -> np.ndarray:
    return to_array(to_series(values).rolling_sum(n))


def _nth_present(values: np.ndarray, n: int) -> int | None:
    """Index of the n-th non-NaN value, scanning only as far as needed (usually the first n values)."""
    seen, offset, width = 0, 0, max(2 * n, 256)
    while offset < len(values):
        present = np.flatnonzero(~np.isnan(values[offset : offset + width]))
        if seen + len(present) >= n:
            return offset + int(present[n - seen - 1])
        seen, offset, width = seen + len(present), offset + width, width * 2
    return None


def seeded_ewm(values: np.ndarray, n: int, alpha: float) -> np.ndarray:
    """``y = α·x + (1 − α)·y_prev`` seeded with the mean of the first n present values (TradingView Pine).

    Missing before the seed; a missing input later stays missing and is skipped by the recursion.
    """
    start = _nth_present(values, n)
    if start is None:
        return np.full(len(values), NAN)
    seeded = values.copy()
    seeded[:start] = NAN
    seeded[start] = np.nansum(values[: start + 1]) / n
    return to_array(to_series(seeded).ewm_mean(alpha=alpha, adjust=False, ignore_nulls=True))


def ema(values: np.ndarray, n: int) -> np.ndarray:
    """Exponential moving average, α = 2/(n+1), SMA-seeded (Pine ``ta.ema``)."""
    return seeded_ewm(values, n, 2.0 / (n + 1))


def rma(values: np.ndarray, n: int) -> np.ndarray:
    """Wilder's moving average, α = 1/n, SMA-seeded (Pine ``ta.rma``)."""
    return seeded_ewm(values, n, 1.0 / n)


def true_range(
    high: np.ndarray, low: np.ndarray, close: np.ndarray, first_bar_range: bool = True
) -> np.ndarray:
    """``max(high − low, |high − prev close|, |low − prev close|)``.

    With ``first_bar_range`` a bar without a previous close is ``high − low`` (Pine ``ta.tr(true)``); otherwise
    it is missing (``ta.tr(false)``, used by the DMI).
    """
    prev_close = shift(close)
    gaps = np.fmax(np.abs(high - prev_close), np.abs(low - prev_close))
    if first_bar_range:
        return np.fmax(high - low, gaps)
    return np.where(np.isnan(prev_close), NAN, np.maximum(high - low, gaps))


def balance(up: np.ndarray, down: np.ndarray) -> np.ndarray:
    """``100 − 100 / (1 + up/down)``: 100 when nothing went down, missing when nothing moved."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.divide(up, down)
        out += 1
        np.divide(100.0, out, out=out)
        np.subtract(100.0, out, out=out)
    flat = down == 0
    moved = up[flat]
    out[flat] = np.where((moved != 0) & ~np.isnan(moved), 100.0, NAN)
    return out


def rsi(values: np.ndarray, n: int) -> np.ndarray:
    """Relative Strength Index on Wilder's averages of gains and losses (Pine ``ta.rsi``)."""
    delta = change(values)
    gains = np.maximum(delta, 0.0)  # NaN stays NaN
    np.negative(delta, out=delta)
    np.maximum(delta, 0.0, out=delta)
    return balance(rma(gains, n), rma(delta, n))


def money_flow_index(
    high: np.ndarray, low: np.ndarray, close: np.ndarray, volume: np.ndarray, n: int
) -> np.ndarray:
    """Money Flow Index (Pine ``ta.mfi`` on hlc3): up money flow over all money flow across n bars."""
    typical = (high + low + close) / 3
    move = change(typical)
    flow = typical * volume
    unknown = np.isnan(move)
    up = np.where(move > 0, flow, 0.0)
    up[unknown] = NAN
    flow[move >= 0] = 0.0
    flow[unknown] = NAN
    return balance(rolling_sum(up, n), rolling_sum(flow, n))


def stochastic(high: np.ndarray, low: np.ndarray, close: np.ndarray, n: int, smooth: int) -> np.ndarray:
    """Stochastic %K over n bars, averaged over ``smooth`` bars."""
    lowest = rolling_min(low, n)
    raw = 100 * divide(close - lowest, rolling_max(high, n) - lowest)
    return raw if smooth == 1 else rolling_mean(raw, smooth)


def williams_r(high: np.ndarray, low: np.ndarray, close: np.ndarray, n: int) -> np.ndarray:
    """Williams %R, −100 … 0."""
    highest = rolling_max(high, n)
    return -100 * divide(highest - close, highest - rolling_min(low, n))


def rolling_mean_deviation(values: np.ndarray, mean: np.ndarray, n: int) -> np.ndarray:
    """Mean absolute deviation of the last n values from their window mean (Pine ``ta.dev``)."""
    size = len(values)
    out = np.full(size, NAN)
    if size < n:
        return out
    centre = mean[n - 1 :]
    total = np.zeros(size - n + 1)
    for lag in range(n):
        total += np.abs(values[lag : size - n + 1 + lag] - centre)
    out[n - 1 :] = total / n
    return out


def cci(high: np.ndarray, low: np.ndarray, close: np.ndarray, n: int) -> np.ndarray:
    """Commodity Channel Index of the typical price."""
    typical = (high + low + close) / 3
    mean = rolling_mean(typical, n)
    return divide(typical - mean, 0.015 * rolling_mean_deviation(typical, mean, n))


def macd_line(values: np.ndarray, fast: int, slow: int) -> np.ndarray:
    """ema(x, fast) − ema(x, slow)."""
    return ema(values, fast) - ema(values, slow)


def macd(values: np.ndarray, fast: int, slow: int, signal: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """MACD line, signal line and histogram."""
    line = macd_line(values, fast, slow)
    smoothed = ema(line, signal)
    return line, smoothed, line - smoothed


def directional(
    high: np.ndarray, low: np.ndarray, close: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """+DI, −DI and ADX (Pine ``ta.dmi(n, n)``); the first bar has no movement, so DI starts on bar n."""
    up = high - shift(high)
    down = shift(low) - low
    missing = np.isnan(up) | np.isnan(down)
    plus_dm = np.where(missing, NAN, np.where((up > down) & (up > 0), up, 0.0))
    minus_dm = np.where(missing, NAN, np.where((down > up) & (down > 0), down, 0.0))
    average_range = rma(true_range(high, low, close, first_bar_range=False), n)
    plus = 100 * divide(rma(plus_dm, n), average_range)
    minus = 100 * divide(rma(minus_dm, n), average_range)
    total = plus + minus
    spread = np.abs(plus - minus) / np.where(total == 0, 1.0, total)
    return plus, minus, 100 * rma(spread, n)


def keltner(
    high: np.ndarray, low: np.ndarray, close: np.ndarray, n: int, mult: float
) -> tuple[np.ndarray, np.ndarray]:
    """Keltner middle line ema(close, n) and half-width mult · ema(true range, n) (Pine ``ta.kc``)."""
    return ema(close, n), mult * ema(true_range(high, low, close), n)


def bollinger(values: np.ndarray, n: int, mult: float) -> tuple[np.ndarray, np.ndarray]:
    """Bollinger middle sma(x, n) and half-width mult · population standard deviation (Pine ``ta.bb``)."""
    series = to_series(values)
    return to_array(series.rolling_mean(n)), mult * to_array(series.rolling_std(n, ddof=0))


def supertrend(
    high: np.ndarray, low: np.ndarray, close: np.ndarray, n: int, factor: float
) -> tuple[np.ndarray, np.ndarray]:
    """SuperTrend line and direction (1 = up, −1 = down), following Pine ``ta.supertrend(factor, n)``.

    Bars without an ATR are missing. The lower band only rises (the upper only falls) unless the previous close
    broke through it. Pine's direction is −1 for up; it is negated here.
    """
    atr = rma(true_range(high, low, close), n)
    hl2 = (high + low) / 2
    size = len(close)
    line = np.full(size, NAN)
    direction = np.full(size, NAN)
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
    """Parabolic SAR following Pine ``ta.sar``: the first trend is up when close[1] > close[0]; missing on bar 0."""
    size = len(close)
    out = np.full(size, NAN)
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
