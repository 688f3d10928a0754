"""A trade in flight when the service is told to stop, or killed: exactly one trade, log intact."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

from dexagent.audit_log.store import Store
from dexagent.audit_log.verify import verify_store
from tests.service.helpers import AGENT_ADDR, Chain, ServiceProc, write_config


def _journal(tmp: Path) -> dict[str, str]:
    db = sqlite3.connect(tmp / "state" / "alpha" / "journal.sqlite")
    try:
        return {str(i): str(s) for i, s in db.execute("SELECT id, status FROM orders")}
    finally:
        db.close()


def _audit_types(tmp: Path) -> list[str]:
    store = Store.open(f"sqlite:///{tmp / 'state' / 'alpha' / 'audit.sqlite'}")
    try:
        return [r.type for r in store.iter_records(0, 10**9)]
    finally:
        store.close()


def _verify(tmp: Path) -> None:
    store = Store.open(f"sqlite:///{tmp / 'state' / 'alpha' / 'audit.sqlite'}")
    try:
        report = verify_store(store, expected_signer=AGENT_ADDR)
        assert report.ok, report.summary()
    finally:
        store.close()


def _send_pending_swap(chain: Chain, svc: ServiceProc) -> None:
    """Automine off, close a bar: the agent decides and sends its swap, which stays pending."""
    svc.wait_for("first block", lambda: svc.agent()["status"] == "running")
    chain.rpc("evm_setAutomine", [False])
    chain.close_bar()
    svc.wait_for("the swap in the mempool", lambda: chain.pending_from(AGENT_ADDR) == 1)


def test_sigterm_mid_trade_waits_for_the_receipt_then_checkpoints(
    chain: Chain, tmp_path: Path
) -> None:
    cfg = write_config(tmp_path, chain.node.url, chain.manifest)
    svc = ServiceProc(cfg, tmp_path)
    try:
        _send_pending_swap(chain, svc)
        svc.proc.send_signal(15)
        time.sleep(0.5)
        assert svc.proc.poll() is None  # still waiting for its in-flight transaction
        chain.rpc("evm_mine")
        assert svc.proc.wait(30) == 0
    finally:
        svc.close()
    assert chain.swaps_to(AGENT_ADDR) == 1
    assert chain.pending_from(AGENT_ADDR) == 0
    assert list(_journal(tmp_path).values()) == ["filled"]
    types = _audit_types(tmp_path)
    assert types.count("fill") == 1 and types[-1] == "checkpoint"
    summary = json.loads((tmp_path / "state" / "shutdown.json").read_text())
    assert summary["agents"][0]["cancelled"] is False
    _verify(tmp_path)


def test_kill9_after_send_then_restart_settles_the_same_trade_once(
    chain: Chain, tmp_path: Path
) -> None:
    cfg = write_config(tmp_path, chain.node.url, chain.manifest)
    svc = ServiceProc(cfg, tmp_path, tag="first")
    try:
        _send_pending_swap(chain, svc)
        svc.kill9()
    finally:
        svc.close()
    before = _audit_types(tmp_path)
    assert before.count("decision") == 1 and "fill" not in before  # durable before the send
    assert list(_journal(tmp_path).values()) == ["approved"]
    chain.rpc("evm_mine")  # the orphaned transaction is mined while the agent is down
    svc = ServiceProc(cfg, tmp_path, tag="second")
    try:
        svc.wait_for("the recovered fill", lambda: svc.agent()["fills"] == 1)
        chain.rpc("evm_setAutomine", [True])
        chain.rpc("evm_mine")
        time.sleep(0.5)  # a few more polls: nothing else may be sent
        assert svc.terminate() == 0
    finally:
        svc.close()
    assert chain.swaps_to(AGENT_ADDR) == 1
    assert list(_journal(tmp_path).values()) == ["filled"]
    after = _audit_types(tmp_path)
    assert after[: len(before)] == before  # the same tree, continued
    assert after.count("decision") == 1 and after.count("fill") == 1
    _verify(tmp_path)


def test_kill9_before_mining_restart_waits_for_the_pending_trade(
    chain: Chain, tmp_path: Path
) -> None:
    cfg = write_config(tmp_path, chain.node.url, chain.manifest)
    svc = ServiceProc(cfg, tmp_path, tag="first")
    try:
        _send_pending_swap(chain, svc)
        svc.kill9()
    finally:
        svc.close()
    svc = ServiceProc(cfg, tmp_path, tag="second")
    try:
        time.sleep(0.5)  # restarted, reconciling: the tx is still in the pool, not re-sent
        assert chain.pending_from(AGENT_ADDR) == 1
        chain.rpc("evm_mine")
        svc.wait_for("the recovered fill", lambda: svc.agent()["fills"] == 1)
        assert svc.terminate() == 0
    finally:
        svc.close()
    assert chain.swaps_to(AGENT_ADDR) == 1
    _verify(tmp_path)
