"""The log on SQLite: appends, reopen, checkpoints, proofs, and the append-only triggers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from dexagent.audit_log import merkle
from dexagent.audit_log.log import AuditLog
from dexagent.audit_log.proof import verify_inclusion_json
from dexagent.audit_log.verify import verify_store
from dexagent.core.errors import ConfigError
from tests.audit_log.helpers import AGENT_KEY, sqlite_url, write_log


def test_written_log_verifies_with_all_checkpoints(tmp_path: Path) -> None:
    log = write_log(sqlite_url(tmp_path), n=50, checkpoint_every=10)
    report = verify_store(log.store)
    assert report.ok, report.summary()
    # 2 + 50 records + 5 checkpoint records
    assert report.records == 57 and report.checkpoints == 5
    assert report.covered == 56 and "OK: verified 57 records and 5 checkpoints" in report.summary()


def test_reopened_log_continues_the_same_tree(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    log = write_log(url, n=20, checkpoint_every=10)
    root, size = log.tree.root(), log.size
    log.close()
    again = AuditLog.open(url, agent_id="agent-1", signer_key=AGENT_KEY)
    assert again.size == size and again.tree.root() == root
    again.append("decision", {"late": True})
    cp = again.checkpoint()
    assert cp.prev_size == 2 + 20 + 1 and cp.index == 2
    assert verify_store(again.store).ok


def test_reopening_with_another_agent_id_is_refused(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    write_log(url, n=3).close()
    with pytest.raises(ConfigError, match="belongs to agent"):
        AuditLog.open(url, agent_id="agent-2")


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_record SET payload = '{}' WHERE seq = 3",
        "DELETE FROM audit_record WHERE seq = 3",
        "UPDATE audit_checkpoint SET tree_size = 1",
        "DELETE FROM audit_checkpoint",
    ],
)
def test_database_refuses_update_and_delete(tmp_path: Path, sql: str) -> None:
    log = write_log(sqlite_url(tmp_path), n=20)
    with pytest.raises(DatabaseError, match="append-only"), log.store.engine.begin() as conn:
        conn.execute(text(sql))


def test_inclusion_proof_verifies_standalone_and_fails_when_altered(tmp_path: Path) -> None:
    log = write_log(sqlite_url(tmp_path), n=30)
    proof = log.inclusion_proof(5).to_json()
    verify_inclusion_json(proof)  # no database needed
    bad = json.loads(json.dumps(proof))
    bad["record"] = bad["record"].replace('"i":3', '"i":4')
    with pytest.raises(merkle.InvalidProof):
        verify_inclusion_json(bad)


def test_unknown_record_type_and_missing_keys_are_refused(tmp_path: Path) -> None:
    log = AuditLog.open(sqlite_url(tmp_path), agent_id="a")
    with pytest.raises(ConfigError, match="unknown audit record type"):
        log.append("mystery", {})
    with pytest.raises(ConfigError, match="model_call record needs"):
        log.append("model_call", {"model": "x"})


def test_checkpoint_without_key_says_how_to_fix(tmp_path: Path) -> None:
    log = AuditLog.open(sqlite_url(tmp_path), agent_id="a")
    log.append("decision", {})
    with pytest.raises(ConfigError, match="signer_key"):
        log.checkpoint()
