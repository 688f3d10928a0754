"""Uniswap v3-core math specs (TickMath, SqrtPriceMath, SwapMath) reproduced exactly."""

from __future__ import annotations

import json
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any

import pytest

from dexagent.connectors.simulated.uniswap_v3 import sqrt_price_math as spm
from dexagent.connectors.simulated.uniswap_v3.errors import V3Revert
from dexagent.connectors.simulated.uniswap_v3.swap_math import compute_swap_step
from dexagent.connectors.simulated.uniswap_v3.tick_math import (
    get_sqrt_ratio_at_tick,
    get_tick_at_sqrt_ratio,
)

VECTORS = json.loads(
    (Path(__file__).parents[3] / "vectors" / "uniswap" / "univ3_math.json").read_text()
)


def _ids(cases: list[dict[str, Any]]) -> list[str]:
    return [f"{i}-{c['fn']}-{c.get('note', '')}"[:80] for i, c in enumerate(cases)]


def _call(fn: str, a: dict[str, Any]) -> int:
    if fn in ("getNextSqrtPriceFromInput", "getNextSqrtPriceFromOutput"):
        f = (
            spm.get_next_sqrt_price_from_input
            if fn == "getNextSqrtPriceFromInput"
            else spm.get_next_sqrt_price_from_output
        )
        return f(int(a["sqrtPX96"]), int(a["liquidity"]), int(a["amount"]), a["zeroForOne"])
    g = spm.get_amount0_delta if fn == "getAmount0Delta" else spm.get_amount1_delta
    return g(int(a["sqrtRatioAX96"]), int(a["sqrtRatioBX96"]), int(a["liquidity"]), a["roundUp"])


@pytest.mark.parametrize("case", VECTORS["sqrt_price_math"], ids=_ids(VECTORS["sqrt_price_math"]))
def test_sqrt_price_math_matches_v3_core_spec(case: dict[str, Any]) -> None:
    exp, args = case["expected"], case["args"]
    if "revert" in exp:
        with pytest.raises(V3Revert):
            _call(case["fn"], args)
    elif "relation" in exp:  # round up = round down + 1
        down = _call(case["fn"], {**args, "roundUp": False})
        assert down > 0
        assert _call(case["fn"], args) == down + 1
    else:
        assert _call(case["fn"], args) == int(exp["result"])


@pytest.mark.parametrize("case", VECTORS["swap_math"], ids=_ids(VECTORS["swap_math"]))
def test_compute_swap_step_matches_v3_core_spec(case: dict[str, Any]) -> None:
    a, exp = case["args"], case["expected"]
    cur, target, liq = (
        int(a["sqrtRatioCurrentX96"]),
        int(a["sqrtRatioTargetX96"]),
        int(a["liquidity"]),
    )
    remaining = int(a["amountRemaining"])
    nxt, amount_in, amount_out, fee = compute_swap_step(cur, target, liq, remaining, a["feePips"])
    assert (amount_in, amount_out, fee) == (
        int(exp["amountIn"]),
        int(exp["amountOut"]),
        int(exp["feeAmount"]),
    )
    want = exp["sqrtRatioNextX96"]
    zero_for_one = cur >= target
    if isinstance(want, dict):  # "equals getNextSqrtPriceFrom{Input,Output}(...)"
        if remaining >= 0:
            want_next = spm.get_next_sqrt_price_from_input(cur, liq, remaining - fee, zero_for_one)
        else:
            want_next = spm.get_next_sqrt_price_from_output(cur, liq, -remaining, zero_for_one)
        assert nxt == want_next
        assert nxt != target
    else:
        assert nxt == int(want)
    # the step never spends more than allowed nor pays out more than asked
    if remaining >= 0:
        assert amount_in + fee <= remaining
    else:
        assert amount_out <= -remaining


@pytest.mark.parametrize("case", VECTORS["tick_math"], ids=_ids(VECTORS["tick_math"]))
def test_tick_math_matches_v3_core_spec(case: dict[str, Any]) -> None:
    exp, args = case["expected"], case["args"]
    if case["fn"] == "getSqrtRatioAtTick":
        call = lambda: get_sqrt_ratio_at_tick(args["tick"])  # noqa: E731
    else:
        call = lambda: get_tick_at_sqrt_ratio(int(args["sqrtPriceX96"]))  # noqa: E731
    if "revert" in exp:
        with pytest.raises(V3Revert) as err:
            call()
        assert err.value.reason == exp["revert"]
    else:
        assert call() == int(exp["result"])


def test_tick_at_sqrt_ratio_inverts_sqrt_ratio_at_tick_on_both_sides() -> None:
    for tick in (-887271, -200000, -50001, -1, 0, 1, 77777, 199045, 887270):
        r = get_sqrt_ratio_at_tick(tick)
        assert get_tick_at_sqrt_ratio(r) == tick
        assert get_tick_at_sqrt_ratio(r - 1) == tick - 1
        assert get_tick_at_sqrt_ratio(get_sqrt_ratio_at_tick(tick + 1) - 1) == tick


@pytest.mark.parametrize(
    "ex", VECTORS["encode_price_sqrt_examples"], ids=lambda e: f"{e['reserve1']}/{e['reserve0']}"
)
def test_encode_price_sqrt_examples_lie_between_neighbouring_ticks(ex: dict[str, str]) -> None:
    sqrt_x96 = int(ex["sqrtPriceX96"])
    with localcontext() as ctx:
        ctx.prec = 80
        price = Decimal(ex["reserve1"]) / Decimal(ex["reserve0"])
        want = int((price.sqrt() * 2**96).to_integral_value(rounding="ROUND_FLOOR"))
    assert sqrt_x96 == want
    tick = get_tick_at_sqrt_ratio(sqrt_x96)
    assert get_sqrt_ratio_at_tick(tick) <= sqrt_x96 < get_sqrt_ratio_at_tick(tick + 1)
