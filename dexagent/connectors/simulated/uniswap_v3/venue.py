"""V3PoolVenue: a Uniswap V3 pool with concentrated liquidity as a backtest venue.

The pool is a :class:`V3Pool` built from the configured positions (the liquidity providers; not
our account). Each ``set_market`` moves the pool to the historical price with an *arbitrage
swap*: an exact-input swap with ``sqrtPriceLimitX96`` at the target price and an unbounded
amount, which stops exactly at that price. This is how prices move on chain (arbitrageurs trade
the pool to the outside price), so the state after it is one the real contract could reach: ticks
crossed on the way flip their fee growth, the active liquidity follows the price, and the fees
the arbitrageur pays accrue to the liquidity providers. (Writing ``sqrtPriceX96`` directly would
skip the tick crossings and leave the active liquidity wrong.) Orders then trade against the pool
from that price, with the exact amounts, fee and price impact of the contract.

Gas: an optional model with ``cost(bar) -> wei`` (:class:`GasModel` fits); the cost is booked in
quote at ``native_price``, rounded up. Idempotent by key; balance check of the token paid in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from dexagent.connectors.simulated.gas import cost_in_quote
from dexagent.connectors.simulated.uniswap_v3.errors import V3Revert
from dexagent.connectors.simulated.uniswap_v3.full_math import MAX_INT256
from dexagent.connectors.simulated.uniswap_v3.pool import SwapResult, V3Pool
from dexagent.connectors.simulated.uniswap_v3.prices import price_of_sqrt, sqrt_price_x96_of
from dexagent.connectors.simulated.uniswap_v3.tick_math import MAX_SQRT_RATIO, MIN_SQRT_RATIO
from dexagent.core.errors import ConfigError, InsufficientBalance, RejectedError
from dexagent.core.intents import Fill, Order, Side
from dexagent.core.tokens import Pair, Token
from dexagent.core.venue import Quote

ETH = Token("ETH", 18)


class GasCost(Protocol):
    def cost(self, bar: int) -> int: ...


@dataclass(frozen=True, slots=True)
class V3Position:
    """Liquidity ``liquidity`` on [tick_lower, tick_upper) (ticks multiples of the spacing)."""

    tick_lower: int
    tick_upper: int
    liquidity: int


class V3PoolVenue:
    """Trades ``pair`` against one simulated V3 pool; see the module docstring."""

    def __init__(
        self,
        pair: Pair,
        balances: Mapping[str, int],
        *,
        fee: int,
        tick_spacing: int,
        positions: Sequence[V3Position],
        initial_price: Decimal,
        base_is_token0: bool = True,
        gas: GasCost | None = None,
        native: Token = ETH,
        name: str = "uniswap_v3_sim",
    ) -> None:
        if not positions:
            raise ConfigError(f"{name}: a V3 pool venue needs at least one liquidity position")
        self.name = name
        self.pair = pair
        self._balances = balances
        self._base0 = base_is_token0
        self._gas = gas
        self._native = native
        self.pool = V3Pool(fee, tick_spacing)
        try:
            self.pool.initialize(self._sqrt_of(initial_price))
            for p in positions:
                self.pool.mint(p.tick_lower, p.tick_upper, p.liquidity, owner="lp")
        except V3Revert as exc:
            raise ConfigError(
                f"{name}: pool configuration rejected by the V3 contract: {exc}"
            ) from None
        self._native_price = Decimal(0)
        self._t_ms = 0
        self._bar = -1
        self._done: dict[str, Fill] = {}

    # -- market -------------------------------------------------------------------------------

    def _sqrt_of(self, price: Decimal) -> int:
        return sqrt_price_x96_of(price, self.pair, base_is_token0=self._base0)

    @property
    def mid_price(self) -> Decimal:
        return price_of_sqrt(self.pool.sqrt_price_x96, self.pair, base_is_token0=self._base0)

    def set_market(self, *, price: Decimal, t_ms: int, bar: int, native_price: Decimal) -> None:
        """Arbitrage the pool to ``price`` (see the module docstring); returns nothing."""
        self.move_to(price)
        self._native_price = native_price
        self._t_ms = t_ms
        self._bar = bar

    def move_to(self, price: Decimal) -> SwapResult | None:
        """The arbitrage swap that brings the pool to ``price``; None when already there."""
        target = self._sqrt_of(price)
        cur = self.pool.sqrt_price_x96
        if target == cur:
            return None
        return self.pool.swap_result(target < cur, MAX_INT256, target)

    # -- Venue protocol -----------------------------------------------------------------------

    def _direction(self, order: Order) -> bool:
        if order.pair != self.pair:
            raise ConfigError(f"{self.name} trades {self.pair}, not {order.pair}")
        if order.amount_in <= 0:
            raise RejectedError(f"{self.name}: order {order.client_order_id} pays nothing")
        pays_base = order.side is Side.SELL
        return pays_base == self._base0  # zeroForOne: token0 is paid in

    def _result(self, order: Order, commit: bool) -> SwapResult:
        zero_for_one = self._direction(order)
        limit = MIN_SQRT_RATIO + 1 if zero_for_one else MAX_SQRT_RATIO - 1
        if commit:
            return self.pool.swap_result(zero_for_one, order.amount_in, limit)
        return self.pool.quote_swap(zero_for_one, order.amount_in, limit)

    def _to_quote(self, order: Order, r: SwapResult, mid: Decimal) -> Quote:
        zero_for_one = self._direction(order)
        paid = r.amount0 if zero_for_one else r.amount1
        out = -(r.amount1 if zero_for_one else r.amount0)
        base, quote_amt = (out, paid) if order.side is Side.BUY else (paid, out)
        price = self.pair.price_of(base, quote_amt) if base > 0 and quote_amt > 0 else mid
        gas = self._gas.cost(self._bar) if self._gas is not None else 0
        return Quote(paid, out, r.fee_amount, price, mid, gas)

    async def quote(self, order: Order) -> Quote:
        return self._to_quote(order, self._result(order, commit=False), self.mid_price)

    async def execute(self, order: Order, *, key: str) -> Fill:
        if key in self._done:
            return self._done[key]
        pay = order.pair.quote if order.side is Side.BUY else order.pair.base
        mid = self.mid_price
        q = self._to_quote(order, self._result(order, commit=False), mid)
        need = {pay.symbol: order.amount_in}
        if q.gas_native and self._native.symbol in self._balances:
            need[self._native.symbol] = need.get(self._native.symbol, 0) + q.gas_native
        for sym, amount in need.items():
            have = self._balances.get(sym, 0)
            if amount > have:
                raise InsufficientBalance(
                    f"{self.name}: order {key} needs {amount} {sym} base units (swap input"
                    f"{' and gas' if sym == self._native.symbol else ''}), balance is {have}"
                )
        if q.amount_out <= 0:
            raise RejectedError(f"{self.name}: order {key} is too small to receive anything")
        self._check_slippage(order, q, key)
        q = self._to_quote(order, self._result(order, commit=True), mid)
        gas_quote = (
            cost_in_quote(q.gas_native, self._native_price, self.pair.quote, self._native)
            if q.gas_native
            else 0
        )
        fill = Fill(
            key,
            order.pair,
            order.side,
            q.amount_in,
            q.amount_out,
            q.fee_in,
            q.price,
            q.mid_price,
            gas_native=q.gas_native,
            gas_quote=gas_quote,
            timestamp_ms=self._t_ms,
            bar=self._bar,
            venue=self.name,
        )
        self._done[key] = fill
        return fill

    def _check_slippage(self, order: Order, q: Quote, key: str) -> None:
        bps = order.intent.max_slippage_bps
        if bps is None:
            return
        if order.side is Side.BUY:
            at_ref = self.pair.base_raw_for(q.amount_in, order.ref_price)
        else:
            at_ref = self.pair.quote_raw_for(q.amount_in, order.ref_price)
        floor = at_ref * (10_000 - bps) // 10_000
        if q.amount_out < floor:
            raise RejectedError(
                f"{self.name}: order {key} would receive {q.amount_out} base units, below "
                f"{floor} ({bps} bps under the reference price {order.ref_price})"
            )

    async def balances(self) -> Mapping[str, int]:
        return self._balances
