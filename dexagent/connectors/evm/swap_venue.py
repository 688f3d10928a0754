"""The execution path shared by on-chain AMM venues: check, approve, simulate, send, parse.

``execute(order, key)``: a known key returns the fill rebuilt from its receipt (no new tx).
Otherwise: balance check (InsufficientBalance) → quote → price bound against the order's
reference (SlippageExceeded) → exact approval if needed → ``eth_call`` simulation
(SimulationReverted, nothing sent) → TxManager.submit (idempotent by key) → receipt → Fill
from the pool's Swap event. A subclass supplies the pool-specific pieces.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from dexagent.connectors.evm.aio_rpc import AsyncRpc, RpcError
from dexagent.connectors.evm.erc20 import allowance, approve_data, balance_of, eth_call
from dexagent.connectors.evm.errors import Reverted, SimulationReverted, SlippageExceeded
from dexagent.connectors.evm.txmanager import Receipt, TxManager
from dexagent.connectors.evm.txstore import TxStatus
from dexagent.core.errors import ConfigError, InsufficientBalance
from dexagent.core.intents import Fill, Order, Side
from dexagent.core.tokens import Pair, Token
from dexagent.core.venue import Quote

_APPROVE_GAS = 100_000


@dataclass(frozen=True, slots=True)
class SwapPlan:
    token_in: Token
    token_out: Token
    amount_in: int


class OnChainSwapVenue(ABC):
    """Subclasses implement the five pool-specific hooks; everything else is shared."""

    name: str

    def __init__(
        self,
        *,
        name: str,
        pair: Pair,
        rpc: AsyncRpc,
        txm: TxManager,
        router: str,
        default_slippage_bps: int = 50,
        deadline_s: int = 300,
        gas_limit: int = 350_000,
    ) -> None:
        if pair.base.address is None or pair.quote.address is None:
            raise ConfigError(f"{name}: tokens of {pair} need on-chain addresses")
        if not 0 <= default_slippage_bps < 10_000:
            raise ConfigError(f"{name}: default_slippage_bps {default_slippage_bps} not in 0..9999")
        self.name, self.pair, self.rpc, self.txm, self.router = name, pair, rpc, txm, router
        self.default_slippage_bps = default_slippage_bps
        self.deadline_s, self.gas_limit = deadline_s, gas_limit

    # -- hooks -----------------------------------------------------------------------------

    @abstractmethod
    async def _amount_out(self, plan: SwapPlan) -> int: ...

    @abstractmethod
    async def _mid_price(self, block: str = "latest") -> Decimal: ...

    @abstractmethod
    def _fee_in(self, amount_in: int) -> int: ...

    @abstractmethod
    def _swap_data(self, plan: SwapPlan, min_out: int, deadline: int) -> str: ...

    @abstractmethod
    def _parse_swap(self, rcpt: Receipt, plan: SwapPlan) -> tuple[int, int]: ...

    # -- Venue protocol --------------------------------------------------------------------

    def plan(self, order: Order) -> SwapPlan:
        if order.pair != self.pair:
            raise ConfigError(f"{self.name} trades {self.pair}, not {order.pair}")
        if order.amount_in <= 0:
            raise ConfigError(f"order {order.client_order_id}: amount_in must be > 0")
        if order.side is Side.BUY:
            return SwapPlan(self.pair.quote, self.pair.base, order.amount_in)
        return SwapPlan(self.pair.base, self.pair.quote, order.amount_in)

    def _price(self, side: Side, amount_in: int, amount_out: int) -> Decimal:
        if side is Side.BUY:
            return self.pair.price_of(amount_out, amount_in)
        return self.pair.price_of(amount_in, amount_out)

    async def quote(self, order: Order) -> Quote:
        plan = self.plan(order)
        out, mid = await self._amount_out(plan), await self._mid_price()
        price = self._price(order.side, plan.amount_in, out) if out else Decimal(0)
        return Quote(plan.amount_in, out, self._fee_in(plan.amount_in), price, mid)

    async def balances(self) -> Mapping[str, int]:
        me = self.txm.address
        base, quote = self.pair.base, self.pair.quote
        assert base.address is not None and quote.address is not None
        native = int(await self.rpc.call("eth_getBalance", [me, "latest"]), 16)
        return {
            base.symbol: await balance_of(self.rpc, base.address, me),
            quote.symbol: await balance_of(self.rpc, quote.address, me),
            "native": native,
        }

    def slippage_bps(self, order: Order) -> int:
        s = order.intent.max_slippage_bps
        return self.default_slippage_bps if s is None else s

    async def execute(self, order: Order, *, key: str) -> Fill:
        plan = self.plan(order)
        rec = self.txm.store.get(key)
        if rec is None:
            await self._send(order, plan, key)
        rcpt = await self.txm.wait(key)
        rec = self.txm.store.get(key)
        assert rec is not None
        if rec.status is not TxStatus.MINED or not rcpt.status:
            raise Reverted(
                f"{self.name}: order {order.client_order_id} (key {key!r}) ended "
                f"{rec.status.value} in tx {rcpt.tx_hash}; gas spent {rcpt.fee_wei} wei"
            )
        return await self._fill(order, plan, rcpt)

    async def _send(self, order: Order, plan: SwapPlan, key: str) -> None:
        me = self.txm.address
        assert plan.token_in.address is not None
        have = await balance_of(self.rpc, plan.token_in.address, me)
        if have < plan.amount_in:
            raise InsufficientBalance(
                f"{self.name}: {me} holds {have} {plan.token_in.symbol} base units, order "
                f"{order.client_order_id} needs {plan.amount_in}"
            )
        quoted = await self._amount_out(plan)
        bps = self.slippage_bps(order)
        # the worst acceptable output at the order's reference price
        if order.side is Side.BUY:
            at_ref = self.pair.base_raw_for(plan.amount_in, order.ref_price)
        else:
            at_ref = self.pair.quote_raw_for(plan.amount_in, order.ref_price)
        floor = at_ref * (10_000 - bps) // 10_000
        if quoted < floor:
            raise SlippageExceeded(
                f"{self.name}: order {order.client_order_id} would get {quoted} "
                f"{plan.token_out.symbol} base units, below {floor} ({bps} bps under the "
                f"reference price {order.ref_price}); widen max_slippage_bps or re-price"
            )
        min_out = max(floor, quoted * (10_000 - bps) // 10_000)
        spent = await allowance(self.rpc, plan.token_in.address, me, self.router)
        if spent < plan.amount_in:
            akey = f"{key}:approve"
            await self.txm.submit(
                akey,
                to=plan.token_in.address,
                data=approve_data(self.router, plan.amount_in),
                gas=_APPROVE_GAS,
            )
            arc = await self.txm.wait(akey)
            if not arc.status:
                raise Reverted(f"{self.name}: approval {arc.tx_hash} reverted")
        block = await self.rpc.call("eth_getBlockByNumber", ["latest", False])
        deadline = int(block["timestamp"], 16) + self.deadline_s
        data = self._swap_data(plan, min_out, deadline)
        try:
            await eth_call(self.rpc, self.router, data, sender=me)
        except RpcError as exc:
            raise SimulationReverted(
                f"{self.name}: simulation of order {order.client_order_id} reverted "
                f"({exc.message}); nothing was sent"
            ) from None
        await self.txm.submit(key, to=self.router, data=data, gas=self.gas_limit)

    async def _fill(self, order: Order, plan: SwapPlan, rcpt: Receipt) -> Fill:
        amount_in, amount_out = self._parse_swap(rcpt, plan)
        before = hex(rcpt.block_number - 1)
        mid = await self._mid_price(before)
        block = await self.rpc.call("eth_getBlockByNumber", [hex(rcpt.block_number), False])
        return Fill(
            client_order_id=order.client_order_id,
            pair=self.pair,
            side=order.side,
            amount_in=amount_in,
            amount_out=amount_out,
            fee_in=self._fee_in(amount_in),
            price=self._price(order.side, amount_in, amount_out),
            ref_price=mid,
            gas_native=rcpt.fee_wei,
            timestamp_ms=int(block["timestamp"], 16) * 1000,
            venue=self.name,
            tx_hash=rcpt.tx_hash,
        )
