"""V3Pool behaviour beyond the spec vectors: reverts, no side effects, crossing, fees."""

from __future__ import annotations

import random

import pytest

from dexagent.connectors.simulated.uniswap_v3.errors import V3Revert
from dexagent.connectors.simulated.uniswap_v3.full_math import MAX_INT256, Q128
from dexagent.connectors.simulated.uniswap_v3.pool import V3Pool
from dexagent.connectors.simulated.uniswap_v3.swap_math import compute_swap_step
from dexagent.connectors.simulated.uniswap_v3.tick_math import (
    MAX_SQRT_RATIO,
    MIN_SQRT_RATIO,
    get_sqrt_ratio_at_tick,
)

ONE = 79228162514264337593543950336  # price 1
E18 = 10**18


def _pool(fee: int = 3000, spacing: int = 60) -> V3Pool:
    pool = V3Pool(fee, spacing)
    pool.initialize(ONE)
    pool.mint(-887220, 887220, 2 * E18, owner="full")
    pool.mint(-600, 600, 10 * E18, owner="narrow")
    pool.mint(120, 1200, 5 * E18, owner="above")
    return pool


def _state(p: V3Pool) -> tuple[object, ...]:
    ticks = {
        t: (
            i.liquidity_gross,
            i.liquidity_net,
            i.fee_growth_outside0_x128,
            i.fee_growth_outside1_x128,
        )
        for t, i in p.ticks.items()
    }
    return (
        p.sqrt_price_x96,
        p.tick,
        p.liquidity,
        p.fee_growth_global0_x128,
        p.fee_growth_global1_x128,
        p.balance0,
        p.balance1,
        ticks,
        dict(p.bitmap),
    )


def test_swap_of_zero_reverts_as() -> None:
    with pytest.raises(V3Revert) as err:
        _pool().swap(True, 0, MIN_SQRT_RATIO + 1)
    assert err.value.reason == "AS"


def test_uninitialized_pool_is_locked() -> None:
    pool = V3Pool(500, 10)
    for call in (lambda: pool.swap(True, 1, MIN_SQRT_RATIO + 1), lambda: pool.mint(-10, 10, 1)):
        with pytest.raises(V3Revert) as err:
            call()
        assert err.value.reason == "LOK"


def test_initialize_twice_reverts_ai_and_bad_price_reverts_r() -> None:
    pool = V3Pool(500, 10)
    with pytest.raises(V3Revert) as err:
        pool.initialize(MIN_SQRT_RATIO - 1)
    assert err.value.reason == "R"
    pool.initialize(ONE)
    with pytest.raises(V3Revert) as err:
        pool.initialize(ONE)
    assert err.value.reason == "AI"


@pytest.mark.parametrize(
    ("zero_for_one", "limit"),
    [(True, ONE), (True, MIN_SQRT_RATIO), (False, ONE), (False, MAX_SQRT_RATIO)],
)
def test_price_limit_on_the_wrong_side_reverts_spl(zero_for_one: bool, limit: int) -> None:
    with pytest.raises(V3Revert) as err:
        _pool().swap(zero_for_one, E18, limit)
    assert err.value.reason == "SPL"


@pytest.mark.parametrize(
    ("lower", "upper", "reason"),
    [(60, 60, "TLU"), (120, 60, "TLU"), (-887280, 60, "TLM"), (-60, 887280, "TUM")],
)
def test_mint_with_bad_ticks_reverts_with_the_contract_reason(
    lower: int, upper: int, reason: str
) -> None:
    pool = _pool()
    before = _state(pool)
    with pytest.raises(V3Revert) as err:
        pool.mint(lower, upper, E18)
    assert err.value.reason == reason
    assert _state(pool) == before


def test_burning_more_than_the_position_reverts_ls_and_changes_nothing() -> None:
    pool = _pool()
    before = _state(pool)
    with pytest.raises(V3Revert) as err:
        pool.burn(-600, 600, 10 * E18 + 1, owner="narrow")
    assert err.value.reason == "LS"
    assert _state(pool) == before
    with pytest.raises(V3Revert) as err:
        pool.burn(-600, 600, 0, owner="nobody")
    assert err.value.reason == "NP"


def test_mint_above_the_per_tick_maximum_reverts_lo() -> None:
    pool = V3Pool(3000, 60)
    pool.initialize(ONE)
    with pytest.raises(V3Revert) as err:
        pool.mint(-60, 60, pool.max_liquidity_per_tick + 1)
    assert err.value.reason == "LO"


