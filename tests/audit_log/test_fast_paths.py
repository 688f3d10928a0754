"""The fast paths agree with the reference ones: verifier, tree extend, record bytes, reopen."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from dexagent.audit_log import merkle
from dexagent.audit_log.canonical import canonicalize
from dexagent.audit_log.log import AuditLog
from dexagent.audit_log.records import leaf_hash, record_bytes
from dexagent.audit_log.store import Store
from dexagent.audit_log.tree import MerkleTree
from dexagent.audit_log.verify import VerifyReport, verify_store
from dexagent.core.errors import FatalError
from tests.audit_log import tamper
from tests.audit_log.helpers import AGENT_KEY, sqlite_url, write_log


def both(store: Store) -> VerifyReport:
    """Verify on both paths; they must give the same report."""
    fast = verify_store(store)
    ref = verify_store(store, reference=True)
    assert fast == ref, (fast.summary(), ref.summary())
    return fast


@pytest.fixture(params=[5, 65_536], ids=["chunk5", "chunk64k"])
def chunk(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Run with tiny raw-row pages too, so page boundaries fall inside the log."""
    size: int = request.param
    orig = Store.record_rows
    monkeypatch.setattr(
        Store, "record_rows", lambda self, start=0, chunk=size: orig(self, start, chunk=chunk)
    )
    return size


@pytest.fixture
def log(tmp_path: Path, chunk: int) -> AuditLog:
    lg = write_log(sqlite_url(tmp_path), n=50, checkpoint_every=10)
    tamper.drop_triggers(lg.store)
    return lg


def test_clean_log_same_report(log: AuditLog) -> None:
    report = both(log.store)
    assert report.ok and report.records == 57 and report.checkpoints == 5
    assert report.signer == log.signer.address  # type: ignore[union-attr]


def _edit_payload(seq: int, old: str, new: str) -> Callable[[Store], None]:
    def go(store: Store) -> None:
        p = tamper.row(store, seq)["payload"]
        assert old in p
        tamper.sql(
            store,
            "UPDATE audit_record SET payload = :p WHERE seq = :s",
            p=p.replace(old, new, 1),
            s=seq,
        )

    return go


def _sql(stmt: str, **params: object) -> Callable[[Store], None]:
    return lambda store: tamper.sql(store, stmt, **params)


def _then_rehash(edit: Callable[[Store], None], seq: int) -> Callable[[Store], None]:
    def go(store: Store) -> None:
        edit(store)
        tamper.rehash(store, seq)

    return go


TAMPERINGS: dict[str, Callable[[Store], None]] = {
    "one payload byte": _edit_payload(20, '"i":', '"j":'),
    "one byte of the first record": _edit_payload(0, "0.1.0", "0.1.1"),
    "one byte of the last record": _edit_payload(56, '"tree_size":', '"tree_sizf":'),
    "one byte in a chunk's first record": _edit_payload(5, '"order"', '"ordeR"'),
    "payload rehashed": _then_rehash(_edit_payload(20, '"i":', '"j":'), 20),
    "checkpoint record rehashed": _then_rehash(_edit_payload(23, '"index":', '"indey":'), 23),
    "timestamp +1": _sql("UPDATE audit_record SET ts_ns = ts_ns + 1 WHERE seq = 30"),
    "timestamp rehashed backwards": _then_rehash(
        _sql("UPDATE audit_record SET ts_ns = ts_ns - 10000000 WHERE seq = 31"), 31
    ),
    "agent id": _sql("UPDATE audit_record SET agent_id = 'agent-2' WHERE seq = 9"),
    "agent id rehashed": _then_rehash(
        _sql("UPDATE audit_record SET agent_id = 'agent-2' WHERE seq = 9"), 9
    ),
    "type": _sql("UPDATE audit_record SET type = 'intent' WHERE seq = 7"),
    "unknown type": _sql("UPDATE audit_record SET type = 'nonsense' WHERE seq = 7"),
    "leaf hash byte": _sql(
        "UPDATE audit_record SET leaf_hash = :h WHERE seq = 15", h=b"\x01" + b"\0" * 31
    ),
    "deleted record": _sql("DELETE FROM audit_record WHERE seq = 30"),
    "deleted first record": _sql("DELETE FROM audit_record WHERE seq = 0"),
    "truncated tail": _sql("DELETE FROM audit_record WHERE seq >= 50"),
    "truncated at a checkpoint record": _sql("DELETE FROM audit_record WHERE seq >= 56"),
    "checkpoint record's type changed": _then_rehash(
        _sql("UPDATE audit_record SET type = 'anchor' WHERE seq = 34"), 34
    ),
    "deleted checkpoint": _sql("DELETE FROM audit_checkpoint WHERE idx = 2"),
    "checkpoint root": _sql("UPDATE audit_checkpoint SET root = :r WHERE idx = 1", r=b"\0" * 32),
}


@pytest.mark.parametrize("name", list(TAMPERINGS))
def test_tampering_same_problem_on_both_paths(log: AuditLog, name: str) -> None:
    TAMPERINGS[name](log.store)
    report = both(log.store)
    assert not report.ok, name


