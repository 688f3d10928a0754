"""With an AuditAnchor configured, the final checkpoint is anchored on chain at shutdown."""

from __future__ import annotations

import json
from pathlib import Path

from dexagent.audit_log.anchor_contract import deploy_anchor, last_tree_size
from dexagent.connectors.evm.rpc import JsonRpcClient
from tests.service.helpers import AGENT_ADDR, AGENT_KEY, Chain, ServiceProc, write_config


def test_final_checkpoint_is_anchored_and_confirmed_on_sigterm(
    chain: Chain, tmp_path: Path
) -> None:
    contract = deploy_anchor(chain.node.url, AGENT_KEY)
    cfg = write_config(tmp_path, chain.node.url, chain.manifest)
    text = cfg.read_text().replace(
        "[agents.audit]\nbatch_size = 8",
        f'[agents.audit]\nbatch_size = 8\nanchor_contract = "{contract}"\n'
        "anchor_confirmations = 1\nanchor_every_records = 100000",
    )
    cfg.write_text(text)
    svc = ServiceProc(cfg, tmp_path)
    try:
        svc.wait_for("first block", lambda: svc.agent()["status"] == "running")
        chain.close_bar()
        svc.wait_for("a fill", lambda: svc.agent()["fills"] == 1)
        assert svc.terminate() == 0
    finally:
        svc.close()
    summary = json.loads((tmp_path / "state" / "shutdown.json").read_text())
    (agent,) = summary["agents"]
    assert agent["anchored"] is True, agent
    rpc = JsonRpcClient(chain.node.url)
    try:
        assert last_tree_size(rpc, contract, AGENT_ADDR) == agent["checkpoint"]["tree_size"]
    finally:
        rpc.close()
