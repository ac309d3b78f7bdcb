"""Market facts: instruments and their sessions, exchanges, holidays, trade dates, the events calendar, bar sizes
and how bars resample into longer ones."""

from shared.market.bar_size import (
    BAR_SIZE_ALIASES,
    BAR_SIZES,
    CALENDAR_BUCKETS,
    CALENDAR_SIZES,
    INTRADAY_MINUTES,
    INTRADAY_SIZES,
    BarSize,
    CalendarSize,
    IntradaySize,
    canonical_bar_size,
    is_bar_size,
    is_calendar,
    is_intraday,
)
from shared.market.calendar import (
    assign_trade_date_and_minute,
    instrument_holidays,
    is_trading_day,
    trading_days,
    trading_session,
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
from shared.market.resample import (
    OHLCV,
    OHLCV_RULES,
    bin_opens,
    calendar_bars,
    daily_bars,
    intraday_bars,
    minute_bins,
    reduce_runs,
    resample,
)

__all__ = [
    "BAR_SIZES",
    "BAR_SIZE_ALIASES",
    "CALENDAR_BUCKETS",
    "CALENDAR_SIZES",
    "INTRADAY_MINUTES",
    "INTRADAY_SIZES",
    "OHLCV",
    "OHLCV_RULES",
    "BarSize",
    "CalendarSize",
    "Exchange",
    "Holiday",
    "Instrument",
    "IntradaySize",
    "Session",
    "assign_trade_date_and_minute",
    "bin_opens",
    "calendar_bars",
    "canonical_bar_size",
    "catalogue_instruments",
    "daily_bars",
    "get_exchange",
    "get_instrument",
    "holidays",
    "instrument_holidays",
    "intraday_bars",
    "is_bar_size",
    "is_calendar",
    "is_intraday",
    "is_trading_day",
    "list_exchanges",
    "minute_bins",
    "reduce_runs",
    "register_instrument",
    "resample",
    "trading_days",
    "trading_session",
    "trading_sessions",
    "upcoming_events",
]
