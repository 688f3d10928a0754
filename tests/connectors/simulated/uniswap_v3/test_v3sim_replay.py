"""Replaying a day of the mainnet USDC/WETH 0.05 % pool's events through V3Pool."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from dexagent.connectors.simulated.uniswap_v3.replay import read_events, replay
from dexagent.connectors.simulated.uniswap_v3.swap_math import compute_swap_step
from dexagent.core.errors import DataError

EVENTS = (
    Path(__file__).parents[3]
    / "vectors"
    / "uniswap_v3_events"
    / "ethereum_usdc-weth-0.05_0x88e6a0c2ddd26feeb64f039a2c41296fcb3f5640_2024-01-05_events.csv.gz"
)


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    return replay(EVENTS)


def test_replay_reproduces_at_least_every_single_step_swap(result) -> None:  # type: ignore[no-untyped-def]
    s = result.stats
    assert s.swaps == 6045  # every swap after the starting one
    assert s.reproduced + s.unexplained == s.swaps
    # SOURCES.md: 5,354 swaps reproduce with single-step math, 103 more at their price limit
    # (a swap both kinds explain counts once, as the first candidate that matches)
    assert s.reproduced >= 5354 + 103
    assert s.exact_input > 0 and s.exact_output > 0 and s.price_limit > 0
    assert s.match_rate > 0.9


def test_every_unexplained_swap_changed_the_active_liquidity(result) -> None:  # type: ignore[no-untyped-def]
    """An unexplained swap must be one no single step from the recorded state explains."""
    events = read_events(EVENTS)
    unexplained = set(result.stats.unexplained_at)
    assert len(unexplained) == result.stats.unexplained > 0
    prev = None
    for e in events:
        if (e.block, e.log_index) in unexplained:
            assert prev is not None
            zfo = e.amount0 > 0
            paid_in = e.amount0 if zfo else e.amount1
            paid_out = -(e.amount1 if zfo else e.amount0)
            limit = 4295128740 if zfo else 1461446703485210103287273052203988822378723970341
            assert prev.total_liquidity != e.total_liquidity
            for amount in (paid_in, -paid_out):
                nxt, a_in, a_out, fee = compute_swap_step(
                    prev.sqrt_price_x96, limit, prev.total_liquidity, amount, 500
                )
                assert (nxt, a_in + fee, a_out) != (e.sqrt_price_x96, paid_in, paid_out)
        prev = e


def test_mints_and_burns_reproduce_the_recorded_token_amounts(result) -> None:  # type: ignore[no-untyped-def]
    s = result.stats
    assert (s.mints, s.burns) == (54, 69)
    assert s.mints_matched == s.mints and s.burns_matched == s.burns


def test_rebuilt_pool_ends_at_the_last_recorded_state(result) -> None:  # type: ignore[no-untyped-def]
    last = read_events(EVENTS)[-1]
    pool = result.pool
    assert (pool.sqrt_price_x96, pool.tick, pool.liquidity) == (
        last.sqrt_price_x96,
        last.tick,
        last.total_liquidity,
    )
    assert pool.fee_growth_global0_x128 > 0 and pool.fee_growth_global1_x128 > 0
    assert pool.ticks  # the window's mints left initialized ticks


def test_events_out_of_order_are_a_data_error(tmp_path: Path) -> None:
    with gzip.open(EVENTS, "rt") as fh:
        lines = fh.read().splitlines()
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([lines[0], lines[2], lines[1], *lines[3:10]]) + "\n")
    with pytest.raises(DataError, match="order"):
        read_events(bad)
