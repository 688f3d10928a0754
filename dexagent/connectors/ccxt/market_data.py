"""Reference prices from a ccxt exchange's ticker, as exact Decimals."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from dexagent.connectors.ccxt.errors import ccxt_errors
from dexagent.connectors.ccxt.fills import dec
from dexagent.core.errors import ConfigError, TemporaryError
from dexagent.core.tokens import CTX, Pair


class MarketData:
    """``symbols`` maps each pair to the exchange's market symbol (e.g. ``"ETH/USDT"``)."""

    def __init__(self, exchange: Any, symbols: Mapping[Pair, str]) -> None:
        if not (getattr(exchange, "has", None) or {}).get("fetchTicker"):
            raise ConfigError(
                f"ccxt exchange {getattr(exchange, 'id', '?')!r} lacks fetchTicker "
                f"(per exchange.has); MarketData needs it"
            )
        self.exchange, self.symbols = exchange, dict(symbols)

    async def fetch_ticker_price(self, pair: Pair) -> Decimal:
        """The last traded price, else the bid/ask mid, in quote per base."""
        symbol = self.symbols.get(pair)
        if symbol is None:
            raise ConfigError(
                f"no market symbol for {pair}; known: {sorted(map(str, self.symbols))}"
            )
        with ccxt_errors(f"ticker of {symbol} on {self.exchange.id}", self.exchange):
            ticker = await self.exchange.fetch_ticker(symbol)
        return ticker_price(ticker, f"{self.exchange.id} {symbol}")


def ticker_price(ticker: Mapping[str, Any], where: str) -> Decimal:
    last = ticker.get("last")
    if last:
        return dec(last)
    bid, ask = ticker.get("bid"), ticker.get("ask")
    if bid and ask:
        return CTX.divide(dec(bid) + dec(ask), Decimal(2))
    raise TemporaryError(f"{where}: the ticker has no last price and no bid/ask; try again later")
