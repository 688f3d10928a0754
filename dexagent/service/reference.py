"""An optional reference price from a centralized exchange (async ccxt), checked at bar close.

At each bar close the runner fetches the reference ticker, computes the pool's deviation from
it in basis points, records both in an ``observation`` audit record (with a sha256 digest of
the observed fields) and, when ``max_deviation_bps`` is set and exceeded, decides nothing on that
bar. A failed fetch (``TemporaryError``) is recorded and the bar is decided without a reference.
Only public market data is read: the exchange holds no credentials.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dexagent.audit_log.canonical import canonical_text
from dexagent.backtests.data.exchange import point_api_at
from dexagent.connectors.ccxt.market_data import MarketData
from dexagent.core.errors import ConfigError
from dexagent.core.tokens import CTX, Pair
from dexagent.service.config import ReferenceSection

_BPS = Decimal(10_000)


@dataclass(slots=True)
class ReferenceState:
    """The last reference observation, for the API and the metrics."""

    price: Decimal | None = None
    deviation_bps: Decimal | None = None
    error: str | None = None
    skipped: str | None = None  # why the last bar was not decided, if it was not
    fetches: int = 0
    errors: int = 0
    skips: int = 0


class ReferencePrice:
    def __init__(self, cfg: ReferenceSection, pair: Pair, exchange: Any) -> None:
        self.cfg, self.pair, self.exchange = cfg, pair, exchange
        self.data = MarketData(exchange, {pair: cfg.symbol})
        self.state = ReferenceState()

    @classmethod
    def build(cls, cfg: ReferenceSection, pair: Pair) -> ReferencePrice:
        import ccxt.async_support as ccxt_async

        if cfg.exchange not in ccxt_async.exchanges:
            close = difflib.get_close_matches(cfg.exchange, ccxt_async.exchanges, n=3)
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            raise ConfigError(f"[agents.reference] unknown ccxt exchange {cfg.exchange!r}.{hint}")
        options: dict[str, Any] = {"enableRateLimit": True, "timeout": int(cfg.timeout_s * 1000)}
        if cfg.exchange == "binance":  # public spot markets only
            options["options"] = {"fetchMarkets": {"types": ["spot"]}, "fetchCurrencies": False}
        exchange = getattr(ccxt_async, cfg.exchange)(options)
        if cfg.api_url:
            point_api_at(exchange, cfg.api_url)
        return cls(cfg, pair, exchange)

    async def fetch(self) -> Decimal:
        """The reference price, quote per base; ``TemporaryError`` when the exchange fails."""
        return await self.data.fetch_ticker_price(self.pair)

    async def close(self) -> None:
        await self.exchange.close()


def deviation_bps(pool: Decimal, reference: Decimal) -> Decimal:
    """``(pool - reference) / reference`` in basis points (signed)."""
    return CTX.divide((pool - reference) * _BPS, reference)


def observation_payload(fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` plus ``digest``: sha256 of their canonical (RFC 8785) JSON."""
    digest = hashlib.sha256(canonical_text(fields).encode("utf-8")).hexdigest()
    return {"digest": "sha256:" + digest, **fields}
