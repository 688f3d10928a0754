"""Deploy a local trading stack: WETH9, test tokens, Uniswap V2 and V3 (npm bytecode as shipped).

Every transaction is signed locally with an explicit nonce and sent in order on one keep-alive
connection, then all receipts are checked in one batch (about 60 transactions in well under a
second on anvil).
Pools WETH/USDC on V2 and V3 (fees 3000 and 500) are seeded at ``seed_price`` with ``depth_usd`` of
liquidity each (V3: full range plus a concentrated position). For local dev chains only: the
deployer's ETH balance is raised with ``anvil_setBalance`` to afford the liquidity.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from dexagent.connectors.evm.anvil import DEV_ACCOUNTS
from dexagent.connectors.evm.contracts import load_artifact
from dexagent.connectors.evm.manifest import Deployment, PoolInfo, TokenInfo
from dexagent.connectors.evm.rawtx import (
    SignedTx,
    address_of,
    create_address,
    decode_output,
    encode_call,
    encode_deploy,
    sign_1559,
)
from dexagent.connectors.evm.rpc import JsonRpcClient
from dexagent.core.errors import ConfigError, FatalError

__all__ = ["Deployment", "deploy_stack", "sqrt_price_x96"]

ZERO = "0x0000000000000000000000000000000000000000"
MIN_TICK, MAX_TICK = -887272, 887272
TICK_SPACING = {500: 10, 3000: 60, 10000: 200}
#: test tokens: symbol -> (name, decimals, amount minted to each funded account in whole units)
TEST_TOKENS: dict[str, tuple[str, int, int]] = {
    "USDC": ("USD Coin (test)", 6, 10_000_000),
    "WBTC": ("Wrapped BTC (test)", 8, 100),
    "DAI": ("Dai Stablecoin (test)", 18, 10_000_000),
}
WETH_PER_ACCOUNT = 100 * 10**18
_DEPLOY_GAS = 8_000_000
_CALL_GAS = 1_000_000
_POOL_GAS = 6_000_000
_FAR_DEADLINE = 2**40


def sqrt_price_x96(price: Decimal, *, dec0: int, dec1: int, base_is_token0: bool) -> int:
    """sqrt(token1 raw per token0 raw) * 2**96, rounded down; ``price`` is quote per base, human."""
    p = Fraction(price)
    raw = (
        p * Fraction(10**dec1, 10**dec0)
        if base_is_token0
        else (1 / p) * Fraction(10**dec1, 10**dec0)
    )
    return math.isqrt(raw.numerator * 2**192 // raw.denominator)


def _tick_of(sqrt_x96: int) -> int:
    # floats only to place range bounds (never for amounts); the pool computes the exact tick
    return math.floor(math.log((sqrt_x96 / 2**96) ** 2, 1.0001))


class _Sender:
    """Builds signed txs with consecutive nonces and sends them in batches."""

    def __init__(self, rpc: JsonRpcClient, key: str, chain_id: int) -> None:
        self.rpc, self._key, self.chain_id = rpc, key, chain_id
        self.address = address_of(key)
        self.nonce = int(rpc.call("eth_getTransactionCount", [self.address, "pending"]), 16)
        base = int(rpc.call("eth_getBlockByNumber", ["latest", False])["baseFeePerGas"], 16)
        self.tip = 10**9
        # dev chains only: a ceiling far above any base fee a burst of full blocks can reach
        self.max_fee = 1000 * max(base, 10**9) + 2 * self.tip
        self.pending: list[tuple[str, SignedTx]] = []

    def send(self, label: str, to: str | None, data: str, *, gas: int, value: int = 0) -> str:
        tx = sign_1559(
            self._key,
            chain_id=self.chain_id,
            nonce=self.nonce,
            to=to,
            data=data,
            value=value,
            gas=gas,
            max_fee_per_gas=self.max_fee,
            max_priority_fee_per_gas=self.tip,
        )
        self.nonce += 1
        self.pending.append((label, tx))
        return tx.tx_hash

    def deploy(self, name: str, args: list[Any]) -> str:
        art = load_artifact(name)
        addr = create_address(self.address, self.nonce)
        self.send(
            f"deploy {name}",
            None,
            encode_deploy(art.bytecode, art.constructor_types(), args),
            gas=_DEPLOY_GAS,
        )
        return addr

    def call(self, label: str, contract: str, to: str, fn: str, args: list[Any], **kw: Any) -> str:
        gas = kw.pop("gas", _CALL_GAS)
        return self.send(
            label, to, encode_call(load_artifact(contract).abi, fn, args), gas=gas, **kw
        )


def _flush(senders: Sequence[_Sender]) -> int:
    """Send every pending tx, then check every receipt; returns the last block number."""
    rpc = senders[0].rpc
    batch = [("eth_sendRawTransaction", [tx.raw]) for s in senders for _, tx in s.pending]
    labels = [label for s in senders for label, _ in s.pending]
    hashes = [tx.tx_hash for s in senders for _, tx in s.pending]
    for s in senders:
        s.pending = []
    # One request per transaction, in nonce order: anvil handles the items of a JSON-RPC batch
    # concurrently, and with automine a burst of same-sender txs sent as one batch was seen to
    # lose transactions now and then (accepted, then neither mined nor left in the pool).
    for method, params in batch:
        rpc.call(method, params)
    receipts: list[Any] = [None] * len(hashes)
    start = time.monotonic()
    deadline = start + 120
    nudged = start
    while True:
        todo = [i for i, r in enumerate(receipts) if r is None]
        if not todo:
            break
        got = rpc.batch([("eth_getTransactionReceipt", [hashes[i]]) for i in todo])
        for i, r in zip(todo, got, strict=True):
            receipts[i] = r
        now = time.monotonic()
        if now > deadline:
            missing = [labels[i] for i, r in enumerate(receipts) if r is None]
            raise FatalError(f"deployment txs not mined after 120 s: {missing[:5]}")
        if any(r is None for r in receipts):
            if now - nudged > 2.0:  # a busy machine, or automine left off: mine a block
                rpc.call("evm_mine")
                nudged = now
            time.sleep(0.005)
    failed = [labels[i] for i, r in enumerate(receipts) if int(r["status"], 16) != 1]
    if failed:
        raise FatalError(f"deployment step(s) reverted: {failed}")
    return max(int(r["blockNumber"], 16) for r in receipts)


def _eth_call(
    rpc: JsonRpcClient, contract: str, to: str, fn: str, args: list[Any], out: list[str]
) -> tuple[Any, ...]:
    data = encode_call(load_artifact(contract).abi, fn, args)
    return decode_output(out, rpc.call("eth_call", [{"to": to, "data": data}, "latest"]))


def deploy_stack(
    node_url: str,
    *,
    deployer_key: str,
    seed_price: Decimal = Decimal("2000"),
    depth_usd: Decimal = Decimal("10000000"),
    fund_keys: Sequence[str] | None = None,
    manifest_path: Path | None = None,
) -> Deployment:
    """Deploy WETH9, USDC/WBTC/DAI test tokens, Uniswap V2 + V3 and seeded WETH/USDC pools.

    ``fund_keys`` (default: the anvil dev keys) each get test tokens and 100 WETH (wrapped from
    their own ETH). The manifest is written to ``manifest_path`` when given.
    """
    if seed_price <= 0 or depth_usd <= 0:
        raise ConfigError(f"seed_price ({seed_price}) and depth_usd ({depth_usd}) must be > 0")
    rpc = JsonRpcClient(node_url)
    chain_id = int(rpc.call("eth_chainId"), 16)
    dep = _Sender(rpc, deployer_key, chain_id)
    keys = [k for _, k in DEV_ACCOUNTS] if fund_keys is None else list(fund_keys)

    weth_per_side = int(depth_usd / 2 / seed_price * 10**18)
    usdc_per_side = int(depth_usd / 2 * 10**6)
    need = 5 * weth_per_side + 10**21
    rpc.call("anvil_setBalance", [dep.address, hex(max(need, 10**24))])

    weth = dep.deploy("WETH9", [])
    tokens = {"WETH": TokenInfo("WETH", weth, 18)}
    for sym, (name, dec, _) in TEST_TOKENS.items():
        tokens[sym] = TokenInfo(sym, dep.deploy("TestERC20", [name, sym, dec]), dec)
    v2_factory = dep.deploy("UniswapV2Factory", [dep.address])
    v2_router = dep.deploy("UniswapV2Router02", [v2_factory, weth])
    v3_factory = dep.deploy("UniswapV3Factory", [])
    swap_router = dep.deploy("SwapRouter", [v3_factory, weth])
    quoter = dep.deploy("QuoterV2", [v3_factory, weth])
    npm = dep.deploy("NonfungiblePositionManager", [v3_factory, weth, ZERO])
    contracts = {
        "WETH9": weth,
        "UniswapV2Factory": v2_factory,
        "UniswapV2Router02": v2_router,
        "UniswapV3Factory": v3_factory,
        "SwapRouter": swap_router,
        "QuoterV2": quoter,
        "NonfungiblePositionManager": npm,
    }

    usdc = tokens["USDC"].address
    dep.call("wrap", "WETH9", weth, "deposit", [], value=5 * weth_per_side)
    dep.call("mint USDC", "TestERC20", usdc, "mint", [dep.address, 5 * usdc_per_side])
    for spender in (v2_router, npm):
        for tok, art in ((weth, "WETH9"), (usdc, "TestERC20")):
            amount = 5 * (weth_per_side if tok == weth else usdc_per_side)
            dep.call("approve", art, tok, "approve", [spender, amount])
    dep.call(
        "V2 addLiquidity",
        "UniswapV2Router02",
        v2_router,
        "addLiquidity",
        [weth, usdc, weth_per_side, usdc_per_side, 0, 0, dep.address, _FAR_DEADLINE],
        gas=_POOL_GAS,
    )
    t0, t1 = sorted((weth, usdc), key=lambda a: int(a, 16))
    weth_is_0 = t0 == weth
    sqrt_x96 = sqrt_price_x96(
        seed_price,
        dec0=18 if weth_is_0 else 6,
        dec1=6 if weth_is_0 else 18,
        base_is_token0=weth_is_0,
    )
    tick = _tick_of(sqrt_x96)
    for fee in (3000, 500):
        sp = TICK_SPACING[fee]
        dep.call(
            f"V3 pool {fee}",
            "NonfungiblePositionManager",
            npm,
            "createAndInitializePoolIfNecessary",
            [t0, t1, fee, sqrt_x96],
            gas=_POOL_GAS,
        )
        lo_full, hi_full = -(MAX_TICK // sp) * sp, (MAX_TICK // sp) * sp
        lo_c, hi_c = (tick - 1000) // sp * sp, (tick + 1000) // sp * sp + sp  # about +-10 %
        a0 = weth_per_side if weth_is_0 else usdc_per_side
        a1 = usdc_per_side if weth_is_0 else weth_per_side
        for lo, hi in ((lo_full, hi_full), (lo_c, hi_c)):
            params = {
                "token0": t0,
                "token1": t1,
                "fee": fee,
                "tickLower": lo,
                "tickUpper": hi,
                "amount0Desired": a0,
                "amount1Desired": a1,
                "amount0Min": 0,
                "amount1Min": 0,
                "recipient": dep.address,
                "deadline": _FAR_DEADLINE,
            }
            dep.call(
                f"V3 mint {fee} [{lo},{hi}]",
                "NonfungiblePositionManager",
                npm,
                "mint",
                [params],
                gas=_CALL_GAS,
            )

    funded = [_Sender(rpc, k, chain_id) for k in keys if address_of(k) != dep.address]
    for acct in [dep.address, *(f.address for f in funded)]:
        for sym, (_, dec, whole) in TEST_TOKENS.items():
            dep.call(
                f"mint {sym}", "TestERC20", tokens[sym].address, "mint", [acct, whole * 10**dec]
            )
    for f in funded:
        f.call("wrap", "WETH9", weth, "deposit", [], value=WETH_PER_ACCOUNT)
    block = _flush([dep, *funded])

    (pair,) = _eth_call(rpc, "UniswapV2Factory", v2_factory, "getPair", [weth, usdc], ["address"])
    pools = [PoolInfo("uniswap_v2", _cs(pair), t0, t1, 3000)]
    for fee in (3000, 500):
        (pool,) = _eth_call(
            rpc, "UniswapV3Factory", v3_factory, "getPool", [t0, t1, fee], ["address"]
        )
        pools.append(PoolInfo("uniswap_v3", _cs(pool), t0, t1, fee))
    deployment = Deployment(
        chain_id=chain_id,
        block=block,
        deployer=dep.address,
        contracts=contracts,
        tokens=tokens,
        pools=tuple(pools),
        seed_price=seed_price,
    )
    if manifest_path is not None:
        deployment.write(manifest_path)
    return deployment


def _cs(addr: str) -> str:
    from eth_utils.address import to_checksum_address

    return str(to_checksum_address(addr))
