"""Live market data from the chain: the latest block's timestamp and the pool's mid price in it.

One sample per poll: ``eth_getBlockByNumber("latest")`` then the pool state *at that block*
(V2 ``getReserves``, V3 ``slot0``), so price and time always come from the same block.
RPC faults surface as ``TemporaryError`` (from ``AsyncRpc``) for the agent's supervisor.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from dexagent.connectors.evm.aio_rpc import AsyncRpc
from dexagent.connectors.evm.contracts import load_artifact
from dexagent.connectors.evm.erc20 import eth_call
from dexagent.connectors.evm.manifest import PoolInfo
from dexagent.connectors.evm.rawtx import decode_output, encode_call
from dexagent.core.errors import ConfigError
from dexagent.core.tokens import Pair

_Q192 = 2**192
_RESERVES = encode_call(load_artifact("UniswapV2Pair").abi, "getReserves", [])
_SLOT0 = encode_call(load_artifact("UniswapV3Pool").abi, "slot0", [])
_SLOT0_TYPES = ["uint160", "int24", "uint16", "uint16", "uint16", "uint8", "bool"]


@dataclass(frozen=True, slots=True)
class Sample:
    block: int
    ts_ms: int
    price: Decimal  # pool mid, quote per base


class PoolPrice(Protocol):
    async def __call__(self, block_tag: str) -> Decimal: ...


def pool_price(rpc: AsyncRpc, pool: PoolInfo, pair: Pair) -> PoolPrice:
    """The mid price of ``pool`` (V2: reserves; V3: slot0) at a block, quote per base."""
    assert pair.base.address is not None
    base_is_0 = pair.base.address.lower() == pool.token0.lower()

    async def v2(block_tag: str) -> Decimal:
        out = await eth_call(rpc, pool.address, _RESERVES, block=block_tag)
        r0, r1, _ = decode_output(["uint112", "uint112", "uint32"], out)
        rb, rq = (int(r0), int(r1)) if base_is_0 else (int(r1), int(r0))
        return pair.price_of(rb, rq)

    async def v3(block_tag: str) -> Decimal:
        out = await eth_call(rpc, pool.address, _SLOT0, block=block_tag)
        s2 = int(decode_output(_SLOT0_TYPES, out)[0]) ** 2
        return pair.price_of(_Q192, s2) if base_is_0 else pair.price_of(s2, _Q192)

    if pool.protocol == "uniswap_v2":
        return v2
    if pool.protocol == "uniswap_v3":
        return v3
    raise ConfigError(f"no price reader for pool protocol {pool.protocol!r}")


class ChainFeed:
    def __init__(self, rpc: AsyncRpc, price: PoolPrice) -> None:
        self.rpc = rpc
        self._price = price
        self.last_block = -1

    async def latest(self) -> Sample | None:
        """The newest block's sample, or None when no block was mined since the last call."""
        block = await self.rpc.call("eth_getBlockByNumber", ["latest", False])
        number = int(block["number"], 16)
        if number == self.last_block:
            return None
        px = await self._price(hex(number))
        self.last_block = number
        return Sample(number, int(block["timestamp"], 16) * 1000, px)

    async def at(self, number: int) -> Sample:
        """The sample of block ``number`` (its timestamp and the pool price after it)."""
        block = await self.rpc.call("eth_getBlockByNumber", [hex(number), False])
        px = await self._price(hex(number))
        return Sample(number, int(block["timestamp"], 16) * 1000, px)

    async def chain_time_ms(self) -> int:
        block = await self.rpc.call("eth_getBlockByNumber", ["latest", False])
        return int(block["timestamp"], 16) * 1000
