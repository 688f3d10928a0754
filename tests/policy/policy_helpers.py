"""Builders for policy tests: policies from dicts, orders and contexts in exact units."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from dexagent.core.intents import Intent, Order, Side
from dexagent.core.policy_gate import PolicyContext
from dexagent.core.tokens import Pair
from dexagent.core.venue import Quote
from dexagent.policy import Policy, PolicyEngine, policy_from_dict
from tests.support import PAIR, USDT, WETH

PRICE = Decimal(2000)
T0 = 1_672_617_600_000  # 2023-01-02 00:00 UTC, a Monday
USD = 10**6
ETH = 10**18


def policy(**sections: Any) -> Policy:
    return policy_from_dict({"schema_version": 1, **sections})


def engine(**sections: Any) -> PolicyEngine:
    return PolicyEngine(policy(**sections))


def buy(
    usdt: int | Decimal,
    *,
    pair: Pair = PAIR,
    strategy: str = "sma_cross",
    oid: str = "o-1",
    price: Decimal = PRICE,
    meta: tuple[tuple[str, str], ...] = (),
) -> Order:
    raw = int(Decimal(usdt) * 10**pair.quote.decimals)
    it = Intent(pair, Side.BUY, Intent.buy_quote(pair, raw).kind, raw, strategy, meta=meta)
    return Order(oid, it, Side.BUY, raw, price, raw, T0, 0)


def sell(weth: int | Decimal, *, oid: str = "s-1", price: Decimal = PRICE) -> Order:
    raw = int(Decimal(weth) * ETH)
    it = Intent.sell_base(PAIR, raw, "sma_cross")
    return Order(oid, it, Side.SELL, raw, price, PAIR.quote_raw_for(raw, price), T0, 0)


def ctx(
    *,
    usdt: int | Decimal = 10_000,
    weth: int | Decimal = 0,
    now_ms: int = T0,
    venue: str = "taker",
    chain_id: int | None = None,
    quote: Quote | None = None,
    gas_price_wei: int | None = None,
    native_price: Decimal | None = None,
    equity: int | None = None,
    price: Decimal = PRICE,
) -> PolicyContext:
    bal = {"USDT": int(Decimal(usdt) * USD), "WETH": int(Decimal(weth) * ETH)}
    eq = equity if equity is not None else bal["USDT"] + PAIR.quote_raw_for(bal["WETH"], price)
    return PolicyContext(now_ms, bal, eq, venue, chain_id, quote, gas_price_wei, native_price)


def quote_for(
    order: Order, price: Decimal, *, mid: Decimal = PRICE, fee_bps: int = 0, gas_native: int = 0
) -> Quote:
    """A venue quote filling ``order`` at effective ``price``."""
    fee = order.amount_in * fee_bps // 10_000
    if order.side is Side.BUY:
        out = PAIR.base_raw_for(order.amount_in, price)
    else:
        out = PAIR.quote_raw_for(order.amount_in, price)
    return Quote(order.amount_in, out, fee, price, mid, gas_native)


__all__ = ["PAIR", "USDT", "WETH"]
