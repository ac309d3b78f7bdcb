"""Exchanges: identity, local time zone and the trading calendar whose rules apply."""

from __future__ import annotations

from pydantic import BaseModel


class Exchange(BaseModel, frozen=True):
    """An exchange; ``timezone`` is its own zone (informational: instruments carry a display zone)."""

    id: str
    name: str
    timezone: str
    calendar: str


# The CME Group venues share the group-wide ``CME`` calendar; their instruments use their product class's
# calendar (``CME_EQUITY``, ``CME_RATES``, ...: see ``holidays.CME_CLASS_CALENDARS``). ICE US follows the same US
# rules under its own id so its softs can diverge later. EUREX and ICE Europe use European rules.
_EXCHANGES: dict[str, Exchange] = {
    e.id: e
    for e in (
        Exchange(id="CME", name="Chicago Mercantile Exchange", timezone="America/Chicago", calendar="CME"),
        Exchange(id="CBOT", name="Chicago Board of Trade", timezone="America/Chicago", calendar="CME"),
        Exchange(
            id="NYMEX", name="New York Mercantile Exchange", timezone="America/New_York", calendar="CME"
        ),
        Exchange(id="COMEX", name="Commodity Exchange", timezone="America/New_York", calendar="CME"),
        Exchange(id="ICEUS", name="ICE Futures U.S.", timezone="America/New_York", calendar="ICEUS"),
        Exchange(id="ICEEUR", name="ICE Futures Europe", timezone="Europe/London", calendar="ICEEUR"),
        Exchange(id="EUREX", name="Eurex", timezone="Europe/Berlin", calendar="EUREX"),
    )
}


def get_exchange(exchange_id: str) -> Exchange | None:
    """Return the exchange with this id (case-insensitive), or None."""
    return _EXCHANGES.get(exchange_id.upper())


def list_exchanges() -> list[Exchange]:
    """All known exchanges, in catalogue order."""
    return list(_EXCHANGES.values())
