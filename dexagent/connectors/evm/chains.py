"""Chain registry (ids, native token, wrapped native, Uniswap addresses) and the L2 fee model.

Addresses are the official Uniswap deployments (docs.uniswap.org: V2 and V3 deployment pages);
``None`` where none is published. Fees: OP-stack chains charge an L1 data fee on top of L2 gas
(GasPriceOracle.getL1Fee); Arbitrum charges an L1 component too (NodeInterface
.gasEstimateL1Component, in L2 gas units at the L2 base fee). Other chains have none.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from eth_abi.abi import decode as abi_decode
from eth_abi.abi import encode as abi_encode
from eth_utils.crypto import keccak

from dexagent.connectors.evm.aio_rpc import AsyncRpc
from dexagent.core.errors import ConfigError

OP_GAS_PRICE_ORACLE = "0x420000000000000000000000000000000000000F"
ARB_NODE_INTERFACE = "0x00000000000000000000000000000000000000C8"


class L1FeeModel(StrEnum):
    NONE = "none"
    OP_STACK = "op_stack"
    ARBITRUM = "arbitrum"


@dataclass(frozen=True, slots=True)
class Chain:
    chain_id: int
    name: str
    native_symbol: str
    wrapped_native: str | None
    block_time_s: Decimal
    l1_fee_model: L1FeeModel = L1FeeModel.NONE
    v2_factory: str | None = None
    v2_router02: str | None = None
    v3_factory: str | None = None
    swap_router02: str | None = None
    quoter_v2: str | None = None

    def addresses(self) -> dict[str, str]:
        named = {
            "wrapped_native": self.wrapped_native,
            "v2_factory": self.v2_factory,
            "v2_router02": self.v2_router02,
            "v3_factory": self.v3_factory,
            "swap_router02": self.swap_router02,
            "quoter_v2": self.quoter_v2,
        }
        return {k: v for k, v in named.items() if v is not None}


_V3_FACTORY = "0x1F98431c8aD98523631AE4a59f267346ea31F984"
_SWAP_ROUTER02 = "0x68b3465833fb72A70ecDF485E0e4C7bD8665Fc45"
_QUOTER_V2 = "0x61fFE014bA17989E743c5F6cB21bF9697530B21e"
_OP_WETH = "0x4200000000000000000000000000000000000006"

CHAINS: dict[int, Chain] = {
    c.chain_id: c
    for c in (
        Chain(
            1,
            "Ethereum",
            "ETH",
            "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2",
            Decimal(12),
            v2_factory="0x5C69bEe701ef814a2B6a3EDD4B1652CB9cc5aA6f",
            v2_router02="0x7a250d5630B4cF539739dF2C5dAcb4c659F2488D",
            v3_factory=_V3_FACTORY,
            swap_router02=_SWAP_ROUTER02,
            quoter_v2=_QUOTER_V2,
        ),
        Chain(
            42161,
            "Arbitrum One",
            "ETH",
            "0x82aF49447D8a07e3bd95BD0d56f35241523fBab1",
            Decimal("0.25"),
            L1FeeModel.ARBITRUM,
            v2_factory="0xf1D7CC64Fb4452F05c498126312eBE29f30Fbcf9",
            v2_router02="0x4752ba5DBc23f44D87826276BF6Fd6b1C372aD24",
            v3_factory=_V3_FACTORY,
            swap_router02=_SWAP_ROUTER02,
            quoter_v2=_QUOTER_V2,
        ),
        Chain(
            10,
            "OP Mainnet",
            "ETH",
            _OP_WETH,
            Decimal(2),
            L1FeeModel.OP_STACK,
            v2_factory="0x0c3c1c532F1e39EdF36BE9Fe0bE1410313E074Bf",
            v2_router02="0x4A7b5Da61326A6379179b40d00F57E5bbDC962c2",
            v3_factory=_V3_FACTORY,
            swap_router02=_SWAP_ROUTER02,
            quoter_v2=_QUOTER_V2,
        ),
        Chain(
            8453,
            "Base",
            "ETH",
            _OP_WETH,
            Decimal(2),
            L1FeeModel.OP_STACK,
            v2_factory="0x8909Dc15e40173Ff4699343b6eB8132c65e18eC6",
            v2_router02="0x4752ba5DBc23f44D87826276BF6Fd6b1C372aD24",
            v3_factory="0x33128a8fC17869897dcE68Ed026d694621f6FDfD",
            swap_router02="0x2626664c2603336E57B271c5C0b26F421741e481",
            quoter_v2="0x3d4e44Eb1374240CE5F1B871ab261CD16335B76a",
        ),
        Chain(
            137,
            "Polygon PoS",
            "POL",
            "0x0d500B1d8E8eF31E21C99d1Db9A6444d3ADf1270",
            Decimal(2),
            v2_factory="0x9e5A52f57b3038F1B8EeE45F28b3C1967e22799C",
            v2_router02="0xedf6066a2b290C185783862C7F4776A2C8077AD1",
            v3_factory=_V3_FACTORY,
            swap_router02=_SWAP_ROUTER02,
            quoter_v2=_QUOTER_V2,
        ),
        # local anvil: addresses come from the deployment manifest, not from here
        Chain(31337, "Anvil (local)", "ETH", None, Decimal(0)),
    )
}


def chain_by_id(chain_id: int) -> Chain:
    try:
        return CHAINS[chain_id]
    except KeyError:
        known = ", ".join(f"{c.name} ({i})" for i, c in CHAINS.items())
        raise ConfigError(f"unknown chain id {chain_id}; known: {known}") from None


# -- fee model -------------------------------------------------------------------------------


def total_fee_wei(chain: Chain, l2_gas_used: int, l2_gas_price: int, l1_fee_wei: int) -> int:
    """L2 execution fee plus the L1 component where the chain has one (ignored elsewhere).

    On Arbitrum pass ``l2_gas_used`` *without* the L1 part, and ``l1_fee_wei`` from
    :func:`arbitrum_l1_fee_wei` (receipts' gasUsed on Arbitrum already include it).
    """
    if min(l2_gas_used, l2_gas_price, l1_fee_wei) < 0:
        raise ConfigError("gas used, gas price and L1 fee must be >= 0")
    l1 = l1_fee_wei if chain.l1_fee_model is not L1FeeModel.NONE else 0
    return l2_gas_used * l2_gas_price + l1


def _selector(sig: str) -> bytes:
    return keccak(text=sig)[:4]


def op_l1_fee_call(unsigned_tx: bytes) -> tuple[str, str]:
    """(to, data) of GasPriceOracle.getL1Fee(bytes): pass the RLP of the unsigned tx."""
    data = _selector("getL1Fee(bytes)") + abi_encode(["bytes"], [unsigned_tx])
    return OP_GAS_PRICE_ORACLE, "0x" + data.hex()


def arbitrum_l1_component_call(
    to: str, data: bytes, *, contract_creation: bool = False
) -> tuple[str, str]:
    """(to, data) of NodeInterface.gasEstimateL1Component(address, bool, bytes)."""
    sel = _selector("gasEstimateL1Component(address,bool,bytes)")
    body = abi_encode(["address", "bool", "bytes"], [to, contract_creation, data])
    return ARB_NODE_INTERFACE, "0x" + (sel + body).hex()


def decode_arbitrum_l1_component(result: str) -> tuple[int, int, int]:
    """(gasEstimateForL1, baseFee, l1BaseFeeEstimate) from the call's return data."""
    g, base, l1 = abi_decode(["uint64", "uint256", "uint256"], bytes.fromhex(result[2:]))
    return int(g), int(base), int(l1)


async def op_l1_fee_wei(rpc: AsyncRpc, unsigned_tx: bytes) -> int:
    to, data = op_l1_fee_call(unsigned_tx)
    out = await rpc.call("eth_call", [{"to": to, "data": data}, "latest"])
    return int(abi_decode(["uint256"], bytes.fromhex(str(out)[2:]))[0])


async def arbitrum_l1_fee_wei(rpc: AsyncRpc, to: str, data: bytes) -> int:
    """L1 component in wei: gasEstimateForL1 (L2 gas units) x the L2 base fee."""
    call_to, call_data = arbitrum_l1_component_call(to, data)
    out = await rpc.call("eth_call", [{"to": call_to, "data": call_data}, "latest"])
    gas_l1, base_fee, _ = decode_arbitrum_l1_component(str(out))
    return gas_l1 * base_fee


async def l1_fee_wei(
    rpc: AsyncRpc, chain: Chain, *, to: str, data: bytes, unsigned_tx: bytes | None = None
) -> int:
    """The L1 component for a transaction on ``chain`` (0 where the chain has none)."""
    if chain.l1_fee_model is L1FeeModel.OP_STACK:
        if unsigned_tx is None:
            raise ConfigError(f"{chain.name}: the OP-stack L1 fee needs the unsigned tx RLP")
        return await op_l1_fee_wei(rpc, unsigned_tx)
    if chain.l1_fee_model is L1FeeModel.ARBITRUM:
        return await arbitrum_l1_fee_wei(rpc, to, data)
    return 0