def test_quote_and_copy_leave_the_pool_untouched() -> None:
    pool = _pool()
    before = _state(pool)
    q = pool.quote_swap(True, 30 * E18, MIN_SQRT_RATIO + 1)
    assert q.ticks_crossed >= 1
    assert _state(pool) == before
    snap = pool.copy()
    snap.swap(True, 30 * E18, MIN_SQRT_RATIO + 1)
    assert _state(pool) == before
    assert (snap.sqrt_price_x96, snap.liquidity) == (q.sqrt_price_x96, q.liquidity)


def test_crossing_a_position_boundary_changes_active_liquidity_by_its_net() -> None:
    pool = _pool()
    assert pool.liquidity == 12 * E18
    pool.swap(False, MAX_INT256, get_sqrt_ratio_at_tick(150))  # up through tick 120
    assert pool.tick == 150
    assert pool.liquidity == 17 * E18
    pool.swap(True, MAX_INT256, get_sqrt_ratio_at_tick(-700))  # down through 120, -600
    assert pool.liquidity == 2 * E18
    # crossing flips fee growth outside (0 at mint): token1 fees all accrued above -600, token0
    # fees partly below it (between -600 and -700, with only the full-range liquidity)
    info = pool.ticks[-600]
    assert info.fee_growth_outside1_x128 == pool.fee_growth_global1_x128 > 0
    below = pool.fee_growth_global0_x128 - info.fee_growth_outside0_x128
    assert 0 < below < info.fee_growth_outside0_x128
    assert pool.tick == -700


def test_single_step_swap_equals_one_compute_swap_step() -> None:
    pool = _pool()
    amount = 10**15
    a0, a1 = pool.swap(True, amount, MIN_SQRT_RATIO + 1)
    nxt, amount_in, amount_out, fee = compute_swap_step(
        ONE, get_sqrt_ratio_at_tick(-60), 12 * E18, amount, 3000
    )
    assert (a0, a1, pool.sqrt_price_x96) == (amount_in + fee, -amount_out, nxt)
    assert pool.fee_growth_global0_x128 == fee * Q128 // (12 * E18)


def test_protocol_fee_takes_its_share_of_the_fee() -> None:
    pool = _pool()
    pool.set_fee_protocol(4, 5)
    r = pool.swap_result(True, 10**15, MIN_SQRT_RATIO + 1)
    assert pool.protocol_fees0 == r.fee_amount // 4 == r.protocol_fee
    assert pool.fee_growth_global0_x128 == (r.fee_amount - r.fee_amount // 4) * Q128 // (12 * E18)
    with pytest.raises(V3Revert):
        pool.set_fee_protocol(3, 0)


def test_fees_owed_to_positions_never_exceed_fees_paid_and_pool_stays_solvent() -> None:
    rng = random.Random(7)
    pool = _pool()
    paid0 = paid1 = 0
    for _ in range(200):
        zfo = rng.random() < 0.5
        amount = rng.randrange(10**12, 3 * E18)
        if rng.random() < 0.5:
            amount = -amount // 10
        try:
            r = pool.swap_result(zfo, amount, MIN_SQRT_RATIO + 1 if zfo else MAX_SQRT_RATIO - 1)
        except V3Revert:
            continue
        paid0 += r.fee_amount if zfo else 0
        paid1 += 0 if zfo else r.fee_amount
    owed0 = owed1 = 0
    for owner, lo, hi in (("full", -887220, 887220), ("narrow", -600, 600), ("above", 120, 1200)):
        liq = pool.positions[(owner, lo, hi)].liquidity
        pool.burn(lo, hi, liq, owner=owner)
        pos = pool.positions[(owner, lo, hi)]
        fees = pool.collect(lo, hi, owner=owner)
        assert pos.tokens_owed0 == pos.tokens_owed1 == 0
        owed0 += fees[0]
        owed1 += fees[1]
    assert pool.liquidity == 0 and not pool.bitmap and not pool.ticks
    assert pool.balance0 >= 0 and pool.balance1 >= 0  # every payout was covered
    assert paid0 > 0 and paid1 > 0
    # all liquidity left, so the fees owed were part of the payouts (up to rounding dust)
    assert pool.balance0 <= paid0 and pool.balance1 <= paid1
