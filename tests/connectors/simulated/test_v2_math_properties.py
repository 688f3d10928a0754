"""V2 math beyond the upstream vectors: the bps fee equals the contracts' 997/1000, getAmountIn
inverts getAmountOut, multi-hop paths chain, and bad fees are configuration errors."""

from __future__ import annotations

import random

import pytest

from dexagent.connectors.simulated import v2_math as v2
from dexagent.core.errors import ConfigError


def _contract_out(a: int, rin: int, rout: int) -> int:
    return a * 997 * rout // (rin * 1000 + a * 997)


def _contract_in(b: int, rin: int, rout: int) -> int:
    return rin * b * 1000 // ((rout - b) * 997) + 1


def _cases(n: int) -> list[tuple[int, int, int]]:
    rng = random.Random(20240105)
    out = []
    for _ in range(n):
        rin = rng.randrange(1, 10**30)
        rout = rng.randrange(2, 10**30)
        out.append((rng.randrange(1, 10**28), rin, rout))
    return out


@pytest.mark.parametrize(("amount", "rin", "rout"), _cases(200))
def test_fee_30_bps_is_the_contracts_997_over_1000(amount: int, rin: int, rout: int) -> None:
    assert v2.get_amount_out(amount, rin, rout, 30) == _contract_out(amount, rin, rout)
    want = amount % (rout - 1) + 1  # some output below the reserve
    assert v2.get_amount_in(want, rin, rout, 30) == _contract_in(want, rin, rout)


@pytest.mark.parametrize(("amount", "rin", "rout"), _cases(100))
def test_get_amount_in_buys_at_least_the_amount_asked(amount: int, rin: int, rout: int) -> None:
    want = amount % (rout - 1) + 1
    paid = v2.get_amount_in(want, rin, rout)
    assert v2.get_amount_out(paid, rin, rout) >= want


def test_zero_fee_keeps_the_product_and_a_higher_fee_pays_less() -> None:
    rin, rout, a = 10**24, 5 * 10**21, 10**21
    free = v2.get_amount_out(a, rin, rout, 0)
    assert free == a * rout // (rin + a)
    assert v2.get_amount_out(a, rin, rout, 30) < free
    assert v2.get_amount_out(a, rin, rout, 100) < v2.get_amount_out(a, rin, rout, 30)


def test_amounts_along_a_three_hop_path_chain_each_hop() -> None:
    hops = [(10**21, 2 * 10**21), (3 * 10**21, 10**21), (10**21, 10**21)]
    amounts = v2.get_amounts_out(10**18, hops)
    assert len(amounts) == 4
    for i, (rin, rout) in enumerate(hops):
        assert amounts[i + 1] == _contract_out(amounts[i], rin, rout)
    back = v2.get_amounts_in(amounts[-1], hops)
    assert back[-1] == amounts[-1]
    for i, (rin, rout) in enumerate(hops):
        assert back[i] == _contract_in(back[i + 1], rin, rout)


def test_output_not_below_reserve_is_insufficient_liquidity() -> None:
    with pytest.raises(v2.InsufficientLiquidity, match="amount_out=100 >= reserve_out=100"):
        v2.get_amount_in(100, 100, 100)


def test_empty_path_is_a_configuration_error() -> None:
    with pytest.raises(ConfigError, match="INVALID_PATH"):
        v2.get_amounts_out(1, [])
    with pytest.raises(ConfigError, match="INVALID_PATH"):
        v2.get_amounts_in(1, [])


@pytest.mark.parametrize("fee", [-1, 10_000, True])
def test_fee_outside_basis_point_range_is_rejected(fee: int) -> None:
    with pytest.raises(ConfigError, match="fee_bps"):
        v2.check_fee_bps(fee)
