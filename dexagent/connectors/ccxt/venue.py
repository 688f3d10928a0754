"""CcxtVenue: the core Venue protocol on a spot market of any ccxt exchange (async_support).

Required of the exchange (checked at construction, from ``exchange.has``): see
``capabilities.REQUIRED``. Markets load on first use; the market must be spot.

- ``quote``: walks ``fetch_order_book`` for the order's exact amount after the market's taker
  fee (rounded up), in base units (``book.walk``).
- ``execute``: idempotent by ``key``. The key becomes the exchange's client order id
  (``capabilities.CLIENT_IDS``). The order is looked up by that id first; only if the exchange
  does not know it is it placed: a market order (a BUY spends exactly ``amount_in`` quote via
  ``createMarketBuyOrderWithCost``) or, with ``order_type="ioc"``, an immediate-or-cancel limit
  at a collar of ``max_slippage_bps`` around the order's reference price (a BUY is sized at the
  collar price, so it never spends more than ``amount_in``). The venue then polls the order
  until it is done and builds the Fill from its trades (``fills.fill_from_trades``). An order
  that ends with nothing filled is a RejectedError; one still open after ``timeout_s`` is a
  TemporaryError (run it again with the same key to pick it up, nothing is placed twice).
- ``balances``: free balances of the pair's two tokens, in base units (rounded down).

A Fill's ``ref_price`` is the book mid just before placing, or the order's reference price
when the order was found already placed (its pre-trade book is gone).
"""

from __future__ import annotations

import asyncio
import difflib
import time
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import ccxt
from ccxt.base.decimal_to_precision import TRUNCATE, decimal_to_precision

from dexagent.connectors.ccxt.book import Level, levels, mid_price, walk
from dexagent.connectors.ccxt.capabilities import (
    BALANCE_PARAMS,
    OrderType,
    check_capabilities,
    client_id_style,
)
from dexagent.connectors.ccxt.errors import ccxt_errors
from dexagent.connectors.ccxt.fills import dec, fill_from_trades
from dexagent.core.errors import ConfigError, FatalError, RejectedError, TemporaryError
from dexagent.core.intents import Fill, Order, Side
from dexagent.core.tokens import CTX, Pair
from dexagent.core.venue import Quote

FINAL = frozenset({"closed", "canceled", "expired", "rejected"})


def _codes(market: Mapping[str, Any], which: str, ours: str) -> frozenset[str]:
    """Every name a fee currency of ``market``'s base (or quote) token may come under:
    ccxt's unified code, the exchange's id and name for it, and our symbol."""
    names = (market.get(which), market.get(f"{which}Id"), market.get(f"{which}Name"), ours)
    return frozenset(str(n) for n in names if n)


