"""ccxt venues: centralized exchanges and order-book DEXs (e.g. Hyperliquid) behind the Venue
protocol, with capabilities and error mapping declared as data."""

from dexagent.connectors.ccxt.capabilities import (
    CLIENT_IDS,
    REQUIRED,
    ClientIdStyle,
    check_capabilities,
    client_id_style,
)
from dexagent.connectors.ccxt.errors import ERROR_MAP, map_ccxt_error
from dexagent.connectors.ccxt.market_data import MarketData
from dexagent.connectors.ccxt.venue import CcxtVenue

__all__ = [
    "CLIENT_IDS",
    "ERROR_MAP",
    "REQUIRED",
    "CcxtVenue",
    "ClientIdStyle",
    "MarketData",
    "check_capabilities",
    "client_id_style",
    "map_ccxt_error",
]