def test_one_byte_change_located_on_both_paths(log: AuditLog) -> None:
    TAMPERINGS["one payload byte"](log.store)
    for reference in (False, True):
        problem = verify_store(log.store, reference=reference).problem
        assert problem is not None and problem.seq == 20
        assert "does not match its stored leaf hash" in problem.what


def test_record_rows_pages_cover_the_log_in_order(log: AuditLog) -> None:
    seqs = [r[0] for rows in log.store.record_rows(3, chunk=4) for r in rows]
    assert seqs == list(range(3, log.size))
    assert [r.seq for r in log.store.iter_records(3)] == seqs


def test_tree_extend_builds_the_same_nodes_as_append() -> None:
    leaves = [merkle.hash_leaf(i.to_bytes(2, "big")) for i in range(1100)]
    ref = MerkleTree()
    for h in leaves:
        ref.append(h)
    rnd = random.Random(7)
    for _ in range(30):
        tree, i = MerkleTree(), 0
        while i < len(leaves):
            k = rnd.choice([0, 1, 2, 3, 5, 64, 100, 257])
            if rnd.random() < 0.3:
                for h in leaves[i : i + k]:
                    tree.append(h)
            else:
                tree.extend(leaves[i : i + k])
            i += k
        assert tree.size == ref.size
        for size in (1, 2, 3, 255, 256, 257, 1023, 1024, 1100):
            assert tree.root(size) == ref.root(size)
        assert tree.consistency_proof(300, 1100) == ref.consistency_proof(300, 1100)
        assert tree.inclusion_proof(777) == ref.inclusion_proof(777)


def test_tree_extend_refuses_a_short_hash() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        MerkleTree().extend([b"\0" * 32, b"\0" * 31])


PAYLOADS: list[dict[str, object]] = [
    {},
    {"i": 1, "s": "x"},
    {"f": 1.5, "g": 1e21, "h": -0.0, "k": 5e-7},  # floats: the full path
    {"big": 2**53 - 1, "neg": -(2**53 - 1)},
    {"é": "ü", "\u20ac": "\u00a0", "ctl": '\x01\n\t"\\', "del": "\x7f"},
    {"\U0001f600": 1, "\ue000": 2, "a": [1, {"z": None, "y": [True, False]}]},  # UTF-16 order
    {"nested": {"b": [1, 2.25, "3"], "a": ()}},
]


def test_log_writes_the_bytes_record_bytes_defines(tmp_path: Path) -> None:
    log = AuditLog.open(sqlite_url(tmp_path), agent_id="agent-é", signer_key=AGENT_KEY)
    for k, p in enumerate(PAYLOADS):
        log.append("decision", p, ts_ns=1_700_000_000_000_000_000 + k)
    log.flush()
    for k, r in enumerate(log.store.iter_records()):
        body = record_bytes(k, r.ts_ns, "agent-é", "decision", PAYLOADS[k])
        assert r.payload.encode() == canonicalize(PAYLOADS[k])
        assert json.loads(r.payload) == json.loads(json.dumps(PAYLOADS[k]))
        assert r.leaf_hash == leaf_hash(body) == log.tree.leaf(k)
    assert both(log.store).ok


def test_reopen_rebuilds_the_same_tree_and_finds_gaps(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    log = write_log(url, n=40, checkpoint_every=10)
    root, size = log.tree.root(), log.size
    log.close()
    again = AuditLog.open(url, agent_id="agent-1", signer_key=AGENT_KEY)
    assert again.size == size and again.tree.root() == root
    assert again.tree.consistency_proof(12, size) == log.tree.consistency_proof(12, size)
    again.close()
    store = Store.open(url)
    tamper.drop_triggers(store)
    tamper.sql(store, "DELETE FROM audit_record WHERE seq = 17")
    store.close()
    with pytest.raises(FatalError, match="record 17 missing"):
        AuditLog.open(url, agent_id="agent-1", signer_key=AGENT_KEY)


def test_lazy_tree_tracks_size_and_roots(tmp_path: Path) -> None:
    log = AuditLog.open(sqlite_url(tmp_path), agent_id="agent-1", signer_key=AGENT_KEY)
    ref = MerkleTree()
    for i in range(40):
        seq = log.append_buffered("decision", {"i": i}, ts_ns=1_700_000_000_000_000_000 + i)
        assert seq == i and log.size == i + 1
        ref.append(
            leaf_hash(
                record_bytes(i, 1_700_000_000_000_000_000 + i, "agent-1", "decision", {"i": i})
            )
        )
        if i % 7 == 0:
            assert log.tree.root() == ref.root()
    log.flush()
    assert log.tree.root() == ref.root()


@pytest.mark.postgres
def test_postgres_fast_and_reference_agree(pg_url: str) -> None:
    log = write_log(pg_url, n=30, checkpoint_every=10)
    assert both(log.store).ok
    tamper.drop_triggers(log.store)
    TAMPERINGS["one payload byte"](log.store)
    problem = both(log.store).problem
    assert problem is not None and problem.seq == 20
    log.close()
