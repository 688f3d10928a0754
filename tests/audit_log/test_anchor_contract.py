"""AuditAnchor on anvil: per-agent growing tree sizes, the Anchored event, the custom error."""

from __future__ import annotations

import time

import pytest

from dexagent.audit_log.anchor_contract import (
    ANCHORED_TOPIC,
    decode_anchored,
    decode_not_growing,
    deploy_anchor,
    encode_anchor,
    last_tree_size,
)
from dexagent.connectors.evm.aio_rpc import AsyncRpc, RpcError
from dexagent.connectors.evm.anvil import AnvilNode
from dexagent.connectors.evm.rawtx import sign_1559
from dexagent.connectors.evm.rpc import JsonRpcClient
from tests.audit_log.anchor_helpers import AGENT_ADDR, AGENT_KEY, OTHER_ADDR, OTHER_KEY

pytestmark = pytest.mark.chain
ROOT_A, ROOT_B = b"\xaa" * 32, b"\xbb" * 32


def _send(node: AnvilNode, key: str, to: str, data: str) -> dict[str, object]:
    rpc = JsonRpcClient(node.url)
    sender = AGENT_ADDR if key == AGENT_KEY else OTHER_ADDR
    nonce = int(rpc.call("eth_getTransactionCount", [sender, "pending"]), 16)
    tx = sign_1559(
        key,
        chain_id=31337,
        nonce=nonce,
        to=to,
        data=data,
        gas=100_000,
        max_fee_per_gas=10**10,
        max_priority_fee_per_gas=10**9,
    )
    rpc.call("eth_sendRawTransaction", [tx.raw])
    deadline = time.monotonic() + 10  # automine: the receipt can lag the send by a few ms
    while (rcpt := rpc.call("eth_getTransactionReceipt", [tx.tx_hash])) is None:
        assert time.monotonic() < deadline, f"{tx.tx_hash} not mined"
        time.sleep(0.005)
    rpc.close()
    result: dict[str, object] = rcpt
    return result


def test_anchor_emits_event_with_agent_size_and_root_and_stores_the_size(chain: AnvilNode) -> None:
    c = deploy_anchor(chain.url, AGENT_KEY)
    rcpt = _send(chain, AGENT_KEY, c, encode_anchor(ROOT_A, 10))
    assert rcpt["status"] == "0x1"
    logs = rcpt["logs"]
    assert isinstance(logs, list) and len(logs) == 1 and logs[0]["topics"][0] == ANCHORED_TOPIC
    ev = decode_anchored(logs[0])
    assert (ev.agent, ev.tree_size, ev.root) == (AGENT_ADDR, 10, ROOT_A)
    rpc = JsonRpcClient(chain.url)
    assert last_tree_size(rpc, c, AGENT_ADDR) == 10
    assert last_tree_size(rpc, c, OTHER_ADDR) == 0


@pytest.mark.parametrize("size", [10, 9])
async def test_anchor_refuses_a_tree_size_that_does_not_grow(chain: AnvilNode, size: int) -> None:
    c = deploy_anchor(chain.url, AGENT_KEY)
    _send(chain, AGENT_KEY, c, encode_anchor(ROOT_A, 10))
    rpc = AsyncRpc(chain.url)
    call = {"from": AGENT_ADDR, "to": c, "data": encode_anchor(ROOT_B, size)}
    with pytest.raises(RpcError) as err:
        await rpc.call("eth_call", [call, "latest"])
    await rpc.close()
    assert decode_not_growing(err.value.data) == (10, size)
    assert _send(chain, AGENT_KEY, c, encode_anchor(ROOT_B, size))["status"] == "0x0"


def test_agents_are_independent(chain: AnvilNode) -> None:
    c = deploy_anchor(chain.url, AGENT_KEY)
    _send(chain, AGENT_KEY, c, encode_anchor(ROOT_A, 100))
    assert _send(chain, OTHER_KEY, c, encode_anchor(ROOT_B, 5))["status"] == "0x1"
    rpc = JsonRpcClient(chain.url)
    assert (last_tree_size(rpc, c, AGENT_ADDR), last_tree_size(rpc, c, OTHER_ADDR)) == (100, 5)
