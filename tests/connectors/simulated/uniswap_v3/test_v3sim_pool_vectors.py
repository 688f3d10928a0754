"""All 240 swap cases of v3-core's UniswapV3Pool.swaps.spec (15 pools x 16 swaps), exactly."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path
from typing import Any

import pytest

from dexagent.connectors.simulated.uniswap_v3.errors import V3Revert
from dexagent.connectors.simulated.uniswap_v3.pool import V3Pool

VECTORS = json.loads(
    (Path(__file__).parents[3] / "vectors" / "uniswap" / "univ3_pool_swaps.json").read_text()
)
POOLS: list[dict[str, Any]] = VECTORS["pools"]
CASES: list[dict[str, Any]] = VECTORS["swap_cases"]
RESULTS: list[dict[str, Any]] = VECTORS["results"]


def _to_precision_5(x: Decimal) -> str:
    """decimal.js ``toPrecision(5)`` as the spec configures it (half up, no small exponents)."""
    if x == 0:
        return "0.0000"
    with localcontext() as ctx:
        ctx.prec = 5
        ctx.rounding = ROUND_HALF_UP
        r = +x
    if r.adjusted() >= 5:
        digits = f"{abs(r.scaleb(-r.adjusted())):.4f}"
        return f"{'-' if r < 0 else ''}{digits}e+{r.adjusted()}"
    return f"{r:f}" if r.adjusted() >= 4 else f"{r.quantize(Decimal(1).scaleb(r.adjusted() - 4)):f}"


def _price(sqrt_x96: int) -> str:
    with localcontext() as ctx:
        ctx.prec = 100
        return _to_precision_5((Decimal(sqrt_x96) / Decimal(2**96)) ** 2)


def _execution_price(a0: int, a1: int) -> str:
    if a0 == 0:
        return "NaN" if a1 == 0 else ("-Infinity" if a1 > 0 else "Infinity")
    with localcontext() as ctx:
        ctx.prec = 100
        return _to_precision_5(Decimal(-a1) / Decimal(a0))


def _fresh_pool(cfg: dict[str, Any]) -> V3Pool:
    pool = V3Pool(cfg["fee"], cfg["tickSpacing"])
    pool.initialize(int(cfg["sqrtPriceX96"]))
    for p in cfg["positions"]:
        pool.mint(p["tickLower"], p["tickUpper"], int(p["liquidity"]))
    return pool


def test_vectors_hold_240_cases_and_50_reverts() -> None:
    assert len(POOLS) == 15 and len(CASES) == 16 and len(RESULTS) == 240
    assert sum(1 for r in RESULTS if r.get("expect_revert")) == 50


@pytest.mark.parametrize("res", RESULTS, ids=[r["snapshot_key"][20:] for r in RESULTS])
def test_pool_swap_reproduces_v3_core_snapshot(res: dict[str, Any]) -> None:
    cfg, case, exp = POOLS[res["pool"]], CASES[res["case"]], res["expected"]
    pool = _fresh_pool(cfg)
    zero_for_one = case["zeroForOne"]
    amount = int(case["amountSpecified"])
    limit = int(case["sqrtPriceLimitX96"])
    assert pool.tick == exp["tickBefore"]
    assert _price(pool.sqrt_price_x96) == exp["poolPriceBefore"]

    if res.get("expect_revert"):
        assert (pool.balance0, pool.balance1) == (
            int(exp["poolBalance0"]),
            int(exp["poolBalance1"]),
        )
        before = (pool.sqrt_price_x96, pool.tick, pool.liquidity, pool.balance0, pool.balance1)
        with pytest.raises(V3Revert) as err:
            pool.swap(zero_for_one, amount, limit)
        assert err.value.reason == res["expect_revert"]
        assert exp["swapError"].endswith(f"revert {err.value.reason}")
        assert (pool.sqrt_price_x96, pool.tick, pool.liquidity, pool.balance0, pool.balance1) == (
            before
        )
        return

    assert (pool.balance0, pool.balance1) == (int(exp["amount0Before"]), int(exp["amount1Before"]))
    quoted = pool.quote_swap(zero_for_one, amount, limit)
    assert pool.tick == exp["tickBefore"]  # quoting changed nothing
    a0, a1 = pool.swap(zero_for_one, amount, limit)
    assert (a0, a1) == (int(exp["amount0Delta"]), int(exp["amount1Delta"]))
    assert (quoted.amount0, quoted.amount1, quoted.sqrt_price_x96) == (a0, a1, pool.sqrt_price_x96)
    assert pool.fee_growth_global0_x128 == int(exp["feeGrowthGlobal0X128Delta"])
    assert pool.fee_growth_global1_x128 == int(exp["feeGrowthGlobal1X128Delta"])
    assert pool.tick == exp["tickAfter"]
    assert _price(pool.sqrt_price_x96) == exp["poolPriceAfter"]
    assert _execution_price(a0, a1) == exp["executionPrice"]
