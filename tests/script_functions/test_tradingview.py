"""Indicators on real AAPL daily bars against the values TradingView printed (reference README tolerances)."""

from __future__ import annotations

import polars as pl
import pytest

from tests.script_functions.support import aapl_bars, call, tradingview_values

CLOSE = pl.col("close")

# TradingView column → (our expression, tolerance). Settings are the Pine calls listed in the reference README.
CASES: dict[str, tuple[pl.Expr, float]] = {
    "RSI": (call("rsi", CLOSE, 14), 0.03),
    "ATR": (call("atr", 14), 0.03),
    "CCI": (call("cci", 20), 0.06),
    "StochK": (call("stoch_k", 14, 1), 0.03),
    "WilliamsR": (call("williams_r", 14), 0.03),
    "MFI": (call("mfi", 14), 0.03),
    "TR": (call("tr"), 0.03),
    "NATR": (call("natr", 14), 0.03),
    "BB_Upper": (call("bbands_upper", CLOSE, 20, 2.0), 0.03),
    "BB_Middle": (call("bbands_middle", CLOSE, 20), 0.03),
    "BB_Lower": (call("bbands_lower", CLOSE, 20, 2.0), 0.03),
    "BB_Width": (call("bbands_width", CLOSE, 20, 2.0), 0.03),
    "BB_PctB": (call("bbands_pctb", CLOSE, 20, 2.0), 0.005),
    "KC_Upper": (call("kc_upper", 20, 1.5), 0.03),
    "KC_Middle": (call("kc_middle", 20), 0.03),
    "KC_Lower": (call("kc_lower", 20, 1.5), 0.03),
    # TradingView prints the Keltner width as a ratio; ours is in percent like bbands_width.
    "KC_Width": (call("kc_width", 20, 1.5) / 100, 0.0005),
    "MACD": (call("macd", CLOSE, 12, 26), 0.03),
    "MACD_Signal": (call("macd_signal", CLOSE, 12, 26, 9), 0.03),
    "MACD_Hist": (call("macd_hist", CLOSE, 12, 26, 9), 0.005),
    "Plus_DI": (call("plus_di", 14), 0.03),
    "Minus_DI": (call("minus_di", 14), 0.03),
    "ADX": (call("adx", 14), 0.03),
    "SuperTrend": (call("supertrend", 10, 3.0), 0.03),
    # Pine's direction is −1 for an uptrend; ours is 1.
    "SuperTrend_Dir": (-call("supertrend_dir", 10, 3.0), 0.0),
    "SAR": (call("sar", 0.02, 0.2), 0.03),
}


@pytest.fixture(scope="module")
def joined() -> pl.DataFrame:
    ours = aapl_bars().with_columns(**{f"ours_{name}": expr for name, (expr, _) in CASES.items()})
    reference = tradingview_values()
    result = reference.join(ours, on="date", how="left")
    assert result.height == 11
    return result


def test_every_reference_column_is_checked() -> None:
    assert set(tradingview_values().columns) - {"date"} == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_tradingview_on_all_reference_dates(joined: pl.DataFrame, name: str) -> None:
    tolerance = CASES[name][1]
    for day, expected, actual in zip(joined["date"], joined[name], joined[f"ours_{name}"], strict=True):
        assert actual is not None, f"{name} is null on {day}"
        assert abs(actual - expected) <= tolerance, f"{name} on {day}: ours {actual}, TradingView {expected}"
