"""Uniswap V3 simulation throughput, and (``--chain``) its agreement with real contracts on anvil.

Prints swaps per second for single-step swaps (no tick crossed) and multi-tick swaps (crossing
several initialized ticks), each against a reference measured in the same run: one
``computeSwapStep`` call, the irreducible math of a single step. ``--chain`` runs 1,000 random
swaps on a deployed pool (see ``uniswap_v3/agreement.py``) and prints the agreement rate.

    .venv/bin/python benchmarks/bench_v3_sim.py [--n 50000] [--chain] [--chain-swaps 1000]
"""

from __future__ import annotations

import argparse
import time

from dexagent.connectors.simulated.uniswap_v3.pool import V3Pool
from dexagent.connectors.simulated.uniswap_v3.swap_math import compute_swap_step
from dexagent.connectors.simulated.uniswap_v3.tick_math import MAX_SQRT_RATIO, MIN_SQRT_RATIO

SQRT_P = 1662995104975155420368771254341874  # USDC/WETH 0.05 % on 2024-01-05 (tick 199045)
LIQ = 12453647101533358277
AMOUNT_MULTI = 5_000_000 * 10**6  # USDC


def _pool(narrow: bool) -> V3Pool:
    pool = V3Pool(500, 10)
    pool.initialize(SQRT_P)
    pool.mint(-887270, 887270, LIQ)
    if narrow:  # a ladder of 10-tick positions around the price: every swap below crosses ticks
        for lo in range(198_800, 199_300, 10):
            pool.mint(lo, lo + 10, LIQ // 4)
    pool.balance0 = pool.balance1 = 1 << 200
    return pool


def _rate(fn: object, n: int) -> float:
    assert callable(fn)
    t = time.perf_counter()
    fn(n)
    return n / (time.perf_counter() - t)


def bench(n: int) -> None:
    lo, hi = MIN_SQRT_RATIO + 1, MAX_SQRT_RATIO - 1
    single = _pool(False)

    def single_steps(k: int) -> None:
        for i in range(k):  # alternate 1,000 USDC in / 0.45 WETH in: the price stays put
            if i & 1:
                single.swap(False, 450_000_000_000_000_000, hi)
            else:
                single.swap(True, 1_000_000_000, lo)

    multi = _pool(True)
    crossed = 0

    def multi_ticks(k: int) -> None:
        nonlocal crossed
        for i in range(k):  # USDC in, then the same USDC back out: ticks crossed both ways
            if i & 1:
                r = multi.swap_result(False, -AMOUNT_MULTI, hi)
            else:
                r = multi.swap_result(True, AMOUNT_MULTI, lo)
            crossed += r.ticks_crossed

    def reference(k: int) -> None:
        for _ in range(k):
            compute_swap_step(SQRT_P, lo, LIQ, 1_000_000_000, 500)

    ref = _rate(reference, n)
    s = _rate(single_steps, n)
    m = _rate(multi_ticks, n // 10)
    print(f"reference: computeSwapStep          {ref:>10,.0f} /s")
    print(f"single-step swaps (pool.swap)       {s:>10,.0f} /s   {s / ref:5.2f}x reference")
    each = crossed / (n // 10)
    print(f"multi-tick swaps ({each:.1f} ticks each)  {m:>10,.0f} /s   {m / ref:5.2f}x reference")
    print(f"target 50,000 single-step swaps/s: {'met' if s >= 50_000 else 'NOT met'}")


def chain(swaps: int) -> None:
    from dexagent.connectors.evm.anvil import DEV_ACCOUNTS, AnvilNode
    from dexagent.connectors.evm.deploy import deploy_stack
    from dexagent.connectors.simulated.uniswap_v3.agreement import run_agreement

    with AnvilNode.start() as node:
        dep = deploy_stack(node.url, deployer_key=DEV_ACCOUNTS[0][1])
        rep = run_agreement(node.url, dep, swaps=swaps, seed=1, sender=DEV_ACCOUNTS[7][0])
    print(
        f"chain agreement: {rep.agreed}/{rep.swaps} = {rep.rate:.2%} "
        f"(exact in {rep.exact_input}, exact out {rep.exact_output}, with limit {rep.with_limit}, "
        f"both reverted {rep.both_reverted}, crossing ticks {rep.crossing} swaps / "
        f"{rep.ticks_crossed} ticks, {rep.positions} positions)"
    )
    print(
        f"time: chain {rep.chain_s:.2f} s, simulation {rep.sim_s:.3f} s "
        f"({rep.chain_s / rep.sim_s:.0f}x faster than anvil round trips)"
    )
    for m in rep.mismatches[:10]:
        print("MISMATCH", m)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=50_000)
    ap.add_argument("--chain", action="store_true")
    ap.add_argument("--chain-swaps", type=int, default=1_000)
    args = ap.parse_args()
    bench(args.n)
    if args.chain:
        chain(args.chain_swaps)


if __name__ == "__main__":
    main()
