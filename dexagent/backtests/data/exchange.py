"""ccxt plumbing for downloads: build an exchange, point its API elsewhere, map its errors.

ccxt errors are mapped by type (a table, most specific first), never by message text.
"""

from __future__ import annotations

import difflib
from typing import Any
from urllib.parse import urlsplit

import ccxt

from dexagent.core.errors import ConfigError, DexAgentError, TemporaryError

# (ccxt error type, our error type, what the caller should do). First match wins.
ERROR_MAP: tuple[tuple[type[Exception], type[DexAgentError], str], ...] = (
    (ccxt.NetworkError, TemporaryError, "the exchange or the network failed; try again later"),
    (ccxt.BadSymbol, ConfigError, "check the symbol"),
    (ccxt.AuthenticationError, ConfigError, "check the API credentials"),
    (ccxt.NotSupported, ConfigError, "this exchange does not offer it; pick another exchange"),
    (ccxt.BadRequest, ConfigError, "check the symbol, timeframe and times"),
    (ccxt.ExchangeError, ConfigError, "the exchange refused the request; check the flags"),
)


def map_ccxt_error(exc: Exception, context: str) -> DexAgentError:
    """Our error for a ccxt error (``exc`` must be a ``ccxt.BaseError``)."""
    for ccxt_type, ours, advice in ERROR_MAP:
        if isinstance(exc, ccxt_type):
            return ours(f"{context}: {type(exc).__name__}: {exc} ({advice})")
    return DexAgentError(f"{context}: {type(exc).__name__}: {exc}")


def make_exchange(exchange_id: str, *, api_url: str | None = None) -> Any:
    """A ccxt (sync) exchange with ccxt's own rate limiter on, for public market data."""
    if exchange_id not in ccxt.exchanges:
        close = difflib.get_close_matches(exchange_id, ccxt.exchanges, n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise ConfigError(
            f"unknown exchange {exchange_id!r}.{hint} ccxt knows {len(ccxt.exchanges)} "
            f"exchanges, e.g. binance, bybit, coinbase, kraken, okx."
        )
    options: dict[str, Any] = {"enableRateLimit": True}
    if exchange_id == "binance":
        # public spot markets only: no futures exchangeInfo, no private currency endpoint
        options["options"] = {"fetchMarkets": {"types": ["spot"]}, "fetchCurrencies": False}
    exchange = getattr(ccxt, exchange_id)(options)
    if api_url:
        point_api_at(exchange, api_url)
    return exchange


def point_api_at(exchange: Any, base_url: str) -> None:
    """Replace the scheme and host of every URL in ``exchange.urls['api']`` by ``base_url``.

    Paths are kept, so ``https://api.binance.com/api/v3`` becomes ``<base_url>/api/v3``.
    """
    base = base_url.rstrip("/")
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"--api-url {base_url!r} must look like http://host:port")
    exchange.urls["api"] = _rebase(exchange.urls["api"], base)


def _rebase(value: Any, base: str) -> Any:
    if isinstance(value, dict):
        return {key: _rebase(item, base) for key, item in value.items()}
    if isinstance(value, str) and "://" in value:
        path = urlsplit(value).path
        return base + path
    return value


def symbol_hint(exchange: Any, symbol: str) -> str:
    """``Did you mean ...? N markets, e.g. ...`` from the loaded markets (empty if none)."""
    symbols = list(getattr(exchange, "symbols", None) or [])
    if not symbols:
        return ""
    close = difflib.get_close_matches(symbol.upper(), symbols, n=5, cutoff=0.5)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    sample = ", ".join(symbols[:10])
    more = f" (and {len(symbols) - 10} more)" if len(symbols) > 10 else ""
    return f"{hint} {exchange.id} lists {len(symbols)} markets: {sample}{more}."
