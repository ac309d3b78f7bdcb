"""The contracts Barb knows out of the box: one specification row per instrument (its sessions, tick size,
tick value, point value and notes), grouped by category.

A data table, kept apart from the model and the lookups: ``shared.market.instruments`` turns each row into an
:class:`~shared.market.instruments.Instrument`.
"""

from __future__ import annotations

from typing import Any

_ETH_CME = ("18:00", "17:00")
_NOTE_OFFSET = (
    "Unadjusted continuous contract: its rollover dates differ from other platforms, so prices can show a "
    "constant offset against them."
)

# Each category's contracts, in catalogue order, one a line (a table reads better than the formatter's one
# value a line): (symbol, name, exchange, currency, ETH, RTH or None, tick size, tick value, point value, notes)
CONTRACTS: dict[str, tuple[tuple[Any, ...], ...]] = {
    "index": (
        ("NQ", "E-Mini Nasdaq 100", "CME", "USD", _ETH_CME, ("09:30", "16:15"), 0.25, 5, 20, None),
        ("ES", "E-mini S&P 500", "CME", "USD", _ETH_CME, ("09:30", "16:15"), 0.25, 12.5, 50, None),
        ("YM", "E-mini Dow ($5)", "CBOT", "USD", _ETH_CME, ("09:30", "16:15"), 1, 5, 5, None),
        ("RTY", "E-mini Russell 2000", "CME", "USD", _ETH_CME, ("09:30", "16:15"), 0.1, 5, 50, None),
        ("FDAX", "DAX Futures", "EUREX", "EUR", ("19:15", "16:00"), ("03:00", "11:30"), 1, 25, 25, None),
        ("FESX", "Euro Stoxx 50 Index Futures", "EUREX", "EUR", ("19:15", "16:00"), ("03:00", "11:30"), 1, 10, 10, None),
    ),
    "energy": (
        ("CL", "WTI Crude Oil Futures", "NYMEX", "USD", _ETH_CME, ("09:00", "14:30"), 0.01, 10, 1000, None),
        ("BRN", "Brent Crude Oil Futures", "ICEEUR", "USD", ("20:00", "17:00"), ("03:00", "14:30"), 0.01, 10, 1000, _NOTE_OFFSET),
        ("NG", "Henry Hub Natural Gas", "NYMEX", "USD", _ETH_CME, ("09:00", "14:30"), 0.001, 10, 10000, None),
        ("RB", "RBOB Gasoline", "NYMEX", "USD", _ETH_CME, ("09:00", "14:30"), 0.0001, 4.2, 42000, None),
        ("HO", "NY Harbor ULSD", "NYMEX", "USD", _ETH_CME, ("09:00", "14:30"), 0.0001, 4.2, 42000, _NOTE_OFFSET),
    ),
    "metals": (
        ("GC", "Gold", "COMEX", "USD", _ETH_CME, ("08:20", "13:30"), 0.1, 10, 100, None),
        ("SI", "Silver", "COMEX", "USD", _ETH_CME, ("08:20", "13:30"), 0.005, 25, 5000, None),
        ("HG", "Copper", "COMEX", "USD", _ETH_CME, ("08:20", "13:30"), 0.0005, 12.5, 25000, None),
        ("PL", "Platinum", "NYMEX", "USD", _ETH_CME, ("08:20", "13:30"), 0.1, 5, 50, _NOTE_OFFSET),
    ),
    "currency": (
        ("6A", "Australian Dollar", "CME", "USD", _ETH_CME, ("08:20", "16:00"), 0.00005, 5, 100000, None),
        ("6B", "British Pound", "CME", "USD", _ETH_CME, ("08:20", "16:00"), 0.0001, 6.25, 62500, None),
        ("6C", "Canadian Dollar", "CME", "USD", _ETH_CME, ("08:20", "16:00"), 0.00005, 5, 100000, None),
        ("6E", "Euro FX", "CME", "USD", _ETH_CME, ("08:20", "16:00"), 0.00005, 6.25, 125000, None),
        ("6J", "Japanese Yen", "CME", "USD", _ETH_CME, ("08:20", "16:00"), 0.0000005, 6.25, 12500000, None),
        ("6S", "Swiss Franc", "CME", "USD", _ETH_CME, ("08:20", "16:00"), 0.00005, 6.25, 125000, None),
    ),
    "treasury": (
        ("ZN", "10-Year T-Note", "CBOT", "USD", _ETH_CME, ("08:20", "15:00"), 0.015625, 15.625, 1000, None),
        ("ZF", "5-Year T-Note", "CBOT", "USD", _ETH_CME, ("08:20", "15:00"), 0.0078125, 7.8125, 1000, None),
        ("ZT", "2-Year T-Note", "CBOT", "USD", _ETH_CME, ("08:20", "15:00"), 0.00390625, 7.8125, 2000, None),
        ("US", "30-Year T-Bond", "CBOT", "USD", _ETH_CME, ("08:20", "15:00"), 0.03125, 31.25, 1000, None),
    ),
    "agriculture": (
        ("ZC", "Corn", "CBOT", "USD", ("20:00", "14:20"), ("09:30", "14:20"), 0.25, 12.5, 50, None),
        ("ZW", "Wheat", "CBOT", "USD", ("20:00", "14:20"), ("09:30", "14:20"), 0.25, 12.5, 50, None),
        ("ZS", "Soybeans", "CBOT", "USD", ("20:00", "14:20"), ("09:30", "14:20"), 0.25, 12.5, 50, None),
        ("KC", "Coffee C", "ICEUS", "USD", ("04:15", "13:25"), None, 0.05, 18.75, 375, _NOTE_OFFSET),
        ("CC", "Cocoa", "ICEUS", "USD", ("04:45", "13:25"), None, 1, 10, 10, None),
    ),
    "crypto": (
        ("BTC", "Bitcoin Futures", "CME", "USD", _ETH_CME, ("09:30", "16:00"), 5, 25, 5, None),
    ),
}  # fmt: skip
