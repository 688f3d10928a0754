"""Verifying a log against its on-chain anchors, from Python and from ``dexagent audit verify``."""

from __future__ import annotations

from pathlib import Path

import pytest

from dexagent.audit_log.anchor_contract import deploy_anchor
from dexagent.audit_log.anchor_source import RpcAnchorSource
from dexagent.audit_log.log import AuditLog
from dexagent.audit_log.verify import verify_store
from dexagent.cli import main
from dexagent.connectors.evm.anvil import AnvilNode
from tests.audit_log.anchor_helpers import (
    AGENT_ADDR,
    AGENT_KEY,
    OTHER_ADDR,
    OTHER_KEY,
    decide,
    new_anchorer,
    new_log,
    replay_with_change,
)

pytestmark = pytest.mark.chain


async def _anchored_log(node: AnvilNode, tmp_path: Path, contract: str) -> AuditLog:
    """Three checkpoints of ~10 records, each anchored and confirmed."""
    log = new_log(tmp_path)
    a = await new_anchorer(node, log, contract, tmp_path, every_records=10, confirmations=1)
    try:
        for k in range(3):
            decide(log, 10, start=10 * k)
            await a.tick()
            await a.wait_confirmed(timeout_s=10)
    finally:
        await a.close()
    assert len(log.store.anchors()) == 6
    return log


async def test_consistently_rewritten_log_passes_offline_but_fails_against_the_anchors(
    chain: AnvilNode, tmp_path: Path
) -> None:
    c = deploy_anchor(chain.url, OTHER_KEY)
    log = await _anchored_log(chain, tmp_path, c)
    cps = log.store.checkpoints()
    change = cps[0].tree_size + 3  # a decision covered by checkpoint 1, not by checkpoint 0
    fake = replay_with_change(log, tmp_path / "rewritten.db", change, AGENT_KEY)
    assert [cp.tree_size for cp in fake.store.checkpoints()] == [cp.tree_size for cp in cps]
    assert fake.store.checkpoints()[1].root != cps[1].root
    offline = verify_store(fake.store)
    assert offline.ok, offline.summary()  # what a reviewer without the chain would accept
    report = verify_store(fake.store, anchors=RpcAnchorSource(chain.url, c))
    assert not report.ok and report.problem is not None
    assert report.problem.checkpoint == 1 and report.anchors_checked == 1
    assert "differs from the on-chain anchor" in str(report.problem)
    assert verify_store(log.store, anchors=RpcAnchorSource(chain.url, c)).ok


async def test_log_re_signed_with_another_key_has_no_anchors_and_fails(
    chain: AnvilNode, tmp_path: Path
) -> None:
    c = deploy_anchor(chain.url, OTHER_KEY)
    log = await _anchored_log(chain, tmp_path, c)
    fake = replay_with_change(log, tmp_path / "other.db", 5, OTHER_KEY)
    # the attacker's log names its own signer; the anchors of that key are empty
    report = verify_store(fake.store, anchors=RpcAnchorSource(chain.url, c))
    assert not report.ok and "no on-chain anchor by" in str(report.problem)
    pinned = verify_store(fake.store, expected_signer=AGENT_ADDR)
    assert not pinned.ok and OTHER_ADDR in str(pinned.problem)


async def test_truncated_log_is_caught_by_an_anchor_beyond_its_end(
    chain: AnvilNode, tmp_path: Path
) -> None:
    c = deploy_anchor(chain.url, OTHER_KEY)
    log = await _anchored_log(chain, tmp_path, c)
    cps = log.store.checkpoints()
    # a consistent log that simply stops before the last anchored checkpoint
    short = AuditLog.open(f"sqlite:///{tmp_path / 'short.db'}", agent_id="agent-7")
    short.store.append_records(
        [
            (r.seq, r.agent_id, r.ts_ns, r.type, r.payload, r.leaf_hash)
            for r in log.store.iter_records(0, cps[1].tree_size + 1)
        ]
    )
    for cp in cps[:2]:
        short.store.append_checkpoint(cp)
    assert verify_store(short.store).ok
    report = verify_store(short.store, anchors=RpcAnchorSource(chain.url, c))
    assert not report.ok and "records were removed" in str(report.problem)


async def test_cli_verify_with_rpc_reports_counts_and_anchored_block(
    chain: AnvilNode, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    c = deploy_anchor(chain.url, OTHER_KEY)
    log = await _anchored_log(chain, tmp_path, c)
    last = log.store.anchors()[-1]
    url = f"sqlite:///{tmp_path / 'audit.db'}"
    args = ["audit", "verify", "--db", url, "--rpc", chain.url, "--contract", c]
    assert main([*args, "--signer", AGENT_ADDR]) == 0
    out = capsys.readouterr().out
    n = log.size
    assert f"OK: verified {n} records and 3 checkpoints" in out
    assert f"3 checkpoints match their on-chain anchors, up to tree size {last.tree_size}" in out
    assert f"anchored in block {last.block_number}" in out
    fake = replay_with_change(log, tmp_path / "rewritten.db", 2, AGENT_KEY)
    fake.close()
    bad = ["audit", "verify", "--db", f"sqlite:///{tmp_path / 'rewritten.db'}"]
    assert main(bad) == 0
    capsys.readouterr()
    assert main([*bad, "--rpc", chain.url, "--contract", c]) == 1
    assert "FAILED: checkpoint 0: root 0x" in capsys.readouterr().out


def test_cli_verify_needs_rpc_and_contract_together(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    assert main(["audit", "verify", "--db", url, "--rpc", "http://127.0.0.1:1"]) != 0
    assert "--rpc and --contract go together" in capsys.readouterr().err
