"""Each kind of tampering is detected, and the verifier names where (SQLite; see the PG twin)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dexagent.audit_log.log import AuditLog
from dexagent.audit_log.signing import Signer
from dexagent.audit_log.verify import verify_store
from tests.audit_log import tamper
from tests.audit_log.helpers import AGENT_KEY, OTHER_KEY, sqlite_url, write_log


@pytest.fixture
def log(tmp_path: Path) -> AuditLog:
    # records 0..56; checkpoints at sizes 12, 23, 34, 45, 56 (each followed by its own record)
    lg = write_log(sqlite_url(tmp_path), n=50, checkpoint_every=10)
    assert verify_store(lg.store).ok
    tamper.drop_triggers(lg.store)
    return lg


def test_one_changed_payload_byte_is_located(log: AuditLog) -> None:
    r = tamper.row(log.store, 20)
    tamper.sql(
        log.store,
        "UPDATE audit_record SET payload = :p WHERE seq = 20",
        p=r["payload"].replace('"i":', '"j":', 1),
    )
    report = verify_store(log.store)
    assert not report.ok
    assert report.problem is not None and report.problem.seq == 20
    assert "does not match its stored leaf hash" in str(report.problem)


def test_changed_payload_with_rehashed_leaf_fails_its_checkpoint_range(log: AuditLog) -> None:
    tamper.sql(log.store, "UPDATE audit_record SET payload = :p WHERE seq = 20", p='{"i":99}')
    tamper.rehash(log.store, 20)
    problem = verify_store(log.store).problem
    assert problem is not None and problem.checkpoint == 1
    assert "root does not match records [12, 23)" in str(problem)


def test_deleted_record_is_located(log: AuditLog) -> None:
    tamper.sql(log.store, "DELETE FROM audit_record WHERE seq = 30")
    problem = verify_store(log.store).problem
    assert problem is not None and problem.seq == 30 and "missing" in problem.what


def test_two_reordered_records_are_located(log: AuditLog) -> None:
    a, b = tamper.row(log.store, 40), tamper.row(log.store, 41)
    for seq, src in ((40, b), (41, a)):
        tamper.sql(
            log.store,
            "UPDATE audit_record SET ts_ns = :t, type = :ty, payload = :p WHERE seq = :s",
            t=src["ts_ns"],
            ty=src["type"],
            p=src["payload"],
            s=seq,
        )
        tamper.rehash(log.store, seq)
    problem = verify_store(log.store).problem
    assert problem is not None and problem.seq == 41 and "reordered" in problem.what


def test_forged_record_inserted_in_the_middle_is_caught(log: AuditLog) -> None:
    # shift records 25.. up by one (last first), insert a forgery at 25, rehash everything
    size = log.size
    for seq in range(size - 1, 24, -1):
        tamper.sql(log.store, "UPDATE audit_record SET seq = seq + 1 WHERE seq = :s", s=seq)
        tamper.rehash(log.store, seq + 1)
    prev = tamper.row(log.store, 24)
    tamper.sql(
        log.store,
        "INSERT INTO audit_record (seq, agent_id, ts_ns, type, payload, leaf_hash) "
        "VALUES (25, :a, :t, 'fill', :p, :h)",
        a=prev["agent_id"],
        t=prev["ts_ns"],
        p='{"forged":true}',
        h=b"\0" * 32,
    )
    tamper.rehash(log.store, 25)
    problem = verify_store(log.store).problem
    assert problem is not None and problem.checkpoint == 2
    assert "[23, 34)" in problem.what


def test_forged_record_without_rehash_is_located_exactly(log: AuditLog) -> None:
    tamper.sql(log.store, "UPDATE audit_record SET type = 'intent' WHERE seq = 7")
    problem = verify_store(log.store).problem
    assert problem is not None and problem.seq == 7


def test_truncated_tail_is_caught(log: AuditLog) -> None:
    tamper.sql(log.store, "DELETE FROM audit_record WHERE seq >= 50")
    problem = verify_store(log.store).problem
    assert problem is not None and problem.seq == 50 and "tail truncated" in problem.what


def test_truncated_tail_including_last_checkpoint_record_is_caught(log: AuditLog) -> None:
    tamper.sql(log.store, "DELETE FROM audit_record WHERE seq >= 56")
    problem = verify_store(log.store).problem
    assert problem is not None and problem.seq == 56 and problem.checkpoint == 4


def test_checkpoint_signed_by_another_key_is_named(log: AuditLog) -> None:
    tamper.resign_checkpoint(log.store, 2, OTHER_KEY)
    problem = verify_store(log.store).problem
    assert problem is not None and problem.checkpoint == 2
    assert Signer(OTHER_KEY).address in problem.what and "not the agent key" in problem.what


def test_checkpoint_whose_size_goes_backwards_is_named(log: AuditLog) -> None:
    tamper.resign_checkpoint(log.store, 3, AGENT_KEY, tree_size=20, root=log.tree.root(20))
    problem = verify_store(log.store).problem
    assert problem is not None and problem.checkpoint == 3 and "does not grow" in problem.what


def test_whole_log_rewritten_with_another_key_fails_against_the_known_signer(
    tmp_path: Path,
) -> None:
    honest = write_log(sqlite_url(tmp_path, "a.db"), n=20)
    forged = write_log(sqlite_url(tmp_path, "b.db"), n=21, key=OTHER_KEY)
    assert verify_store(forged.store).ok  # self-consistent on its own...
    problem = verify_store(forged.store, expected_signer=honest.signer.address).problem  # type: ignore[union-attr]
    assert problem is not None and problem.checkpoint == 0 and "not the agent key" in problem.what
