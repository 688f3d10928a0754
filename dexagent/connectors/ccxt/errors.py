"""ccxt errors -> dexagent errors, by type (a table, most specific first), never by message.

Messages keep ccxt's text with URL query strings cut (they carry request signatures) and every
credential the exchange holds replaced by ``***``, so no key reaches a log or an audit record.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import ccxt

from dexagent.core.errors import (
    ConfigError,
    DexAgentError,
    FatalError,
    InsufficientBalance,
    RejectedError,
    TemporaryError,
)

# (ccxt error type, our error type, what the caller should do). First match wins.
ERROR_MAP: tuple[tuple[type[Exception], type[DexAgentError], str], ...] = (
    (ccxt.InsufficientFunds, InsufficientBalance, "fund the account or trade less"),
    (ccxt.OrderNotFound, RejectedError, "the exchange has no such order"),
    (ccxt.InvalidOrder, RejectedError, "the exchange refused the order; change it"),
    (ccxt.AuthenticationError, ConfigError, "check the API credentials and their permissions"),
    (ccxt.BadSymbol, ConfigError, "check the market symbol"),
    (ccxt.NotSupported, ConfigError, "this exchange does not offer it; pick another exchange"),
    (ccxt.ArgumentsRequired, ConfigError, "the exchange needs more arguments for this call"),
    (ccxt.NetworkError, TemporaryError, "the exchange or the network failed; try again later"),
    (ccxt.OperationFailed, TemporaryError, "the exchange answered badly; try again later"),
    (ccxt.BadRequest, RejectedError, "the exchange refused the request; change it"),
    (ccxt.ExchangeError, RejectedError, "the exchange refused the request"),
    (ccxt.BaseError, FatalError, "an unexpected ccxt failure"),
)

_CREDENTIALS = ("apiKey", "secret", "password", "uid", "privateKey", "token")
_QUERY = re.compile(r"(https?://[^\s?]+)\?\S*")


def redact(text: str, exchange: Any) -> str:
    """``text`` without URL query strings and without any credential ``exchange`` holds."""
    text = _QUERY.sub(r"\1?…", text)
    for attr in _CREDENTIALS:
        value = getattr(exchange, attr, None)
        if isinstance(value, str) and len(value) >= 4:
            text = text.replace(value, "***")
    return text


def map_ccxt_error(exc: Exception, context: str, exchange: Any = None) -> DexAgentError:
    """Our error for ``exc`` (a ``ccxt.BaseError``), its message redacted against ``exchange``."""
    message = redact(str(exc), exchange)
    for ccxt_type, ours, advice in ERROR_MAP:
        if isinstance(exc, ccxt_type):
            return ours(f"{context}: {type(exc).__name__}: {message} ({advice})")
    return FatalError(f"{context}: {type(exc).__name__}: {message}")


@contextmanager
def ccxt_errors(context: str, exchange: Any) -> Iterator[None]:
    """Raise our mapped error for any ccxt error inside the block (the ccxt one is not chained:
    its arguments may hold signed URLs)."""
    try:
        yield
    except ccxt.BaseError as exc:
        raise map_ccxt_error(exc, context, exchange) from None
