"""The anchorer on a real anvil: triggers, K confirmations, a reorg, a stuck tx, restart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dexagent.audit_log.anchor import Anchorer
from dexagent.audit_log.anchor_config import AnchorConfig
from dexagent.audit_log.anchor_contract import deploy_anchor, last_tree_size
from dexagent.audit_log.anchor_source import RpcAnchorSource
from dexagent.audit_log.records import RecordType
from dexagent.audit_log.verify import verify_store
from dexagent.connectors.evm.anvil import AnvilNode
from dexagent.connectors.evm.rpc import JsonRpcClient
from dexagent.core.errors import ConfigError, RejectedError
from tests.audit_log.anchor_helpers import (
    AGENT_ADDR,
    OTHER_ADDR,
    OTHER_KEY,
    FakeClock,
    decide,
    new_anchorer,
    new_log,
)

pytestmark = pytest.mark.chain


def _statuses(a: Anchorer) -> list[tuple[int, str]]:
    return [(r.checkpoint_idx, r.status) for r in a.audit.store.anchors()]


def _anchor_records(a: Anchorer) -> list[dict[str, object]]:
    return [
        json.loads(r.payload)
        for r in a.audit.store.iter_records()
        if r.type == RecordType.ANCHOR.value
    ]


async def test_anchors_every_n_records_and_confirms_after_k_blocks(
    chain: AnvilNode, tmp_path: Path
) -> None:
    c = deploy_anchor(chain.url, OTHER_KEY)
    log = new_log(tmp_path)
    a = await new_anchorer(chain, log, c, tmp_path, every_records=8, confirmations=3)
    try:
        decide(log, 6)
        await a.tick()
        assert _statuses(a) == []  # 7 records: below the trigger
        decide(log, 1, start=6)
        await a.tick()
        assert _statuses(a) == [(0, "sent")] and a.in_flight == 1
        chain.rpc("anvil_mine", ["0x1"])
        assert await a.tick() == [] and a.in_flight == 1  # 2 of 3 confirmations
        chain.rpc("anvil_mine", ["0x1"])
        [done] = await a.tick()
        assert (done.status, done.tree_size) == ("confirmed", 8)
        assert _statuses(a) == [(0, "sent"), (0, "confirmed")]
        [rec] = _anchor_records(a)
        assert rec["tree_size"] == 8 and rec["tx_hash"] == done.tx_hash
        assert rec["block"] == done.block_number and rec["confirmations"] == 3
        assert last_tree_size(JsonRpcClient(chain.url), c, AGENT_ADDR) == 8
        report = verify_store(log.store, anchors=RpcAnchorSource(chain.url, c))
        assert report.ok and report.anchors_checked == 1
        assert f"anchored in block {done.block_number}" in report.summary()
    finally:
        await a.close()


async def test_anchors_after_t_seconds_even_below_n_records(
    chain: AnvilNode, tmp_path: Path
) -> None:
    c = deploy_anchor(chain.url, OTHER_KEY)
    log = new_log(tmp_path)
    a = await new_anchorer(
        chain, log, c, tmp_path, every_records=1000, every_seconds=60, confirmations=1
    )
    clock = a._clock
    assert isinstance(clock, FakeClock)
    try:
        decide(log, 3)
        clock.t += 59
        await a.tick()
        assert _statuses(a) == []
        clock.t += 1
        await a.tick()
        await a.wait_confirmed(timeout_s=10)
        assert [s for _, s in _statuses(a)] == ["sent", "confirmed"]
        # nothing new but our own checkpoint and anchor records: no further anchor
        clock.t += 600
        await a.tick()
        assert len(_statuses(a)) == 2
    finally:
        await a.close()


async def test_anchor_reorged_out_is_anchored_again_and_confirmed(
    chain: AnvilNode, tmp_path: Path
) -> None:
    c = deploy_anchor(chain.url, OTHER_KEY)
    log = new_log(tmp_path)
    a = await new_anchorer(chain, log, c, tmp_path, every_records=5, confirmations=3)
    try:
        decide(log, 4)
        await a.tick()
        [sent] = log.store.anchors()
        first = chain.rpc("eth_getTransactionReceipt", [sent.tx_hash])
        await a.tick()  # sees it mined (1 of 3 confirmations)
        chain.rpc("anvil_reorg", [1, []])  # replace the head block: the anchor tx is dropped
        assert chain.rpc("eth_getTransactionReceipt", [sent.tx_hash]) is None
        assert last_tree_size(JsonRpcClient(chain.url), c, AGENT_ADDR) == 0
        await a.tick()  # detects it, broadcasts the same signed tx again (automine)
        assert _statuses(a) == [(0, "sent"), (0, "reorged"), (0, "sent")]
        chain.rpc("anvil_mine", ["0x2"])
        [done] = await a.tick()
        again = chain.rpc("eth_getTransactionReceipt", [done.tx_hash])
        assert again["blockHash"] != first["blockHash"]
        assert done.block_hash == again["blockHash"]
        assert _statuses(a)[-1] == (0, "confirmed")
        assert last_tree_size(JsonRpcClient(chain.url), c, AGENT_ADDR) == 5
        report = verify_store(log.store, anchors=RpcAnchorSource(chain.url, c))
        assert report.ok and report.anchored_block == int(again["blockNumber"], 16)
    finally:
        await a.close()


async def test_stuck_anchor_is_replaced_with_higher_fees_and_confirmed(
    chain: AnvilNode, tmp_path: Path
) -> None:
    c = deploy_anchor(chain.url, OTHER_KEY)
    log = new_log(tmp_path)
    a = await new_anchorer(
        chain, log, c, tmp_path, every_records=5, confirmations=1, stuck_after_s=30
    )
    clock = a._clock
    assert isinstance(clock, FakeClock)
    chain.rpc("evm_setAutomine", [False])
    try:
        decide(log, 4)
        await a.tick()
        [sent] = log.store.anchors()
        await a.tick()
        assert len(log.store.anchors()) == 1  # not stuck yet
        clock.t += 30
        await a.tick()
        rows = log.store.anchors()
        assert [r.status for r in rows] == ["sent", "sent"] and rows[1].tx_hash != sent.tx_hash
        pending = chain.rpc("txpool_content")["pending"]
        [tx] = {k.lower(): v for k, v in pending.items()}[AGENT_ADDR.lower()].values()
        assert tx["hash"] == rows[1].tx_hash  # the bumped tx replaced the original
        chain.rpc("evm_mine")
        [done] = await a.tick()
        assert done.tx_hash == rows[1].tx_hash
        assert chain.rpc("eth_getTransactionReceipt", [sent.tx_hash]) is None
    finally:
        chain.rpc("evm_setAutomine", [True])
        await a.close()


async def test_restarted_anchorer_resumes_an_unconfirmed_anchor(
    chain: AnvilNode, tmp_path: Path
) -> None:
    c = deploy_anchor(chain.url, OTHER_KEY)
    log = new_log(tmp_path)
    a = await new_anchorer(chain, log, c, tmp_path, every_records=5, confirmations=2)
    decide(log, 4)
    await a.tick()
    await a.close()
    b = await new_anchorer(chain, log, c, tmp_path, every_records=5, confirmations=2)
    try:
        assert b.in_flight == 1 and not b.due()
        chain.rpc("anvil_mine", ["0x1"])
        [done] = await b.tick()
        assert done.tree_size == 5 and [s for _, s in _statuses(b)] == ["sent", "confirmed"]
    finally:
        await b.close()


async def test_anchorer_refuses_a_key_other_than_the_checkpoint_signer(
    chain: AnvilNode, tmp_path: Path
) -> None:
    c = deploy_anchor(chain.url, OTHER_KEY)
    log = new_log(tmp_path, key=OTHER_KEY)
    with pytest.raises(ConfigError, match="checkpoint signer"):
        await new_anchorer(chain, log, c, tmp_path)


def test_config_needs_a_trigger() -> None:
    with pytest.raises(ConfigError, match="nothing would anchor"):
        AnchorConfig(every_records=None, every_seconds=None)


async def test_confirmed_anchor_dropped_by_a_deeper_reorg_is_anchored_again(
    chain: AnvilNode, tmp_path: Path
) -> None:
    c = deploy_anchor(chain.url, OTHER_KEY)
    log = new_log(tmp_path)
    chain.rpc("anvil_mine", ["0x4"])  # keep the deployment out of the reorged blocks
    a = await new_anchorer(chain, log, c, tmp_path, every_records=5, confirmations=2)
    try:
        decide(log, 4)
        await a.tick()
        chain.rpc("anvil_mine", ["0x1"])
        [first] = await a.tick()
        chain.rpc("anvil_reorg", [3, []])  # deeper than the 2 confirmations
        assert chain.rpc("eth_getTransactionReceipt", [first.tx_hash]) is None
        await a.tick()
        chain.rpc("anvil_mine", ["0x1"])
        [second] = await a.tick()
        assert second.tx_hash == first.tx_hash and second.block_hash != first.block_hash
        assert [s for _, s in _statuses(a)] == ["sent", "confirmed", "reorged", "sent", "confirmed"]
        assert [r["block_hash"] for r in _anchor_records(a)] == [
            first.block_hash,
            second.block_hash,
        ]
        assert verify_store(log.store, anchors=RpcAnchorSource(chain.url, c)).ok
    finally:
        await a.close()


async def test_anchorer_refuses_an_address_without_contract_code(
    chain: AnvilNode, tmp_path: Path
) -> None:
    log = new_log(tmp_path)
    with pytest.raises(ConfigError, match="no contract at"):
        await new_anchorer(chain, log, OTHER_ADDR, tmp_path)


async def test_anchor_mined_without_the_event_is_reported_not_confirmed(
    chain: AnvilNode, tmp_path: Path
) -> None:
    c = deploy_anchor(chain.url, OTHER_KEY)
    log = new_log(tmp_path)
    a = await new_anchorer(chain, log, c, tmp_path, every_records=5, confirmations=1)
    a.contract = "0x" + "00" * 19 + "01"  # precompile ecrecover: the call succeeds, logs nothing
    try:
        decide(log, 4)
        await a.tick()
        with pytest.raises(RejectedError, match="emitted no matching Anchored event"):
            await a.tick()
        assert [s for _, s in _statuses(a)] == ["sent", "reverted"]
        assert _anchor_records(a) == []
    finally:
        await a.close()
