"""Whole-column kernels for indicators whose intermediates are reused or recursive.

Each kernel takes float arrays where NaN marks a missing value and returns arrays in the same convention. Inside a
kernel every intermediate is computed exactly once (a Polars expression tree would repeat a shared sub-expression
once per use: ADX uses each DI twice, each DI two Wilder averages, …). Rolling windows use Polars' Series
methods. The recursions (Wilder/EMA averages, Parabolic SAR, SuperTrend bands), the indicators built on them, and
CCI's deviation, session VWAP and ranks run as compiled loops in :mod:`shared.script.loops` and :mod:`shared.script.path_loops`, imported on first use:
numba's import and loading the cached loops cost about a second per process (compiling them, the first time on a
machine, several seconds), which a query that uses none of them should not pay. :func:`warm_up` pays it up front.
"""

from __future__ import annotations

import numpy as np
import polars as pl

NAN = np.nan


def to_series(values: np.ndarray) -> pl.Series:
    return pl.Series(values, dtype=pl.Float64, nan_to_null=True)


def to_array(series: pl.Series) -> np.ndarray:
    return series.cast(pl.Float64).fill_null(NAN).to_numpy()


def _readonly(values: np.ndarray) -> np.ndarray:
    """A read-only view of a float array for a compiled loop.

    numba compiles (and caches) one version per argument type, and Polars hands over writable or read-only
    arrays depending on how a column was made: passing every float array read-only keeps it to one version.
    """
    if values.dtype == np.float64 and values.flags.writeable:
        values = values.view()
        values.flags.writeable = False
    return values


def divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """``numerator / denominator`` with NaN (missing) where the denominator is zero."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator != 0, numerator / denominator, NAN)


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


def seeded_ewm(values: np.ndarray, n: int, alpha: float) -> np.ndarray:
    """``y = α·x + (1 − α)·y_prev`` seeded with the mean of the first n present values (TradingView Pine).

    Missing before the seed; a missing input later stays missing and is skipped by the recursion.
    """
    from shared.script.loops import seeded_ewm

    return seeded_ewm(_readonly(values), n, float(alpha))


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
    from shared.script.loops import true_range

    return true_range(_readonly(high), _readonly(low), _readonly(close), first_bar_range)


def atr(high: np.ndarray, low: np.ndarray, close: np.ndarray, n: int) -> np.ndarray:
    """Average true range: Wilder's average of the true range (Pine ``ta.atr``), in one pass."""
    from shared.script.loops import atr

    return atr(_readonly(high), _readonly(low), _readonly(close), n)


def session_vwap(typical: np.ndarray, volume: np.ndarray, session: np.ndarray) -> np.ndarray:
    """Volume-weighted average of ``typical`` since the start of each session (a run of equal ``session``)."""
    from shared.script.path_loops import session_vwap

    return session_vwap(_readonly(typical), _readonly(volume), session)


def percentile_rank(values: np.ndarray) -> np.ndarray:
    """Rank of each value among the present ones (ties get their average rank) / their count, in (0, 1].

    ``values`` is a float array with NaN for missing, or an integer array. One sort (NumPy's, far faster than
    a rank by comparison of tuples), then one pass over the sorted order.
    """
    order = np.argsort(values)  # NaN sorts last
    count = len(values) - int(np.isnan(values).sum()) if values.dtype.kind == "f" else len(values)
    from shared.script.path_loops import percentile_ranks

    return percentile_ranks(_readonly(values), order, count)


def balance(up: np.ndarray, down: np.ndarray) -> np.ndarray:
    """``100 − 100 / (1 + up/down)``: 100 when nothing went down, missing when nothing moved."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out: np.ndarray = np.divide(up, down)
        out += 1
        np.divide(100.0, out, out=out)
        np.subtract(100.0, out, out=out)
    flat = down == 0
    moved = up[flat]
    out[flat] = np.where((moved != 0) & ~np.isnan(moved), 100.0, NAN)
    return out


def rsi(values: np.ndarray, n: int) -> np.ndarray:
    """Relative Strength Index on Wilder's averages of gains and losses (Pine ``ta.rsi``)."""
    from shared.script.loops import rsi

    return rsi(_readonly(values), n)


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


def cci(high: np.ndarray, low: np.ndarray, close: np.ndarray, n: int) -> np.ndarray:
    """Commodity Channel Index of the typical price: (tp − sma) / (0.015 · mean absolute deviation)."""
    typical = (high + low + close) / 3
    from shared.script.path_loops import cci

    return cci(_readonly(typical), _readonly(rolling_mean(typical, n)), n)


def macd_line(values: np.ndarray, fast: int, slow: int) -> np.ndarray:
    """ema(x, fast) − ema(x, slow)."""
    return macd(values, fast, slow, 1)[0]


def macd(values: np.ndarray, fast: int, slow: int, signal: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """MACD line, signal line ema(line, signal) and histogram line − signal, in one pass."""
    from shared.script.loops import macd

    return macd(_readonly(values), fast, slow, signal)


def directional(
    high: np.ndarray, low: np.ndarray, close: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """+DI, −DI and ADX (Pine ``ta.dmi(n, n)``); the first bar has no movement, so DI starts on bar n.

    Directional movement: the rise of the high (+DM) or the fall of the low (−DM), whichever is larger and
    positive, else 0. DI is 100 · rma(DM) / rma(true range without a first-bar value); ADX is
    100 · rma(|+DI − −DI| / (+DI + −DI)).
    """
    from shared.script.loops import directional

    return directional(_readonly(high), _readonly(low), _readonly(close), n)


def keltner(
    high: np.ndarray, low: np.ndarray, close: np.ndarray, n: int, mult: float
) -> tuple[np.ndarray, np.ndarray]:
    """Keltner middle line ema(close, n) and half-width mult · ema(true range, n) (Pine ``ta.kc``)."""
    from shared.script.loops import keltner

    return keltner(_readonly(high), _readonly(low), _readonly(close), n, float(mult))


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
    from shared.script.path_loops import supertrend

    return supertrend(_readonly(high), _readonly(low), _readonly(close), n, float(factor))


def parabolic_sar(
    high: np.ndarray, low: np.ndarray, close: np.ndarray, start: float, increment: float, maximum: float
) -> np.ndarray:
    """Parabolic SAR following Pine ``ta.sar``: the first trend is up when close[1] > close[0]; missing on bar 0."""
    from shared.script.path_loops import parabolic_sar

    return parabolic_sar(
        _readonly(high), _readonly(low), _readonly(close), float(start), float(increment), float(maximum)
    )


def warm_up() -> None:
    """Load (or, the first time, compile) every compiled loop for the arrays queries pass them.

    A long-running server can call this at start so its first indicator query does not pay numba's import and
    cache load (about a second; several seconds when nothing is cached yet).
    """
    ramp = to_array(to_series(np.linspace(100.0, 110.0, 64) + np.sin(np.arange(64.0))))
    high, low, close = to_array(to_series(ramp + 1)), to_array(to_series(ramp - 1)), ramp
    ema(close, 5)
    rsi(close, 5)
    atr(high, low, close, 5)
    true_range(high, low, close)
    keltner(high, low, close, 5, 1.5)
    macd(close, 3, 6, 2)
    directional(high, low, close, 5)
    supertrend(high, low, close, 5, 3.0)
    parabolic_sar(high, low, close, 0.02, 0.02, 0.2)
    cci(high, low, close, 5)
    session_vwap(close, high, np.zeros(len(close), np.int64))
    percentile_rank(close)
    percentile_rank(np.arange(8, dtype=np.int64))
