"""What a ccxt exchange must offer for a CcxtVenue, and how it names client order ids (data).

``check_capabilities`` reads ccxt's declared ``exchange.has`` once, at construction, and refuses
an exchange that lacks a needed method with a ConfigError naming each one. ``CLIENT_IDS`` says
per exchange which parameter carries our idempotency key when placing an order, which one looks
an order up by it, and what shape the exchange accepts; a key that does not fit is mapped to a
fixed-length digest of itself, so the same key always gives the same exchange id.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any, Literal

from dexagent.core.errors import ConfigError

OrderType = Literal["market", "ioc"]

#: Unified ccxt methods every CcxtVenue calls.
REQUIRED: tuple[str, ...] = ("fetchOrderBook", "createOrder", "fetchOrder", "fetchBalance")
#: At least one of these finds the trades of an order.
TRADES_VIA: tuple[str, ...] = ("fetchOrderTrades", "fetchMyTrades")
#: Extra methods per order type: a market BUY spends an exact quote amount.
BY_ORDER_TYPE: dict[str, tuple[str, ...]] = {
    "market": ("createMarketBuyOrderWithCost",),
    "ioc": (),
}


def check_capabilities(exchange: Any, order_type: str, *, name: str) -> None:
    if order_type not in BY_ORDER_TYPE:
        raise ConfigError(f"{name}: order_type {order_type!r} must be one of {list(BY_ORDER_TYPE)}")
    has = getattr(exchange, "has", None) or {}
    needed = REQUIRED + BY_ORDER_TYPE[order_type]
    missing = [m for m in needed if not has.get(m)]
    if not any(has.get(m) for m in TRADES_VIA):
        missing.append(" or ".join(TRADES_VIA))
    if missing:
        hint = ""
        if missing == ["createMarketBuyOrderWithCost"]:
            hint = " Use order_type='ioc' (limit orders at a price collar) on this exchange."
        raise ConfigError(
            f"{name}: ccxt exchange {getattr(exchange, 'id', '?')!r} lacks "
            f"{', '.join(missing)} (per exchange.has), which a CcxtVenue needs.{hint}"
        )


@dataclass(frozen=True, slots=True)
class ClientIdStyle:
    create_param: str  # param of create_order that carries the client id
    lookup_param: str  # param of fetch_order that finds an order by it
    pattern: str  # what the exchange accepts (regex over our own key, never over messages)
    kind: Literal["text", "hex128"] = "text"
    max_len: int = 32

    def client_id(self, key: str) -> str:
        digest = hashlib.sha256(key.encode()).hexdigest()
        if self.kind == "hex128":
            return "0x" + digest[:32]
        if re.fullmatch(self.pattern, key) and len(key) <= self.max_len:
            return key
        return "dx" + digest[: self.max_len - 2]


#: Per exchange id; others use ccxt's unified ``clientOrderId`` param.
CLIENT_IDS: dict[str, ClientIdStyle] = {
    # spot POST /api/v3/order newClientOrderId, GET /api/v3/order origClientOrderId
    "binance": ClientIdStyle(
        "newClientOrderId", "origClientOrderId", r"[.A-Za-z0-9:/_-]+", max_len=36
    ),
    # order action field "c" (cloid): a 128-bit hex string; orderStatus accepts it as "oid"
    "hyperliquid": ClientIdStyle("clientOrderId", "clientOrderId", r"0x[0-9a-f]{32}", "hex128"),
}
DEFAULT_CLIENT_IDS = ClientIdStyle("clientOrderId", "clientOrderId", r"[A-Za-z0-9_-]+")


def client_id_style(exchange_id: str) -> ClientIdStyle:
    return CLIENT_IDS.get(exchange_id, DEFAULT_CLIENT_IDS)


#: Params for ``fetch_balance`` per exchange id: which wallet holds the spot tokens.
BALANCE_PARAMS: dict[str, dict[str, str]] = {
    "hyperliquid": {"type": "spot"},  # spotClearinghouseState, not the perp margin summary
}
