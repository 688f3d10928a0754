"""Shared fixtures: one anvil node per session, a snapshot/revert around each test using it.

``anvil`` (session): a running :class:`AnvilNode`, stopped at the end of the session.
``chain`` (function): the same node, inside ``evm_snapshot`` / ``evm_revert`` so tests don't leak.
``deployment`` (session): WETH, test tokens and Uniswap V2/V3 with seeded pools, once per session.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from dexagent.connectors.evm.anvil import DEV_ACCOUNTS, AnvilNode

if TYPE_CHECKING:
    from dexagent.connectors.evm.deploy import Deployment


@pytest.fixture(scope="session")
def anvil() -> Iterator[AnvilNode]:
    node = AnvilNode.start()
    try:
        yield node
    finally:
        node.stop()


@pytest.fixture
def chain(anvil: AnvilNode) -> Iterator[AnvilNode]:
    snap = anvil.snapshot()
    try:
        yield anvil
    finally:
        if not anvil.revert(snap):
            raise RuntimeError(f"evm_revert({snap}) returned false: a test reverted it itself")


@pytest.fixture(scope="session")
def deployment(anvil: AnvilNode) -> Deployment:
    from dexagent.connectors.evm.deploy import deploy_stack

    return deploy_stack(anvil.url, deployer_key=DEV_ACCOUNTS[0][1])
