"""UniswapV3Venue: quotes by QuoterV2 (eth_call), swaps by SwapRouter.exactInputSingle.

Exact V3 math off chain lives in ``connectors/simulated/uniswap_v3``; here the chain is the truth.
"""

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
from dexagent.core.tokens import Pair

SWAP_TOPIC = "0x" + keccak(text="Swap(address,address,int256,int256,uint160,uint128,int24)").hex()
_SLOT0 = encode_call(load_artifact("UniswapV3Pool").abi, "slot0", [])
_SLOT0_TYPES = ["uint160", "int24", "uint16", "uint16", "uint16", "uint8", "bool"]
_Q192 = 2**192


class UniswapV3Venue(OnChainSwapVenue):
    def __init__(self, *, pool: str, token0: str, fee: int, quoter: str, **kw: Any) -> None:
        super().__init__(**kw)
        self.pool, self.fee, self.quoter = pool, fee, quoter
        assert self.pair.base.address is not None
        self.base_is_token0 = self.pair.base.address.lower() == token0.lower()

    @classmethod
    def from_deployment(
        cls,
        dep: Deployment,
        txm: TxManager,
        rpc: AsyncRpc,
        *,
        fee: int = 3000,
        base: str = "WETH",
        quote: str = "USDC",
        **kw: Any,
    ) -> UniswapV3Venue:
        pool = dep.pool("uniswap_v3", fee)
        return cls(
            name=f"uniswap_v3_{fee}",
            pair=Pair(dep.token(base), dep.token(quote)),
            rpc=rpc,
            txm=txm,
            router=dep.contracts["SwapRouter"],
            pool=pool.address,
            token0=pool.token0,
            fee=fee,
            quoter=dep.contracts["QuoterV2"],
            **kw,
        )

    async def sqrt_price_x96(self, block: str = "latest") -> int:
        out = await eth_call(self.rpc, self.pool, _SLOT0, block=block)
        return int(decode_output(_SLOT0_TYPES, out)[0])

    async def _amount_out(self, plan: SwapPlan) -> int:
        params = {
            "tokenIn": plan.token_in.address,
            "tokenOut": plan.token_out.address,
            "amountIn": plan.amount_in,
            "fee": self.fee,
            "sqrtPriceLimitX96": 0,
        }
        data = encode_call(load_artifact("QuoterV2").abi, "quoteExactInputSingle", [params])
        out = await eth_call(self.rpc, self.quoter, data)
        return int(decode_output(["uint256", "uint160", "uint32", "uint256"], out)[0])

    async def _mid_price(self, block: str = "latest") -> Decimal:
        s2 = (await self.sqrt_price_x96(block)) ** 2
        # token1 raw per token0 raw = s2 / 2**192
        if self.base_is_token0:
            return self.pair.price_of(_Q192, s2)
        return self.pair.price_of(s2, _Q192)

    def _fee_in(self, amount_in: int) -> int:
        return amount_in * self.fee // 1_000_000

    def _swap_data(self, plan: SwapPlan, min_out: int, deadline: int) -> str:
        params = {
            "tokenIn": plan.token_in.address,
            "tokenOut": plan.token_out.address,
            "fee": self.fee,
            "recipient": self.txm.address,
            "deadline": deadline,
            "amountIn": plan.amount_in,
            "amountOutMinimum": min_out,
            "sqrtPriceLimitX96": 0,
        }
        return encode_call(load_artifact("SwapRouter").abi, "exactInputSingle", [params])

    def _parse_swap(self, rcpt: Receipt, plan: SwapPlan) -> tuple[int, int]:
        for lg in rcpt.logs:
            if lg["address"].lower() == self.pool.lower() and lg["topics"][0] == SWAP_TOPIC:
                a0, a1, *_ = decode_output(
                    ["int256", "int256", "uint160", "uint128", "int24"], lg["data"]
                )
                base_in = plan.token_in == self.pair.base
                if self.base_is_token0 == base_in:
                    return int(a0), -int(a1)
                return int(a1), -int(a0)
        raise Reverted(f"{self.name}: no Swap event of pool {self.pool} in tx {rcpt.tx_hash}")
