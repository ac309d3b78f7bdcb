"""Market facts: instruments and their sessions, exchanges, holidays, trade dates and the events calendar."""

from shared.market.calendar import (
    assign_trade_date_and_minute,
    instrument_holidays,
    is_trading_day,
    trading_days,
    trading_sessions,
)
from shared.market.events import upcoming_events
from shared.market.exchanges import Exchange, get_exchange, list_exchanges
from shared.market.holidays import Holiday, holidays
from shared.market.instruments import (
    Instrument,
    Session,
    catalogue_instruments,
    get_instrument,
    register_instrument,
)

__all__ = [
    "Exchange",
    "Holiday",
    "Instrument",
    "Session",
    "assign_trade_date_and_minute",
    "catalogue_instruments",
    "get_exchange",
    "get_instrument",
    "holidays",
    "instrument_holidays",
    "is_trading_day",
    "list_exchanges",
    "register_instrument",
    "trading_days",
    "trading_sessions",
    "upcoming_events",
]
