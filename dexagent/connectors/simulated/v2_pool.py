"""A simulated Uniswap V2 pool that follows the historical price at a configured depth.

Model (the assumptions a backtest with this venue makes):

- At every ``set_market`` the pool is re-anchored to the given price: the quote reserve is
  ``depth_quote`` and the base reserve is the base units worth ``depth_quote`` at that price
  (exact :meth:`Pair.base_raw_for`, rounded down). The pool's mid is therefore the price to
  within one base unit of the base reserve.
- A fill pays the exact constant-product output of the V2 contracts (:mod:`v2_math`), so it
  pays the pool fee and real price impact. Our trade moves the pool within that bar only: a
  second order in the same bar trades against the moved reserves; by the next ``set_market``
  arbitrageurs are assumed to have restored the pool to the market price.
- Gas: one swap costs ``gas.cost(bar)`` wei of ``native``, booked in quote at ``native_price``
  (rounded up). The account must hold the amount in *and* the gas.
- ``fee_in = amount_in * fee_bps // 10000`` (rounded down): the fee share of the input that the
  pool keeps; the pair's own K check charges exactly ``amount_in * fee_bps / 10000``.
- ``max_slippage_bps`` on the intent works like the live router's ``amountOutMin``: the fill is
  refused when the output is below the output at the order's decision-time ``ref_price`` less
  that many bps (the bound the live swap venue in ``connectors/evm/swap_venue.py`` enforces).

The venue reads balances from the mapping it is given (the kernel's portfolio view) and never
writes them: the kernel books each fill.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from dexagent.connectors.simulated.gas import GasModel, cost_in_quote
from dexagent.connectors.simulated.v2_math import DEFAULT_FEE_BPS, check_fee_bps, get_amount_out
from dexagent.core.errors import (
    ConfigError,
    DataError,
    InsufficientBalance,
    RejectedError,
    SlippageExceeded,
)
from dexagent.core.intents import Fill, Order, Side
from dexagent.core.tokens import Pair, Token
from dexagent.core.venue import Quote

_BPS = 10_000


@dataclass(frozen=True, slots=True)
class _Plan:
    quote: Quote
    gas_quote: int
    reserves_after: tuple[int, int]  # (base, quote)


class V2PoolVenue:
    """Constant-product pool at ``depth_quote`` quote base units of depth; see the module doc."""

    def __init__(
        self,
        balances: Mapping[str, int],
        pair: Pair,
        *,
        depth_quote: int,
        fee_bps: int = DEFAULT_FEE_BPS,
        gas: GasModel | None = None,
        native: Token | None = None,
        name: str = "uniswap_v2_sim",
    ) -> None:
        if isinstance(depth_quote, bool) or not isinstance(depth_quote, int) or depth_quote <= 0:
            raise ConfigError(
                f"{name}: depth_quote must be a positive int of {pair.quote.symbol} base units, "
                f"got {depth_quote!r}"
            )
        if gas is not None and native is None:
            raise ConfigError(f"{name}: a gas model needs the native token it is paid in")
        self.name = name
        self.pair = pair
        self.depth_quote = depth_quote
        self.fee_bps = check_fee_bps(fee_bps)
        self.gas = gas
        self.native = native
        self._balances = balances
        self._reserve_base = 0
        self._reserve_quote = 0
        self._native_price = Decimal(0)
        self._t_ms = 0
        self._bar = -1
        self._done: dict[str, Fill] = {}

    @property
    def reserves(self) -> tuple[int, int]:
        """``(base, quote)`` reserves now, in base units."""
        return self._reserve_base, self._reserve_quote

    @property
    def mid_price(self) -> Decimal:
        return self.pair.price_of(self._reserve_base, self._reserve_quote)

    def set_market(self, *, price: Decimal, t_ms: int, bar: int, native_price: Decimal) -> None:
        if price <= 0:
            raise DataError(f"{self.name}: price {price} at bar {bar} (t={t_ms}) must be > 0")
        reserve_base = self.pair.base_raw_for(self.depth_quote, price)
        if reserve_base <= 0:
            raise ConfigError(
                f"{self.name}: depth_quote {self.depth_quote} buys no {self.pair.base.symbol} "
                f"at price {price}; raise the venue's depth"
            )
        self._reserve_base = reserve_base
        self._reserve_quote = self.depth_quote
        self._native_price = native_price
        self._t_ms = t_ms
        self._bar = bar

    async def quote(self, order: Order) -> Quote:
        return self._plan(order).quote

    async def execute(self, order: Order, *, key: str) -> Fill:
        done = self._done.get(key)
        if done is not None:
            return done
        plan = self._plan(order)
        q = plan.quote
        if q.amount_out <= 0:
            raise RejectedError(
                f"{self.name}: order {key} of {order.amount_in} base units is too small to "
                "receive anything"
            )
        self._check_funds(order, key, q.gas_native)
        self._check_slippage(order, key, q.amount_out)
        self._reserve_base, self._reserve_quote = plan.reserves_after
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
            gas_quote=plan.gas_quote,
            timestamp_ms=self._t_ms,
            bar=self._bar,
            venue=self.name,
        )
        self._done[key] = fill
        return fill

    async def balances(self) -> Mapping[str, int]:
        return self._balances

    def _plan(self, order: Order) -> _Plan:
        if order.pair != self.pair:
            raise RejectedError(f"{self.name}: trades {self.pair.symbol}, not {order.pair.symbol}")
        rb, rq = self._reserve_base, self._reserve_quote
        if rq <= 0:
            raise RejectedError(f"{self.name}: no market set; call set_market before trading")
        amount_in = order.amount_in
        buy = order.side is Side.BUY
        out = (
            get_amount_out(amount_in, rq, rb, self.fee_bps)
            if buy
            else get_amount_out(amount_in, rb, rq, self.fee_bps)
        )
        base, quote_amt = (out, amount_in) if buy else (amount_in, out)
        mid = self.pair.price_of(rb, rq)
        price = self.pair.price_of(base, quote_amt) if base > 0 else mid
        after = (rb - out, rq + amount_in) if buy else (rb + amount_in, rq - out)
        gas_native = self.gas.cost(self._bar) if self.gas is not None else 0
        gas_quote = 0
        if gas_native and self.native is not None:
            gas_quote = cost_in_quote(gas_native, self._native_price, self.pair.quote, self.native)
        q = Quote(
            amount_in,
            out,
            amount_in * self.fee_bps // _BPS,
            price,
            mid,
            gas_native=gas_native,
            gas_price_wei=self.gas.gas_price_wei(self._bar) if self.gas is not None else None,
            native_price=self._native_price if self.gas is not None else None,
        )
        return _Plan(q, gas_quote, after)

    def _check_funds(self, order: Order, key: str, gas_native: int) -> None:
        pay = self.pair.quote if order.side is Side.BUY else self.pair.base
        needs: dict[str, tuple[int, str]] = {pay.symbol: (order.amount_in, "amount in")}
        if gas_native and self.native is not None:
            sym = self.native.symbol
            if sym in needs:
                need, what = needs[sym]
                needs[sym] = (need + gas_native, f"{what} {need} + gas {gas_native}")
            else:
                needs[sym] = (gas_native, "gas")
        for sym, (need, what) in needs.items():
            have = self._balances.get(sym, 0)
            if need > have:
                raise InsufficientBalance(
                    f"{self.name}: order {key} needs {need} {sym} base units ({what}), "
                    f"balance is {have}"
                )

    def _check_slippage(self, order: Order, key: str, amount_out: int) -> None:
        bps = order.intent.max_slippage_bps
        if bps is None:
            return
        if order.ref_price <= 0:
            raise RejectedError(
                f"{self.name}: order {key} has max_slippage_bps but reference price "
                f"{order.ref_price}"
            )
        if order.side is Side.BUY:
            at_ref = self.pair.base_raw_for(order.amount_in, order.ref_price)
            token = self.pair.base.symbol
        else:
            at_ref = self.pair.quote_raw_for(order.amount_in, order.ref_price)
            token = self.pair.quote.symbol
        floor = at_ref * (_BPS - bps) // _BPS
        if amount_out < floor:
            raise SlippageExceeded(
                f"{self.name}: order {key} would get {amount_out} {token} base units, below "
                f"{floor} ({bps} bps under the reference price {order.ref_price}); widen "
                "max_slippage_bps, trade smaller, or re-price"
            )