class CcxtVenue:
    def __init__(
        self,
        exchange: Any,
        pair: Pair,
        *,
        market_symbol: str,
        name: str | None = None,
        order_type: OrderType = "market",
        default_slippage_bps: int = 50,
        poll_s: float = 0.5,
        timeout_s: float = 30.0,
        book_depth: int = 100,
    ) -> None:
        self.name = name or f"ccxt:{getattr(exchange, 'id', '?')}:{market_symbol}"
        check_capabilities(exchange, order_type, name=self.name)
        if not 0 <= default_slippage_bps < 10_000:
            raise ConfigError(
                f"{self.name}: default_slippage_bps {default_slippage_bps} not in 0..9999"
            )
        self.exchange, self.pair, self.symbol = exchange, pair, market_symbol
        self.order_type: OrderType = order_type
        self.default_slippage_bps = default_slippage_bps
        self.poll_s, self.timeout_s, self.book_depth = poll_s, timeout_s, book_depth
        self._ids = client_id_style(exchange.id)
        self._market: Mapping[str, Any] | None = None
        self._done: dict[str, Fill] = {}

    def __repr__(self) -> str:
        return f"CcxtVenue({self.name!r}, {self.symbol!r}, order_type={self.order_type!r})"

    # -- market and book ----------------------------------------------------------------

    async def market(self) -> Mapping[str, Any]:
        if self._market is None:
            with ccxt_errors(f"{self.name}: loading markets", self.exchange):
                markets = await self.exchange.load_markets()
            if self.symbol not in markets:
                close = difflib.get_close_matches(self.symbol, list(markets), n=3)
                hint = f" Did you mean {', '.join(close)}?" if close else ""
                raise ConfigError(
                    f"{self.name}: {self.exchange.id} lists no market {self.symbol!r}.{hint}"
                )
            market = markets[self.symbol]
            if not market.get("spot"):
                raise ConfigError(
                    f"{self.name}: {self.symbol!r} is a {market.get('type')} market; a "
                    f"CcxtVenue trades spot markets only (token for token)"
                )
            self._market = market
        return self._market

    async def _book(self) -> tuple[list[Level], list[Level]]:
        await self.market()
        with ccxt_errors(f"{self.name}: order book of {self.symbol}", self.exchange):
            book = await self.exchange.fetch_order_book(self.symbol, self.book_depth)
        return levels(book["bids"]), levels(book["asks"])

    def _check(self, order: Order) -> None:
        if order.pair != self.pair:
            raise ConfigError(f"{self.name} trades {self.pair}, not {order.pair}")
        if order.amount_in <= 0:
            raise ConfigError(f"order {order.client_order_id}: amount_in must be > 0")

    # -- Venue protocol -----------------------------------------------------------------

    async def quote(self, order: Order) -> Quote:
        self._check(order)
        market = await self.market()
        bids, asks = await self._book()
        n, d = dec(market.get("taker") or 0).as_integer_ratio()
        fee_in = -(-order.amount_in * n // d)  # rounded up: never promise more
        buy = order.side is Side.BUY
        out = walk(self.pair, order.side, order.amount_in - fee_in, asks if buy else bids)
        if out <= 0:
            raise RejectedError(f"{self.name}: order {order.client_order_id} is too small")
        base, quote = (out, order.amount_in) if buy else (order.amount_in, out)
        price = self.pair.price_of(base, quote)
        return Quote(order.amount_in, out, fee_in, price, mid_price(bids, asks))

    async def balances(self) -> Mapping[str, int]:
        market = await self.market()
        params = dict(BALANCE_PARAMS.get(self.exchange.id, {}))
        with ccxt_errors(f"{self.name}: balances", self.exchange):
            bal = await self.exchange.fetch_balance(params)
        free = bal.get("free") or {}
        return {
            self.pair.base.symbol: self.pair.base.to_raw(dec(free.get(market["base"]) or 0)),
            self.pair.quote.symbol: self.pair.quote.to_raw(dec(free.get(market["quote"]) or 0)),
        }

    async def execute(self, order: Order, *, key: str) -> Fill:
        self._check(order)
        if key in self._done:
            return self._done[key]
        market = await self.market()
        cid = self._ids.client_id(key)
        found = await self._find(cid, key)
        ref = order.ref_price
        if found is None:
            bids, asks = await self._book()
            ref = mid_price(bids, asks)
            found = await self._place(order, cid, key)
        done = await self._until_done(found, cid, key)
        filled = dec(done.get("filled") or 0)
        if filled <= 0:
            raise RejectedError(
                f"{self.name}: order {key} (exchange id {done.get('id')}) ended "
                f"{done.get('status')} with nothing filled"
            )
        trades = await self._trades(done, filled, key)
        fill = fill_from_trades(
            client_order_id=order.client_order_id,
            pair=self.pair,
            side=order.side,
            trades=trades,
            base_codes=_codes(market, "base", self.pair.base.symbol),
            quote_codes=_codes(market, "quote", self.pair.quote.symbol),
            ref_price=ref,
            venue=self.name,
        )
        self._done[key] = fill
        return fill

    # -- execute, step by step ----------------------------------------------------------

    async def _find(self, cid: str, key: str) -> dict[str, Any] | None:
        """The exchange's order with client id ``cid``, or None if it has none."""
        params = {self._ids.lookup_param: cid}
        with ccxt_errors(f"{self.name}: looking up order {key} ({cid})", self.exchange):
            try:
                order: dict[str, Any] = await self.exchange.fetch_order("", self.symbol, params)
            except ccxt.OrderNotFound:
                return None
        return order if order.get("id") else None

    def _slippage_bps(self, order: Order) -> int:
        s = order.intent.max_slippage_bps
        return self.default_slippage_bps if s is None else s

    async def _place(self, order: Order, cid: str, key: str) -> dict[str, Any]:
        ex, sym, pair = self.exchange, self.symbol, self.pair
        buy = order.side is Side.BUY
        pay = pair.quote if buy else pair.base
        human_in = pay.to_decimal(order.amount_in)
        params: dict[str, Any] = {self._ids.create_param: cid}
        context = f"{self.name}: order {key} paying {order.amount_in} {pay.symbol} base units"
        with ccxt_errors(context, ex):
            if self.order_type == "market" and buy:
                created = await ex.create_market_buy_order_with_cost(sym, f"{human_in:f}", params)
            elif self.order_type == "market":
                amount = self._amount_down(human_in)
                created = await ex.create_order(sym, "market", "sell", amount, None, params)
            else:
                bps = Decimal(self._slippage_bps(order)) / 10_000
                collar = CTX.multiply(order.ref_price, 1 + bps if buy else 1 - bps)
                price = ex.price_to_precision(sym, f"{collar:f}")
                size = CTX.divide(human_in, dec(price)) if buy else human_in
                amount = self._amount_down(size)
                params["timeInForce"] = "IOC"
                created = await ex.create_order(
                    sym, "limit", order.side.value, amount, price, params
                )
        result: dict[str, Any] = created
        return result

    def _amount_down(self, size: Decimal) -> str:
        """``size`` on the market's amount grid, rounded down (some exchanges' own
        ``amount_to_precision`` round to nearest, which could trade more than ``amount_in``)."""
        assert self._market is not None
        step = self._market["precision"]["amount"]
        down = decimal_to_precision(f"{size:f}", TRUNCATE, step, self.exchange.precisionMode)
        amount = str(self.exchange.amount_to_precision(self.symbol, down))
        if dec(amount) > size or dec(amount) <= 0:
            raise RejectedError(
                f"{self.name}: {size} {self._market['base']} is below the market's lot size "
                f"{step} (it rounds to {amount})"
            )
        return amount

    async def _until_done(self, order: dict[str, Any], cid: str, key: str) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout_s
        current: dict[str, Any] | None = order
        while current is None or current.get("status") not in FINAL:
            if time.monotonic() >= deadline:
                state = "not visible" if current is None else current.get("status")
                raise TemporaryError(
                    f"{self.name}: order {key} ({cid}) still {state} after {self.timeout_s}s; "
                    f"execute it again with the same key to pick it up"
                )
            if current is not None and current.get("status") == "open":
                await asyncio.sleep(self.poll_s)
            current = await self._find(cid, key)
            if current is None:
                await asyncio.sleep(self.poll_s)
        return current

    async def _trades(self, order: dict[str, Any], filled: Decimal, key: str) -> list[Any]:
        ex, oid = self.exchange, str(order["id"])
        deadline = time.monotonic() + self.timeout_s
        while True:
            with ccxt_errors(f"{self.name}: trades of order {key} ({oid})", ex):
                if ex.has.get("fetchOrderTrades"):
                    trades = list(await ex.fetch_order_trades(oid, self.symbol))
                else:
                    mine = await ex.fetch_my_trades(self.symbol, order.get("timestamp"))
                    trades = [t for t in mine if str(t.get("order")) == oid]
            got = sum((dec(t["amount"]) for t in trades), Decimal(0))
            if got == filled:
                return trades
            if got > filled:
                raise FatalError(
                    f"{self.name}: order {key} ({oid}) reports {filled} filled but its trades "
                    f"sum to {got}"
                )
            if time.monotonic() >= deadline:
                raise TemporaryError(
                    f"{self.name}: order {key} ({oid}) filled {filled}, trades so far sum to "
                    f"{got} after {self.timeout_s}s; execute again with the same key"
                )
            await asyncio.sleep(self.poll_s)
