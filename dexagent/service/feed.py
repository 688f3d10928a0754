"""Live market data from the chain: the latest block's timestamp and the pool's mid price in it.

One sample per poll: ``eth_getBlockByNumber("latest")`` then the pool state *at that block*
(V2 ``getReserves``, V3 ``slot0``), so price and time always come from the same block.
A bar's volume is the base token swapped in the pool's ``Swap`` logs of the bar's blocks
(``eth_getLogs``), summed as exact integers.
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
# Swap(address indexed sender, uint amount0In, uint amount1In, uint amount0Out, uint amount1Out,
#      address indexed to)
SWAP_TOPIC_V2 = "0xd78ad95fa46c994b6551d0da85fc275fe613ce37657fb8d5e3d130840159d822"
# Swap(address indexed sender, address indexed recipient, int256 amount0, int256 amount1,
#      uint160 sqrtPriceX96, uint128 liquidity, int24 tick)
SWAP_TOPIC_V3 = "0xc42079f94a6350d7e6235f29174924f928cc2ac818eb64fed8004e115fbcca67"
LOGS_CHUNK_BLOCKS = 2000  # eth_getLogs ranges are split so public RPCs accept them


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


class SwapVolume(Protocol):
    async def __call__(self, from_block: int, to_block: int) -> int: ...


def _word(data: bytes, i: int, *, signed: bool = False) -> int:
    return int.from_bytes(data[32 * i : 32 * i + 32], "big", signed=signed)


def v2_base_amount(data: bytes, base_is_0: bool) -> int:
    """Base units swapped by one V2 ``Swap`` log (in + out of the base token)."""
    a0_in, a1_in, a0_out, a1_out = (_word(data, i) for i in range(4))
    return a0_in + a0_out if base_is_0 else a1_in + a1_out


def v3_base_amount(data: bytes, base_is_0: bool) -> int:
    """Base units swapped by one V3 ``Swap`` log (``|amount0|`` or ``|amount1|``)."""
    return abs(_word(data, 0 if base_is_0 else 1, signed=True))


def swap_volume(rpc: AsyncRpc, pool: PoolInfo, pair: Pair) -> SwapVolume:
    """The base-token amount (raw units) swapped in ``pool`` over blocks ``[from, to]``."""
    assert pair.base.address is not None
    base_is_0 = pair.base.address.lower() == pool.token0.lower()
    if pool.protocol == "uniswap_v2":
        topic, amount = SWAP_TOPIC_V2, v2_base_amount
    elif pool.protocol == "uniswap_v3":
        topic, amount = SWAP_TOPIC_V3, v3_base_amount
    else:
        raise ConfigError(f"no swap decoder for pool protocol {pool.protocol!r}")

    async def volume(from_block: int, to_block: int) -> int:
        total = 0
        lo = from_block
        while lo <= to_block:
            hi = min(to_block, lo + LOGS_CHUNK_BLOCKS - 1)
            logs = await rpc.call(
                "eth_getLogs",
                [
                    {
                        "address": pool.address,
                        "fromBlock": hex(lo),
                        "toBlock": hex(hi),
                        "topics": [topic],
                    }
                ],
            )
            for lg in logs:
                if lg.get("removed") or not lg["topics"] or lg["topics"][0].lower() != topic:
                    continue
                total += amount(bytes.fromhex(lg["data"].removeprefix("0x")), base_is_0)
            lo = hi + 1
        return total

    return volume


class ChainFeed:
    def __init__(self, rpc: AsyncRpc, price: PoolPrice, volume: SwapVolume | None = None) -> None:
        self.rpc = rpc
        self._price = price
        self._volume = volume
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

    async def volume(self, from_block: int, to_block: int) -> int | None:
        """Base units swapped in the pool over ``[from_block, to_block]``; None without a reader."""
        if self._volume is None or from_block < 0 or to_block < from_block:
            return None
        return await self._volume(from_block, to_block)

    async def chain_time_ms(self) -> int:
        block = await self.rpc.call("eth_getBlockByNumber", ["latest", False])
        return int(block["timestamp"], 16) * 1000
