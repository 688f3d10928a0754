"""Chain agreement: random swaps on a deployed Uniswap V3 pool and on a mirrored V3Pool, compared.

On a dev chain with the stack of :func:`dexagent.connectors.evm.deploy.deploy_stack`: create a
fresh USDC/DAI pool, mint a full-range and several narrow positions through the
NonfungiblePositionManager (so swaps cross ticks), mirror it (``initialize`` + the same mints, by
the liquidity the manager reports), then swap through the SwapRouter: both directions, exact
input and exact output, some with a price limit, some with a limit on the wrong side (the
contract and the simulation must then revert with the same reason). After each swap the Swap
event (amount0, amount1, sqrtPriceX96, liquidity, tick) and the pool's feeGrowthGlobal0/1X128
must equal the simulation to the wei.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, field
from typing import Any

from eth_utils.crypto import keccak

from dexagent.connectors.evm.contracts import load_artifact
from dexagent.connectors.evm.manifest import Deployment
from dexagent.connectors.evm.rawtx import encode_call
from dexagent.connectors.evm.rpc import JsonRpcClient
from dexagent.connectors.simulated.uniswap_v3.errors import V3Revert
from dexagent.connectors.simulated.uniswap_v3.pool import V3Pool
from dexagent.connectors.simulated.uniswap_v3.tick_math import (
    MAX_SQRT_RATIO,
    MIN_SQRT_RATIO,
    get_tick_at_sqrt_ratio,
)
from dexagent.core.errors import ConfigError, FatalError, RejectedError

_SWAP_TOPIC = "0x" + keccak(text="Swap(address,address,int256,int256,uint160,uint128,int24)").hex()
_INCREASE_TOPIC = "0x" + keccak(text="IncreaseLiquidity(uint256,uint128,uint256,uint256)").hex()
_FAR = 2**40
_GAS = 2_000_000
_BIG = 10**40


@dataclass(slots=True)
class AgreementReport:
    swaps: int = 0
    agreed: int = 0
    both_reverted: int = 0
    exact_input: int = 0
    exact_output: int = 0
    with_limit: int = 0
    crossing: int = 0  # swaps that crossed at least one initialized tick
    ticks_crossed: int = 0
    positions: int = 0
    chain_s: float = 0.0
    sim_s: float = 0.0
    mismatches: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.agreed / self.swaps if self.swaps else 0.0


def _word(data: str, i: int, signed: bool = False) -> int:
    v = int(data[2 + 64 * i : 2 + 64 * (i + 1)], 16)
    return v - (1 << 256) if signed and v >= 1 << 255 else v


class _Chain:
    def __init__(self, url: str, sender: str) -> None:
        self.rpc = JsonRpcClient(url)
        self.sender = sender

    def send(
        self, to: str, data: str, sender: str | None = None, gas: int = _GAS
    ) -> dict[str, Any]:
        h = self.rpc.call(
            "eth_sendTransaction",
            [{"from": sender or self.sender, "to": to, "data": data, "gas": hex(gas)}],
        )
        deadline = time.monotonic() + 30
        while True:
            rcpt = self.rpc.call("eth_getTransactionReceipt", [h])
            if rcpt is not None:
                return dict(rcpt)
            if time.monotonic() > deadline:
                raise FatalError(f"tx {h} not mined after 30 s; is automine on?")
            time.sleep(0.002)

    def call(self, to: str, data: str) -> str:
        return str(self.rpc.call("eth_call", [{"from": self.sender, "to": to, "data": data}]))


def run_agreement(
    url: str, dep: Deployment, *, swaps: int, seed: int = 1, sender: str, fee: int = 500
) -> AgreementReport:
    """Run ``swaps`` random swaps from ``sender`` (an unlocked dev account); see module doc."""
    rng = random.Random(seed)
    rep = AgreementReport()
    spacing = {500: 10, 3000: 60, 10000: 200}[fee]
    chain = _Chain(url, sender)
    usdc, dai = dep.tokens["USDC"].address, dep.tokens["DAI"].address
    t0, t1 = sorted((usdc, dai), key=lambda a: int(a, 16))
    npm, router = dep.contracts["NonfungiblePositionManager"], dep.contracts["SwapRouter"]
    factory = dep.contracts["UniswapV3Factory"]
    erc20, npm_abi = load_artifact("TestERC20").abi, load_artifact("NonfungiblePositionManager").abi
    router_abi, pool_abi = load_artifact("SwapRouter").abi, load_artifact("UniswapV3Pool").abi
    fac_abi = load_artifact("UniswapV3Factory").abi

    existing = chain.call(factory, encode_call(fac_abi, "getPool", [t0, t1, fee]))
    if int(existing, 16):
        raise ConfigError(f"a USDC/DAI pool with fee {fee} already exists; use a fresh chain")
    raw = 10**12 if t0 == usdc else 10**-12  # 1 DAI per USDC in base units
    sqrt_p = math.isqrt(int(raw * 2**192)) if t0 == usdc else math.isqrt(2**192 // 10**12)
    for tok in (t0, t1):
        rcpt = chain.send(tok, encode_call(erc20, "mint", [sender, _BIG]), sender=dep.deployer)
        if int(rcpt["status"], 16) != 1:
            raise FatalError(f"minting test tokens from {dep.deployer} failed")
        for spender in (npm, router):
            chain.send(tok, encode_call(erc20, "approve", [spender, 2**256 - 1]))
    create = encode_call(npm_abi, "createAndInitializePoolIfNecessary", [t0, t1, fee, sqrt_p])
    if int(chain.send(npm, create, gas=8_000_000)["status"], 16) != 1:
        raise FatalError(f"creating the USDC/DAI {fee} pool reverted on chain")
    pool_addr = "0x" + chain.call(factory, encode_call(fac_abi, "getPool", [t0, t1, fee]))[-40:]
    sim = V3Pool(fee, spacing)
    sim.initialize(sqrt_p)
    tick0 = get_tick_at_sqrt_ratio(sqrt_p)
    d0 = 10**6 if t0 == usdc else 10**18
    d1 = 10**18 if t0 == usdc else 10**6
    ranges = [(-(887272 // spacing) * spacing, (887272 // spacing) * spacing)]
    for _ in range(16):
        lo = (tick0 + rng.randrange(-600, 600)) // spacing * spacing
        ranges.append((lo, lo + spacing * rng.randrange(1, 30)))
    for lo, hi in ranges:
        units = rng.randrange(20_000, 500_000)
        params = {
            "token0": t0, "token1": t1, "fee": fee, "tickLower": lo, "tickUpper": hi,
            "amount0Desired": units * d0, "amount1Desired": units * d1,
            "amount0Min": 0, "amount1Min": 0, "recipient": sender, "deadline": _FAR,
        }  # fmt: skip
        rcpt = chain.send(npm, encode_call(npm_abi, "mint", [params]))
        if int(rcpt["status"], 16) != 1:
            raise FatalError(f"position mint [{lo}, {hi}) reverted on chain")
        log = next(lg for lg in rcpt["logs"] if lg["topics"][0] == _INCREASE_TOPIC)
        liquidity, a0, a1 = _word(log["data"], 0), _word(log["data"], 1), _word(log["data"], 2)
        if sim.mint(lo, hi, liquidity, owner="npm") != (a0, a1):
            rep.mismatches.append(f"mint [{lo},{hi}) {liquidity}: amounts differ")
        rep.positions += 1

    state_calls = [
        ("eth_call", [{"to": pool_addr, "data": encode_call(pool_abi, fn, [])}, "latest"])
        for fn in ("slot0", "liquidity", "feeGrowthGlobal0X128", "feeGrowthGlobal1X128")
    ]
    for i in range(swaps):
        zfo = rng.random() < 0.5
        exact_in = rng.random() < 0.5
        units = int(10 ** rng.uniform(-1, 6.3))  # 0.1 .. 2M tokens
        d_in, d_out = (d0, d1) if zfo else (d1, d0)
        amount = max(1, int(units * (d_in if exact_in else d_out) * rng.uniform(0.5, 1.5)))
        r = rng.random()
        limit = 0
        if r < 0.25:  # a limit 0..3 % away in the swap's direction
            k = rng.randrange(0, 300)
            cur = sim.sqrt_price_x96
            limit = cur * (10_000 - k) // 10_000 if zfo else cur * (10_000 + k) // 10_000
        elif r < 0.27:  # a limit on the wrong side: both must revert 'SPL'
            limit = sim.sqrt_price_x96 + (1 if zfo else -1)
        sim_limit = limit or (MIN_SQRT_RATIO + 1 if zfo else MAX_SQRT_RATIO - 1)
        tin, tout = (t0, t1) if zfo else (t1, t0)
        if exact_in:
            fn = "exactInputSingle"
            args = {"tokenIn": tin, "tokenOut": tout, "fee": fee, "recipient": sender,
                    "deadline": _FAR, "amountIn": amount, "amountOutMinimum": 0,
                    "sqrtPriceLimitX96": limit}  # fmt: skip
        else:
            fn = "exactOutputSingle"
            args = {"tokenIn": tin, "tokenOut": tout, "fee": fee, "recipient": sender,
                    "deadline": _FAR, "amountOut": amount, "amountInMaximum": 2**255,
                    "sqrtPriceLimitX96": limit}  # fmt: skip
        data = encode_call(router_abi, fn, [args])
        rep.swaps += 1
        rep.exact_input += exact_in
        rep.exact_output += not exact_in
        rep.with_limit += limit != 0
        t = time.perf_counter()
        try:
            res = sim.quote_swap(zfo, amount if exact_in else -amount, sim_limit)
            sim_err: str | None = None
            got_out = -(res.amount1 if zfo else res.amount0)
            if not exact_in and limit == 0 and got_out != amount:
                sim_err = "router: partial exact output"  # SwapRouter requires the full amount
        except V3Revert as exc:
            sim_err = exc.reason
        rep.sim_s += time.perf_counter() - t
        t = time.perf_counter()
        if sim_err is not None:
            try:
                chain.call(router, data)
                rep.mismatches.append(f"swap {i}: simulation reverts {sim_err!r}, chain does not")
            except RejectedError as exc:
                if sim_err in ("SPL", "AS") and f"reverted: {sim_err}" not in str(exc):
                    rep.mismatches.append(f"swap {i}: reverts differ: {sim_err!r} vs {exc}")
                else:
                    rep.agreed += 1
                    rep.both_reverted += 1
            rep.chain_s += time.perf_counter() - t
            continue
        rcpt = chain.send(router, data)
        state = chain.rpc.batch(state_calls)
        rep.chain_s += time.perf_counter() - t
        t = time.perf_counter()
        sim.swap(zfo, amount if exact_in else -amount, sim_limit)
        rep.sim_s += time.perf_counter() - t
        logs = [lg for lg in rcpt["logs"] if lg["topics"][0] == _SWAP_TOPIC]
        if int(rcpt["status"], 16) != 1 or len(logs) != 1:
            rep.mismatches.append(f"swap {i}: chain reverted, simulation did not")
            continue
        d = logs[0]["data"]
        chain_vals = (
            _word(d, 0, True), _word(d, 1, True), _word(d, 2), _word(d, 3), _word(d, 4, True),
            _word(state[0], 0), _word(state[0], 1, True), _word(state[1], 0),
            _word(state[2], 0), _word(state[3], 0),
        )  # fmt: skip
        sim_vals = (
            res.amount0, res.amount1, sim.sqrt_price_x96, sim.liquidity, sim.tick,
            sim.sqrt_price_x96, sim.tick, sim.liquidity,
            sim.fee_growth_global0_x128, sim.fee_growth_global1_x128,
        )  # fmt: skip
        if chain_vals == sim_vals:
            rep.agreed += 1
        else:
            rep.mismatches.append(f"swap {i} ({fn}, zfo={zfo}): chain {chain_vals} sim {sim_vals}")
            sim.force_state(chain_vals[2], chain_vals[4], chain_vals[3])
        if res.ticks_crossed:
            rep.crossing += 1
            rep.ticks_crossed += res.ticks_crossed
    return rep
