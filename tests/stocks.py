"""A made-up stock for tests that need an instrument outside the futures catalogue."""

from __future__ import annotations

from typing import Any

from shared.market import Instrument

_STOCK: dict[str, Any] = {
    "type": "stock",
    "category": "stocks",
    "default_session": "RTH",
    "sessions": {"RTH": ("09:30", "16:00")},
    "tick_size": 0.01,
    "tick_value": 0.01,
    "point_value": 1,
}


def made_up_stock(symbol: str, exchange: str, calendar: str, **fields: Any) -> Instrument:
    """A stock quoted in cents with a 09:30–16:00 regular session; ``fields`` override any of its values."""
    return Instrument.model_validate(
        {"symbol": symbol, "name": f"{symbol} Corp", "exchange": exchange, "calendar": calendar}
        | _STOCK
        | fields
    )
