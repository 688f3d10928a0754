"""The verifier: recompute every leaf, root, consistency proof and signature; compare anchors.

It stops at the first problem and names the record (or checkpoint) and what is wrong with it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from hashlib import sha256
from typing import Protocol

from dexagent.audit_log.canonical import canonicalize
from dexagent.audit_log.checkpoint import Checkpoint
from dexagent.audit_log.merkle import InvalidProof, verify_consistency
from dexagent.audit_log.records import RecordType
from dexagent.audit_log.signing import SignatureError
from dexagent.audit_log.store import Store
from dexagent.audit_log.tree import MerkleTree


@dataclass(frozen=True, slots=True)
class OnChainAnchor:
    tree_size: int
    root: bytes
    block_number: int
    tx_hash: str


class AnchorSource(Protocol):
    """Where the verifier reads an agent's anchors (the AuditAnchor contract's events)."""

    def anchors_of(self, agent_address: str) -> Sequence[OnChainAnchor]: ...


@dataclass(frozen=True, slots=True)
class Problem:
    seq: int | None  # first bad record, when one can be named
    checkpoint: int | None
    what: str

    def __str__(self) -> str:
        where = []
        if self.seq is not None:
            where.append(f"record {self.seq}")
        if self.checkpoint is not None:
            where.append(f"checkpoint {self.checkpoint}")
        return f"{', '.join(where) or 'log'}: {self.what}"


@dataclass(slots=True)
class VerifyReport:
    records: int = 0
    checkpoints: int = 0
    covered: int = 0  # records covered by the last valid checkpoint
    anchors_checked: int = 0
    anchored_size: int = 0
    anchored_block: int | None = None
    signer: str | None = None
    problem: Problem | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem is None

    def summary(self) -> str:
        if self.problem:
            return f"FAILED: {self.problem}"
        out = (
            f"OK: verified {self.records} records and {self.checkpoints} checkpoints "
            f"(signed by {self.signer}); {self.covered} records covered by the last checkpoint"
        )
        if self.anchors_checked:
            out += (
                f"; {self.anchors_checked} checkpoints match their on-chain anchors, up to tree "
                f"size {self.anchored_size} anchored in block {self.anchored_block}"
            )
            if self.covered > self.anchored_size:
                out += f"; checkpoints after tree size {self.anchored_size} are not anchored yet"
        if self.records > self.covered:
            out += f"; {self.records - self.covered} newer records are not yet checkpointed"
        return out


_TYPE_BYTES = {t.value: b'","type":' + canonicalize(t.value) + b"}" for t in RecordType}


def verify_store(
    store: Store,
    *,
    expected_signer: str | None = None,
    anchors: AnchorSource | None = None,
    reference: bool = False,
) -> VerifyReport:
    """Verify everything in ``store``; the report names the first problem found, if any.

    ``reference=True`` takes the plain record-by-record path (record objects, one tree update
    per leaf, a query per checkpoint record); the default fast path checks exactly the same
    things over raw DBAPI rows and builds the tree level by level. Both must agree.
    """
    report = VerifyReport()
    tree = MerkleTree()
    if reference:
        rec_problem = _scan_records(store, tree, report)
        record_at: Callable[[int], tuple[str, str] | None] = partial(_stored_record, store)
    else:
        rec_problem, cp_records = _scan_records_fast(store, tree, report)
        record_at = cp_records.get
    cps = store.checkpoints()
    cp_problem = _check_checkpoints(record_at, cps, tree, report, expected_signer)
    problems = [p for p in (rec_problem, cp_problem) if p is not None]
    if problems:
        report.problem = min(problems, key=lambda p: _position(p, cps))
        return report
    if anchors is not None:
        report.problem = _check_anchors(anchors, cps, tree, report)
    return report


def _position(p: Problem, cps: Sequence[Checkpoint]) -> int:
    if p.seq is not None:
        return p.seq
    if p.checkpoint is not None and p.checkpoint < len(cps):
        return cps[p.checkpoint].prev_size
    return 0


def _scan_records(store: Store, tree: MerkleTree, report: VerifyReport) -> Problem | None:
    """The reference scan: one record object and one tree update per record."""
    st = _ScanState()
    for r in store.iter_records():
        i = tree.size
        res = _check_record(i, r.seq, r.agent_id, r.ts_ns, r.type, r.payload, r.leaf_hash, st)
        if isinstance(res, Problem):
            return res
        tree.append(res)
        if i == 0:
            _signer_of_first(r.type, r.payload, report)
    report.records = tree.size
    return None


class _ScanState:
    """What the record scan carries from one record to the next."""

    __slots__ = ("agent", "head", "last_ts")

    def __init__(self) -> None:
        self.agent: str | None = None
        self.head = b""
        self.last_ts = -1


def _check_record(
    i: int,
    seq: int,
    agent_id: str,
    ts_ns: int,
    type_: str,
    payload: str,
    stored_hash: bytes,
    st: _ScanState,
) -> Problem | bytes:
    """Reference check of record ``i``: its recomputed leaf hash, or the problem with it."""
    if seq != i:
        return Problem(i, None, f"missing: the next stored record is {seq} (deleted?)")
    if st.agent is None:
        st.agent = agent_id
        st.head = b'\x00{"agent":' + canonicalize(agent_id) + b',"payload":'
    elif agent_id != st.agent:
        return Problem(i, None, f"agent id {agent_id!r} differs from {st.agent!r}")
    type_b = _TYPE_BYTES.get(type_)
    if type_b is None:
        return Problem(i, None, f"unknown record type {type_!r}")
    # the tree commits to these exact bytes: the stored payload text is hashed verbatim
    h = sha256(
        b"".join(
            (
                st.head,
                payload.encode(),
                b',"seq":',
                str(i).encode(),
                b',"ts_ns":"',
                str(ts_ns).encode(),
                type_b,
            )
        )
    ).digest()
    if h != stored_hash:
        return Problem(i, None, "content does not match its stored leaf hash (changed?)")
    if ts_ns < st.last_ts:
        return Problem(i, None, "timestamp is earlier than the previous record's (reordered?)")
    st.last_ts = ts_ns
    return h


def _signer_of_first(type_: str, payload: str, report: VerifyReport) -> None:
    if type_ == RecordType.AGENT_STARTED:
        signer = json.loads(payload).get("signer")
        report.signer = signer if isinstance(signer, str) else None


def _stored_record(store: Store, seq: int) -> tuple[str, str] | None:
    r = next(store.iter_records(seq, seq + 1), None)
    return None if r is None else (r.type, r.payload)


_CHECKPOINT = RecordType.CHECKPOINT.value
# the canonical record text after the payload and seq: '","type":"<type>"}' by type
_TYPE_TAILS = {t: b.decode() for t, b in _TYPE_BYTES.items()}


def _scan_records_fast(
    store: Store, tree: MerkleTree, report: VerifyReport
) -> tuple[Problem | None, dict[int, tuple[str, str]]]:
    """``_scan_records`` over raw rows: the same checks, the same leaf bytes, fewer objects.

    Each row takes the inline path when it is plainly fine (expected seq, same agent, known
    type, int timestamp in order, recomputed hash equal to the stored one); any other row goes
    through ``_check_record``, which decides exactly as the reference path does. The leaf hashes
    are collected and added to the tree level by level; checkpoint records are kept for
    ``_check_checkpoints``.
    """
    st = _ScanState()
    leaves: list[bytes] = []
    cp_records: dict[int, tuple[str, str]] = {}
    problem: Problem | None = None
    i = 0
    chunks = store.record_rows()
    try:
        for rows in chunks:
            if i == 0:  # the first record names the agent (and maybe the signer)
                seq, agent_id, ts_ns, type_, payload, stored = rows[0]
                res = _check_record(
                    0, int(seq), agent_id, int(ts_ns), type_, payload, bytes(stored), st
                )
                if isinstance(res, Problem):
                    problem = res
                    break
                leaves.append(res)
                if type_ == _CHECKPOINT:
                    cp_records[0] = (type_, payload)
                _signer_of_first(type_, payload, report)
                i, rows = 1, rows[1:]
            assert st.agent is not None
            head = st.head.decode()
            agent, last_ts = st.agent, st.last_ts
            tails, add = _TYPE_TAILS, leaves.append
            for seq, agent_id, ts_ns, type_, payload, stored in rows:
                tail = tails.get(type_)
                try:
                    fast = (
                        seq == i
                        and agent_id == agent
                        and tail is not None
                        and type(ts_ns) is int
                        and ts_ns >= last_ts
                    )
                    if fast:
                        h = sha256(f'{head}{payload},"seq":{i},"ts_ns":"{ts_ns}{tail}'.encode())
                        leaf = h.digest()
                        fast = leaf == stored
                except (TypeError, UnicodeEncodeError):
                    fast = False
                if not fast:
                    st.last_ts = last_ts
                    res = _check_record(
                        i, int(seq), agent_id, int(ts_ns), type_, payload, bytes(stored), st
                    )
                    if isinstance(res, Problem):
                        problem = res
                        break
                    leaf = res
                    ts_ns = st.last_ts
                add(leaf)
                last_ts = ts_ns
                if type_ == _CHECKPOINT:
                    cp_records[i] = (type_, payload)
                i += 1
            st.last_ts = last_ts
            if problem is not None:
                break
    finally:
        chunks.close()
    tree.extend(leaves)
    if problem is None:
        report.records = tree.size
    return problem, cp_records


def _check_checkpoints(
    record_at: Callable[[int], tuple[str, str] | None],
    cps: Sequence[Checkpoint],
    tree: MerkleTree,
    report: VerifyReport,
    expected_signer: str | None,
) -> Problem | None:
    signer = expected_signer or report.signer
    prev: Checkpoint | None = None
    for k, cp in enumerate(cps):
        if cp.index != k:
            return Problem(None, k, f"checkpoint number {cp.index} out of sequence (missing one?)")
        if prev is not None and cp.tree_size <= prev.tree_size:
            return Problem(None, k, f"tree size {cp.tree_size} does not grow from {prev.tree_size}")
        if cp.tree_size > tree.size:
            return Problem(
                tree.size,
                k,
                f"covers {cp.tree_size} records but the log holds {tree.size} (tail truncated?)",
            )
        try:
            recovered = cp.recovered_signer()
        except SignatureError as exc:
            return Problem(None, k, f"bad signature: {exc}")
        if recovered != cp.signer:
            return Problem(None, k, f"signature is by {recovered}, not the stated {cp.signer}")
        if signer is None:
            signer = cp.signer
        if recovered != signer:
            return Problem(None, k, f"signed by {recovered}, not the agent key {signer}")
        if cp.prev_size != (prev.tree_size if prev else 0):
            return Problem(None, k, f"says the previous size was {cp.prev_size}")
        if prev is not None:
            try:
                verify_consistency(
                    size1=prev.tree_size,
                    size2=cp.tree_size,
                    root1=prev.root,
                    root2=cp.root,
                    proof=cp.consistency,
                )
            except InvalidProof as exc:
                return Problem(None, k, f"consistency proof from checkpoint {k - 1} fails: {exc}")
        if tree.root(cp.tree_size) != cp.root:
            lo = prev.tree_size if prev else 0
            return Problem(
                None,
                k,
                f"root does not match records [{lo}, {cp.tree_size}): a record in that range "
                "was changed, inserted or removed and its hashes rewritten",
            )
        problem = _check_checkpoint_record(record_at, cp, tree.size)
        if problem:
            return problem
        prev = cp
        report.checkpoints = k + 1
        report.covered = cp.tree_size
    report.signer = signer
    return None


def _check_checkpoint_record(
    record_at: Callable[[int], tuple[str, str] | None], cp: Checkpoint, size: int
) -> Problem | None:
    if cp.tree_size >= size:  # written in the same transaction, so it must be there
        return Problem(size, cp.index, "the checkpoint's own record is missing (tail truncated?)")
    r = record_at(cp.tree_size)  # the fast path only keeps checkpoint records: None otherwise
    payload = json.loads(r[1]) if r is not None and r[0] == RecordType.CHECKPOINT else None
    if (
        not isinstance(payload, dict)
        or payload.get("tree_size") != cp.tree_size
        or payload.get("root") != "0x" + cp.root.hex()
        or payload.get("signature") != "0x" + cp.signature.hex()
    ):
        return Problem(
            cp.tree_size, cp.index, "the checkpoint record in the log does not match the checkpoint"
        )
    return None


def _check_anchors(
    source: AnchorSource, cps: Sequence[Checkpoint], tree: MerkleTree, report: VerifyReport
) -> Problem | None:
    """Each on-chain anchor must match the signed checkpoint of the same tree size."""
    if report.signer is None:
        return Problem(None, None, "no signer known, so no anchors can be looked up")
    found = sorted(source.anchors_of(report.signer), key=lambda a: a.tree_size)
    if not found and cps:
        return Problem(
            None,
            None,
            f"no on-chain anchor by {report.signer}: the log was never anchored there, or it "
            "was re-signed with another key (pass --signer with the agent's known address)",
        )
    by_size = {cp.tree_size: cp for cp in cps}
    for a in found:
        where = f"the on-chain anchor (tx {a.tx_hash}, block {a.block_number})"
        if a.tree_size > tree.size:
            return Problem(
                tree.size,
                None,
                f"{where} covers {a.tree_size} records but the log holds {tree.size}: "
                "records were removed",
            )
        cp = by_size.get(a.tree_size)
        if cp is None:
            held = tree.root(a.tree_size)
            if held != a.root:
                return Problem(
                    None,
                    None,
                    f"records [0, {a.tree_size}) hash to 0x{held.hex()} but {where} holds "
                    f"0x{a.root.hex()}: the log was rewritten",
                )
            return Problem(
                None,
                None,
                f"{where} anchors tree size {a.tree_size}, but the log has no checkpoint of "
                "that size (checkpoints removed or renumbered)",
            )
        if cp.root != a.root:
            return Problem(
                None,
                cp.index,
                f"root 0x{cp.root.hex()} over records [0, {cp.tree_size}) differs from {where}, "
                f"which holds 0x{a.root.hex()}: the log was rewritten after it was anchored",
            )
        report.anchors_checked += 1
        report.anchored_size = a.tree_size
        report.anchored_block = a.block_number
    return None
