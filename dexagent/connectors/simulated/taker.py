"""A centralized-exchange-style taker venue: fills at mid +/- half-spread, minus a fee."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from dexagent.core.errors import ConfigError, InsufficientBalance, RejectedError
from dexagent.core.intents import Fill, Order, Side
from dexagent.core.tokens import CTX
from dexagent.core.venue import Quote


class TakerVenue:
    """Fee and half-spread in basis points; no gas, no depth limit."""

    def __init__(
        self,
        balances: Mapping[str, int],
        *,
        fee_bps: Decimal,
        half_spread_bps: Decimal,
        name: str = "taker",
    ) -> None:
        for what, bps in (("fee_bps", fee_bps), ("half_spread_bps", half_spread_bps)):
            if not Decimal(0) <= bps < Decimal(10_000):
                raise ConfigError(f"{name}: {what} {bps} not in [0, 10000)")
        self.name = name
        self._balances = balances
        self._fee = fee_bps / Decimal(10_000)
        self._spread = half_spread_bps / Decimal(10_000)
        self._price = Decimal(0)
        self._buy_px = self._sell_px = Decimal(0)
        self._t_ms = 0
        self._bar = -1
        self._done: dict[str, Fill] = {}

    def set_market(self, *, price: Decimal, t_ms: int, bar: int, native_price: Decimal) -> None:
        self._price = price
        self._buy_px = CTX.multiply(price, 1 + self._spread)
        self._sell_px = CTX.multiply(price, 1 - self._spread)
        self._t_ms = t_ms
        self._bar = bar

    async def quote(self, order: Order) -> Quote:
        return self._quote(order)

    def _quote(self, order: Order) -> Quote:
        if self._price <= 0:
            raise RejectedError(f"{self.name}: no market price set")
        pair = order.pair
        fee_in = int(CTX.multiply(Decimal(order.amount_in), self._fee))
        net = order.amount_in - fee_in
        if order.side is Side.BUY:
            px = self._buy_px
            out = pair.base_raw_for(net, px)
        else:
            px = self._sell_px
            out = pair.quote_raw_for(net, px)
        base, quote_amt = (
            (out, order.amount_in) if order.side is Side.BUY else (order.amount_in, out)
        )
        price = pair.price_of(base, quote_amt) if base > 0 else px
        return Quote(order.amount_in, out, fee_in, price, self._price)

    async def execute(self, order: Order, *, key: str) -> Fill:
        if key in self._done:
            return self._done[key]
        pay = order.pair.quote if order.side is Side.BUY else order.pair.base
        have = self._balances.get(pay.symbol, 0)
        if order.amount_in > have:
            raise InsufficientBalance(
                f"{self.name}: order {key} pays {order.amount_in} {pay.symbol} base units, "
                f"balance is {have}"
            )
        q = self._quote(order)
        if q.amount_out <= 0:
            raise RejectedError(f"{self.name}: order {key} is too small to receive anything")
        fill = Fill(
            key,
            order.pair,
            order.side,
            q.amount_in,
            q.amount_out,
            q.fee_in,
            q.price,
            q.mid_price,
            timestamp_ms=self._t_ms,
            bar=self._bar,
            venue=self.name,
        )
        self._done[key] = fill
        return fill

    async def balances(self) -> Mapping[str, int]:
        return self._balances
