import pytest
from pydantic import ValidationError

from shared.market import get_exchange
from shared.market.instruments import (
    Instrument,
    Session,
    get_instrument,
    list_instruments,
    register_instrument,
)
from tests.stocks import made_up_stock


def test_catalogue_has_31_futures_on_known_exchanges():
    futures = list_instruments()
    catalogue = [i for i in futures if i.type == "futures"]
    assert len(catalogue) == 31
    for instrument in catalogue:
        exchange = get_exchange(instrument.exchange)
        assert exchange is not None, instrument.symbol
        # A CME Group product uses its class's calendar (CME_EQUITY, CME_RATES, ...) or the group-wide CME one.
        assert instrument.calendar.split("_")[0] == exchange.calendar
        assert instrument.default_session in instrument.sessions


def test_lookup_is_case_insensitive():
    assert get_instrument("nq") is get_instrument("NQ")
    assert get_instrument(" es ").symbol == "ES"
    assert get_instrument("6e").point_value == 125000
    assert get_instrument("NOPE") is None


def test_search_matches_symbol_or_name_substring():
    assert {i.symbol for i in list_instruments(search="crude")} == {"CL", "BRN"}
    assert "6J" in {i.symbol for i in list_instruments(search="yen")}
    assert [i.symbol for i in list_instruments(search="nq")] == ["NQ"]


def test_category_filter():
    treasuries = list_instruments(category="Treasury")
    assert {i.symbol for i in treasuries} == {"ZN", "ZF", "ZT", "US"}
    assert {i.symbol for i in list_instruments(search="e-mini", category="index")} == {
        "NQ",
        "ES",
        "YM",
        "RTY",
    }


def test_sessions_are_parsed_and_wrap_midnight():
    nq = get_instrument("NQ")
    assert nq.sessions["ETH"] == Session("18:00", "17:00")
    assert nq.sessions["ETH"].wraps_midnight
    assert nq.sessions["RTH"].start_minute == 570
    assert not nq.sessions["RTH"].wraps_midnight
    assert get_instrument("ZC").sessions["ETH"] == ("20:00", "14:20")
    assert get_instrument("BRN").sessions["ETH"] == ("20:00", "17:00")
    assert set(get_instrument("KC").sessions) == {"ETH"}
    assert set(get_instrument("CC").sessions) == {"ETH"}


def test_catalogue_values_follow_the_reference_table():
    assert get_instrument("ZT").tick_size == 0.00390625
    assert get_instrument("FDAX").currency == "EUR"
    assert get_instrument("FDAX").calendar == "EUREX"
    calendars = {
        s: get_instrument(s).calendar for s in ("ES", "ZN", "6E", "CL", "GC", "PL", "ZC", "BTC", "KC")
    }
    assert calendars == {
        "ES": "CME_EQUITY",
        "ZN": "CME_RATES",
        "6E": "CME_FX",
        "CL": "CME_ENERGY",
        "GC": "CME_METALS",
        "PL": "CME_METALS",
        "ZC": "CME_GRAINS",
        "BTC": "CME",
        "KC": "ICEUS",
    }
    assert get_instrument("ES").events == ("macro", "options")
    assert get_instrument("CL").events == ("macro", "oil")
    assert get_instrument("BTC").events == ("macro", "crypto")
    assert get_instrument("ZN").events == ("macro",)
    assert get_instrument("HO").notes


def test_validation_normalises_and_rejects():
    # Lower-case names and a session as a list, as a vendor file gives them.
    stock = made_up_stock(
        "aapl_t1",
        "nasdaq",
        "cme",
        name="Apple",
        default_session="rth",
        sessions={"rth": ["09:30", "16:00"]},
        events=(),
    )
    assert stock.symbol == "AAPL_T1"
    assert stock.sessions == {"RTH": Session("09:30", "16:00")}
    with pytest.raises(ValidationError):
        Instrument.model_validate({**stock.model_dump(), "sessions": {"RTH": ["9:30", "16:00"]}})
    with pytest.raises(ValidationError):
        Instrument.model_validate({**stock.model_dump(), "default_session": "ETH"})


def test_register_adds_imported_symbols_but_protects_the_catalogue():
    stock = made_up_stock("ZZTEST", "NASDAQ", "CME", name="Test Stock")
    register_instrument(stock)
    assert get_instrument("zztest") == stock
    assert [i.symbol for i in list_instruments(category="stocks", search="zztest")] == ["ZZTEST"]
    register_instrument(get_instrument("NQ"))
    with pytest.raises(ValueError, match="catalogue"):
        register_instrument(get_instrument("NQ").model_copy(update={"tick_size": 1.0}))
