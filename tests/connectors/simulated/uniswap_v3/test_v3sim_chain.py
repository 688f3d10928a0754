"""The simulation agrees with real Uniswap V3 contracts on anvil, to the wei, swap by swap."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from dexagent.connectors.evm.anvil import DEV_ACCOUNTS, AnvilNode
from dexagent.connectors.simulated.uniswap_v3.agreement import run_agreement

if TYPE_CHECKING:
    from dexagent.connectors.evm.deploy import Deployment

pytestmark = pytest.mark.chain


def test_random_swaps_on_a_deployed_pool_match_the_simulation_to_the_wei(
    chain: AnvilNode, deployment: Deployment
) -> None:
    rep = run_agreement(chain.url, deployment, swaps=100, seed=11, sender=DEV_ACCOUNTS[7][0])
    assert rep.mismatches == []
    assert rep.agreed == rep.swaps == 100
    # the run exercised what it claims to: both kinds, limits, reverts and tick crossings
    assert rep.exact_input > 20 and rep.exact_output > 20 and rep.with_limit > 10
    assert rep.crossing > 0 and rep.positions > 10
