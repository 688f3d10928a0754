"""Uniswap V2 math against the upstream test suites' vectors (tests/vectors/uniswap/README.md).

Every section of univ2_vectors.json is covered: pair_getInputPrice, pair_optimistic,
pair_swap_events, pair_mint_burn (mint, burn, feeTo off/on) and router_library (quote,
getAmountOut, getAmountIn, getAmountsOut, getAmountsIn, with their revert strings).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dexagent.connectors.simulated import v2_math as v2
from dexagent.core.errors import RejectedError

VECTORS = Path(__file__).parents[2] / "vectors" / "uniswap" / "univ2_vectors.json"
V = json.loads(VECTORS.read_text())
E18 = 10**18


def _i(s: str) -> int:
    return int(s)


def _ids(cases: list[dict[str, Any]]) -> list[str]:
    return [",".join(f"{k}={v}" for k, v in c.items() if k != "note") for c in cases]


# -- pair ----------------------------------------------------------------------------------------

INPUT_PRICE = V["pair_getInputPrice"]["cases"]


@pytest.mark.parametrize("case", INPUT_PRICE, ids=_ids(INPUT_PRICE))
def test_get_amount_out_matches_pair_input_price(case: dict[str, str]) -> None:
    out = v2.get_amount_out(_i(case["amountIn"]), _i(case["reserveIn"]), _i(case["reserveOut"]))
    assert out == _i(case["amountOut"])


@pytest.mark.parametrize("case", INPUT_PRICE, ids=_ids(INPUT_PRICE))
def test_pair_accepts_exact_output_and_reverts_k_one_unit_more(case: dict[str, str]) -> None:
    reserves = (_i(case["reserveIn"]), _i(case["reserveOut"]))
    paid = (_i(case["amountIn"]), 0)
    out = _i(case["amountOut"])
    assert v2.pair_swap(reserves, paid, (0, out)) == (
        reserves[0] + paid[0],
        reserves[1] - out,
    )
    with pytest.raises(v2.KInvariant) as err:
        v2.pair_swap(reserves, paid, (0, out + 1))
    assert err.value.reason == "UniswapV2: K"


OPTIMISTIC = V["pair_optimistic"]["cases"]


@pytest.mark.parametrize("case", OPTIMISTIC, ids=_ids(OPTIMISTIC))
def test_pair_flash_swap_same_token_in_and_out(case: dict[str, str]) -> None:
    reserves = (_i(case["reserve0"]), _i(case["reserve1"]))
    paid = (_i(case["inputAmount"]), 0)
    out = _i(case["outputAmount"])
    after = v2.pair_swap(reserves, paid, (out, 0))
    assert after == (reserves[0] + paid[0] - out, reserves[1])
    with pytest.raises(v2.KInvariant):
        v2.pair_swap(reserves, paid, (out + 1, 0))


SWAP_EVENTS = V["pair_swap_events"]


@pytest.mark.parametrize("case", SWAP_EVENTS, ids=[c["test"] for c in SWAP_EVENTS])
def test_pair_swap_syncs_reserves_as_the_event_says(case: dict[str, Any]) -> None:
    reserves = (_i(case["reserve0"]), _i(case["reserve1"]))
    paid = (_i(case["amount0In"]), _i(case["amount1In"]))
    outs = (_i(case["amount0Out"]), _i(case["amount1Out"]))
    assert v2.pair_swap(reserves, paid, outs) == tuple(_i(x) for x in case["sync_after"])
    # the out the router would compute for that input is the one the test swapped for
    if paid[0]:
        assert v2.get_amount_out(paid[0], reserves[0], reserves[1]) == outs[1]
    else:
        assert v2.get_amount_out(paid[1], reserves[1], reserves[0]) == outs[0]


def test_pair_swap_reverts_with_the_pairs_messages() -> None:
    with pytest.raises(v2.InsufficientOutputAmount, match="UniswapV2: INSUFFICIENT_OUTPUT"):
        v2.pair_swap((100, 100), (10, 0), (0, 0))
    with pytest.raises(v2.InsufficientLiquidity, match="UniswapV2: INSUFFICIENT_LIQUIDITY"):
        v2.pair_swap((100, 100), (10, 0), (0, 100))
    with pytest.raises(v2.InsufficientInputAmount, match="UniswapV2: INSUFFICIENT_INPUT"):
        v2.pair_swap((100, 100), (0, 0), (0, 1))


# -- mint / burn / protocol fee ------------------------------------------------------------------

MB = V["pair_mint_burn"]
MIN_LIQ = _i(MB["MINIMUM_LIQUIDITY"])


def test_minimum_liquidity_is_the_pairs() -> None:
    assert v2.MINIMUM_LIQUIDITY == MIN_LIQ


def test_first_mint_locks_minimum_liquidity() -> None:
    m = MB["mint"]
    lp = v2.mint_liquidity(_i(m["amount0"]), _i(m["amount1"]))
    assert lp == _i(m["lp_to_minter"])
    assert lp + MIN_LIQ == _i(m["totalSupply_after"])


def test_burn_returns_all_but_the_locked_share() -> None:
    b = MB["burn"]
    r0, r1 = _i(b["reserve0"]), _i(b["reserve1"])
    lp = v2.mint_liquidity(r0, r1)
    assert lp == _i(b["lp_burned"])
    out0, out1 = v2.burn_amounts(lp, r0, r1, lp + MIN_LIQ)
    assert (out0, out1) == (_i(b["amount0_out"]), _i(b["amount1_out"]))
    assert [str(r0 - out0), str(r1 - out1)] == b["sync_after"]


def _swap_then_burn_all(case: dict[str, str], fee_on: bool) -> dict[str, int]:
    """mint at (reserve0, reserve1), swap, burn all the minter's LP.

    The upstream test sends *token1* in and takes token0 out (``token1.transfer(pair,
    swapAmount); pair.swap(expectedOutputAmount, 0, ...)``); the vector file's field name
    ``swap_amount0In`` says token0, but only token1-in reproduces its balances.
    """
    r0, r1 = _i(case["reserve0"]), _i(case["reserve1"])
    lp = v2.mint_liquidity(r0, r1)
    supply = lp + MIN_LIQ
    k_last = r0 * r1 if fee_on else 0
    amount_in = _i(case["swap_amount0In"])
    out = v2.get_amount_out(amount_in, r1, r0)
    b0, b1 = v2.pair_swap((r0, r1), (0, amount_in), (out, 0))
    fee_lp = v2.protocol_fee_liquidity(b0, b1, k_last, supply)
    supply += fee_lp
    out0, out1 = v2.burn_amounts(lp, b0, b1, supply)
    return {
        "amount1Out": out,
        "fee_lp": fee_lp,
        "supply_after": supply - lp,
        "balance0": b0 - out0,
        "balance1": b1 - out1,
    }


def test_burn_after_swap_without_protocol_fee_leaves_only_locked_supply() -> None:
    case = MB["feeTo_off"]
    got = _swap_then_burn_all(case, fee_on=False)
    assert got["amount1Out"] == _i(case["amount1Out"])
    assert got["fee_lp"] == 0
    assert got["supply_after"] == _i(case["totalSupply_after"])


def test_protocol_fee_mints_one_sixth_of_root_k_growth_to_fee_to() -> None:
    case = MB["feeTo_on"]
    got = _swap_then_burn_all(case, fee_on=True)
    assert got["amount1Out"] == _i(case["amount1Out"])
    assert got["fee_lp"] == _i(case["feeTo_lp_balance"])
    assert got["supply_after"] == _i(case["totalSupply_after"])
    assert got["balance0"] == _i(case["pair_token0_balance_after"])
    assert got["balance1"] == _i(case["pair_token1_balance_after"])


# -- router library ------------------------------------------------------------------------------

R = V["router_library"]


def _check(case: dict[str, Any], key: str, call: Callable[[], object]) -> None:
    if "revert" in case:
        with pytest.raises(v2.V2Revert) as err:
            call()
        assert err.value.reason == case["revert"]
        assert isinstance(err.value, RejectedError)
    else:
        assert call() == _i(case[key])


@pytest.mark.parametrize("case", R["quote"], ids=_ids(R["quote"]))
def test_router_quote(case: dict[str, str]) -> None:
    a, ra, rb = _i(case["amountA"]), _i(case["reserveA"]), _i(case["reserveB"])
    _check(case, "amountB", lambda: v2.quote(a, ra, rb))


@pytest.mark.parametrize("case", R["getAmountOut"], ids=_ids(R["getAmountOut"]))
def test_router_get_amount_out(case: dict[str, str]) -> None:
    a, ri, ro = _i(case["amountIn"]), _i(case["reserveIn"]), _i(case["reserveOut"])
    _check(case, "amountOut", lambda: v2.get_amount_out(a, ri, ro))


@pytest.mark.parametrize("case", R["getAmountIn"], ids=_ids(R["getAmountIn"]))
def test_router_get_amount_in(case: dict[str, str]) -> None:
    a, ri, ro = _i(case["amountOut"]), _i(case["reserveIn"]), _i(case["reserveOut"])
    _check(case, "amountIn", lambda: v2.get_amount_in(a, ri, ro))


def _hops(case: dict[str, Any]) -> list[tuple[int, int]]:
    r = [_i(x) for x in case["reserves"]]
    assert case["path_len"] == 2  # the upstream cases: one pair, token0 -> token1
    return [(r[0], r[1])]


@pytest.mark.parametrize("case", R["getAmountsOut"])
def test_router_get_amounts_out(case: dict[str, Any]) -> None:
    got = v2.get_amounts_out(_i(case["amountIn"]), _hops(case))
    assert got == [_i(x) for x in case["amounts"]]


@pytest.mark.parametrize("case", R["getAmountsIn"])
def test_router_get_amounts_in(case: dict[str, Any]) -> None:
    got = v2.get_amounts_in(_i(case["amountOut"]), _hops(case))
    assert got == [_i(x) for x in case["amounts"]]
