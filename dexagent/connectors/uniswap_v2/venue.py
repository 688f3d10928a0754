"""UniswapV2Venue: quotes from the pair's reserves with exact local math, swaps via Router02."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from eth_utils.crypto import keccak

from dexagent.connectors.evm.aio_rpc import AsyncRpc
from dexagent.connectors.evm.contracts import load_artifact
from dexagent.connectors.evm.erc20 import eth_call
from dexagent.connectors.evm.errors import Reverted
from dexagent.connectors.evm.manifest import Deployment
from dexagent.connectors.evm.rawtx import decode_output, encode_call
from dexagent.connectors.evm.swap_venue import OnChainSwapVenue, SwapPlan
from dexagent.connectors.evm.txmanager import Receipt, TxManager
from dexagent.connectors.simulated.v2_math import DEFAULT_FEE_BPS, FEE_DENOMINATOR, get_amount_out
from dexagent.core.tokens import Pair

SWAP_TOPIC = "0x" + keccak(text="Swap(address,uint256,uint256,uint256,uint256,address)").hex()
_RESERVES = encode_call(load_artifact("UniswapV2Pair").abi, "getReserves", [])


class UniswapV2Venue(OnChainSwapVenue):
    def __init__(self, *, pool: str, token0: str, **kw: Any) -> None:
        super().__init__(**kw)
        self.pool = pool
        assert self.pair.base.address is not None
        self.base_is_token0 = self.pair.base.address.lower() == token0.lower()

    @classmethod
    def from_deployment(
        cls,
        dep: Deployment,
        txm: TxManager,
        rpc: AsyncRpc,
        *,
        base: str = "WETH",
        quote: str = "USDC",
        **kw: Any,
    ) -> UniswapV2Venue:
        pool = dep.pool("uniswap_v2")
        return cls(
            name="uniswap_v2",
            pair=Pair(dep.token(base), dep.token(quote)),
            rpc=rpc,
            txm=txm,
            router=dep.contracts["UniswapV2Router02"],
            pool=pool.address,
            token0=pool.token0,
            **kw,
        )

    async def reserves(self, block: str = "latest") -> tuple[int, int]:
        """(base reserve, quote reserve) in base units."""
        out = await eth_call(self.rpc, self.pool, _RESERVES, block=block)
        r0, r1, _ = decode_output(["uint112", "uint112", "uint32"], out)
        return (int(r0), int(r1)) if self.base_is_token0 else (int(r1), int(r0))

    async def _amount_out(self, plan: SwapPlan) -> int:
        rb, rq = await self.reserves()
        if plan.token_in == self.pair.base:
            return get_amount_out(plan.amount_in, rb, rq)
        return get_amount_out(plan.amount_in, rq, rb)

    async def _mid_price(self, block: str = "latest") -> Decimal:
        rb, rq = await self.reserves(block)
        return self.pair.price_of(rb, rq)

    def _fee_in(self, amount_in: int) -> int:
        return amount_in * DEFAULT_FEE_BPS // FEE_DENOMINATOR  # 0.3 % kept by the pool

    def _swap_data(self, plan: SwapPlan, min_out: int, deadline: int) -> str:
        path = [plan.token_in.address, plan.token_out.address]
        return encode_call(
            load_artifact("UniswapV2Router02").abi,
            "swapExactTokensForTokens",
            [plan.amount_in, min_out, path, self.txm.address, deadline],
        )

    def _parse_swap(self, rcpt: Receipt, plan: SwapPlan) -> tuple[int, int]:
        for lg in rcpt.logs:
            if lg["address"].lower() == self.pool.lower() and lg["topics"][0] == SWAP_TOPIC:
                a0i, a1i, a0o, a1o = decode_output(["uint256"] * 4, lg["data"])
                base_in = plan.token_in == self.pair.base
                if self.base_is_token0 == base_in:
                    return int(a0i), int(a1o)
                return int(a1i), int(a0o)
        raise Reverted(f"{self.name}: no Swap event of pool {self.pool} in tx {rcpt.tx_hash}")
