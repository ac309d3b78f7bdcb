"""Our indicators against TA-Lib 0.8 on real AAPL daily bars, to 1e-9 relative.

Same convention as TA-Lib (compared from the first value, and the warm-up must end on the same bar):
sma, ema, wma, hma, rma, vwma, rolling_mean/sum/max/min/std, rsi, stoch_k, stoch_d, cci, williams_r, mfi,
momentum, roc, tr (from bar 1; TA-Lib has no value on bar 0, ours is high − low), bbands_*, donchian_*, ad_line,
obv (TA-Lib starts at volume[0], Pine at 0: compared after subtracting volume[0]).

Same formula, different seed (compared from bar 300, where the seed's weight is far below 1e-9):
atr, natr (TA-Lib's true range starts on bar 1), plus_di, minus_di, adx (TA-Lib seeds Wilder sums differently),
macd, macd_signal, macd_hist (TA-Lib aligns the fast EMA's start with the slow one), supertrend and
supertrend_dir (through ATR).

Composed from TA-Lib primitives: kc_* = EMA(close) ± mult·EMA(true range), because TA-Lib's own KC is another
definition (EMA of the typical price ± ATR(10)).

Deliberately not compared: sar (TA-Lib picks the first trend from the first bar's directional movement and
differs from Pine around some reversals; checked against TradingView instead), vwap (TA-Lib's VWAP is cumulative
from the first bar, ours resets each session; checked by hand), and functions TA-Lib does not have.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
import talib

from tests.script_functions.support import aapl_bars, call

RTOL = 1e-9
CONVERGED = 300
CLOSE = pl.col("close")

BARS = aapl_bars()
H, L, C, V = (BARS[name].cast(pl.Float64).to_numpy() for name in ("high", "low", "close", "volume"))
TRUE_RANGE = np.where(np.isnan(talib.TRANGE(H, L, C)), H - L, talib.TRANGE(H, L, C))
BB_UP, BB_MID, BB_LOW = talib.BBANDS(C, 20, 2.0, 2.0, 0)
DC_UP, DC_MID, DC_LOW = talib.DONCHIAN(H, L, 20)
MACD, MACD_SIGNAL, MACD_HIST = talib.MACD(C, 12, 26, 9)
ST_LINE, ST_TREND = talib.SUPERTREND(H, L, C, 10, 3.0)
KC_MID = talib.EMA(C, 20)
KC_OFFSET = 1.5 * talib.EMA(TRUE_RANGE, 20)

SAME_CONVENTION = {
    "sma": (call("sma", CLOSE, 20), talib.SMA(C, 20)),
    "rolling_mean": (call("rolling_mean", CLOSE, 5), talib.SMA(C, 5)),
    "rolling_sum": (call("rolling_sum", CLOSE, 20), talib.SUM(C, 20)),
    "rolling_max": (call("rolling_max", pl.col("high"), 20), talib.MAX(H, 20)),
    "rolling_min": (call("rolling_min", pl.col("low"), 20), talib.MIN(L, 20)),
    "rolling_std": (call("rolling_std", CLOSE, 20), talib.STDDEV(C, 20, 1.0) * np.sqrt(20 / 19)),
    "ema": (call("ema", CLOSE, 20), talib.EMA(C, 20)),
    "wma": (call("wma", CLOSE, 10), talib.WMA(C, 10)),
    "hma": (call("hma", CLOSE, 20), talib.HMA(C, 20)),
    "rma": (call("rma", CLOSE, 14), talib.RMA(C, 14)),
    "vwma": (call("vwma", 20), talib.VWMA(C, V, 20)),
    "rsi": (call("rsi", CLOSE, 14), talib.RSI(C, 14)),
    "stoch_k": (call("stoch_k", 14, 1), talib.STOCHF(H, L, C, 14, 1, 0)[0]),
    "stoch_k smoothed": (call("stoch_k", 14, 3), talib.STOCH(H, L, C, 14, 3, 0, 1, 0)[0]),
    "stoch_d": (call("stoch_d", 14, 1, 3), talib.STOCH(H, L, C, 14, 1, 0, 3, 0)[1]),
    "stoch_d smoothed": (call("stoch_d", 14, 3, 3), talib.STOCH(H, L, C, 14, 3, 0, 3, 0)[1]),
    "cci": (call("cci", 20), talib.CCI(H, L, C, 20)),
    "williams_r": (call("williams_r", 14), talib.WILLR(H, L, C, 14)),
    "mfi": (call("mfi", 14), talib.MFI(H, L, C, V, 14)),
    "momentum": (call("momentum", CLOSE, 10), talib.MOM(C, 10)),
    "roc": (call("roc", CLOSE, 10), talib.ROC(C, 10)),
    "bbands_upper": (call("bbands_upper", CLOSE, 20, 2.0), BB_UP),
    "bbands_middle": (call("bbands_middle", CLOSE, 20), BB_MID),
    "bbands_lower": (call("bbands_lower", CLOSE, 20, 2.0), BB_LOW),
    "bbands_width": (call("bbands_width", CLOSE, 20, 2.0), (BB_UP - BB_LOW) / BB_MID * 100),
    "bbands_pctb": (call("bbands_pctb", CLOSE, 20, 2.0), (C - BB_LOW) / (BB_UP - BB_LOW)),
    "donchian_upper": (call("donchian_upper", 20), DC_UP),
    "donchian_middle": (call("donchian_middle", 20), DC_MID),
    "donchian_lower": (call("donchian_lower", 20), DC_LOW),
    "kc_upper": (call("kc_upper", 20, 1.5), KC_MID + KC_OFFSET),
    "kc_middle": (call("kc_middle", 20), KC_MID),
    "kc_lower": (call("kc_lower", 20, 1.5), KC_MID - KC_OFFSET),
    "kc_width": (call("kc_width", 20, 1.5), 2 * KC_OFFSET / KC_MID * 100),
    "ad_line": (call("ad_line"), talib.AD(H, L, C, V)),
    "obv": (call("obv"), talib.OBV(C, V) - V[0]),
}

CONVERGING = {
    "atr": (call("atr", 14), talib.ATR(H, L, C, 14)),
    "natr": (call("natr", 14), talib.NATR(H, L, C, 14)),
    "plus_di": (call("plus_di", 14), talib.PLUS_DI(H, L, C, 14)),
    "minus_di": (call("minus_di", 14), talib.MINUS_DI(H, L, C, 14)),
    "adx": (call("adx", 14), talib.ADX(H, L, C, 14)),
    "macd": (call("macd", CLOSE, 12, 26), MACD),
    "macd_signal": (call("macd_signal", CLOSE, 12, 26, 9), MACD_SIGNAL),
    "macd_hist": (call("macd_hist", CLOSE, 12, 26, 9), MACD_HIST),
    "supertrend": (call("supertrend", 10, 3.0), ST_LINE),
    "supertrend_dir": (call("supertrend_dir", 10, 3.0), ST_TREND.astype(float)),
}


def ours(expr: pl.Expr) -> np.ndarray:
    return BARS.select(expr.cast(pl.Float64).alias("v"))["v"].fill_null(np.nan).to_numpy()


def assert_close(actual: np.ndarray, expected: np.ndarray, label: str) -> None:
    assert not np.isnan(actual).any(), f"{label}: null where TA-Lib has a value"
    worst = np.max(np.abs(actual - expected) - RTOL * np.abs(expected))
    assert worst <= 0, f"{label}: differs from TA-Lib beyond {RTOL} relative"


@pytest.mark.parametrize("name", sorted(SAME_CONVENTION))
def test_same_convention_from_first_value(name: str) -> None:
    actual, expected = ours(SAME_CONVENTION[name][0]), SAME_CONVENTION[name][1]
    start = int(np.argmax(~np.isnan(expected)))
    assert start < 40
    assert np.isnan(actual[:start]).all(), f"{name}: value before TA-Lib's warm-up ends"
    assert_close(actual[start:], expected[start:], name)


def test_true_range_from_bar_one_and_high_minus_low_on_bar_zero() -> None:
    actual = ours(call("tr"))
    assert actual[0] == H[0] - L[0]
    assert_close(actual[1:], talib.TRANGE(H, L, C)[1:], "tr")


@pytest.mark.parametrize("name", sorted(CONVERGING))
def test_same_formula_after_seed_decay(name: str) -> None:
    actual, expected = ours(CONVERGING[name][0]), CONVERGING[name][1]
    assert len(actual) - CONVERGED > 200
    assert_close(actual[CONVERGED:], expected[CONVERGED:], name)
