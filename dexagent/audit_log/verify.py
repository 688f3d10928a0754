"""The verifier: recompute every leaf, root, consistency proof and signature; compare anchors.

It stops at the first problem and names the record (or checkpoint) and what is wrong with it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
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
) -> VerifyReport:
    report = VerifyReport()
    tree = MerkleTree()
    rec_problem = _scan_records(store, tree, report)
    cps = store.checkpoints()
    cp_problem = _check_checkpoints(store, cps, tree, report, expected_signer)
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
    agent: str | None = None
    head = b""
    last_ts = -1
    for r in store.iter_records():
        i = tree.size
        if r.seq != i:
            return Problem(i, None, f"missing: the next stored record is {r.seq} (deleted?)")
        if agent is None:
            agent = r.agent_id
            head = b'\x00{"agent":' + canonicalize(agent) + b',"payload":'
        elif r.agent_id != agent:
            return Problem(i, None, f"agent id {r.agent_id!r} differs from {agent!r}")
        type_b = _TYPE_BYTES.get(r.type)
        if type_b is None:
            return Problem(i, None, f"unknown record type {r.type!r}")
        # the tree commits to these exact bytes: the stored payload text is hashed verbatim
        h = sha256(
            b"".join(
                (
                    head,
                    r.payload.encode(),
                    b',"seq":',
                    str(i).encode(),
                    b',"ts_ns":"',
                    str(r.ts_ns).encode(),
                    type_b,
                )
            )
        ).digest()
        if h != r.leaf_hash:
            return Problem(i, None, "content does not match its stored leaf hash (changed?)")
        if r.ts_ns < last_ts:
            return Problem(i, None, "timestamp is earlier than the previous record's (reordered?)")
        last_ts = r.ts_ns
        tree.append(h)
        if i == 0 and r.type == RecordType.AGENT_STARTED:
            signer = json.loads(r.payload).get("signer")
            report.signer = signer if isinstance(signer, str) else None
    report.records = tree.size
    return None


def _check_checkpoints(
    store: Store,
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
        problem = _check_checkpoint_record(store, cp, tree.size)
        if problem:
            return problem
        prev = cp
        report.checkpoints = k + 1
        report.covered = cp.tree_size
    report.signer = signer
    return None


def _check_checkpoint_record(store: Store, cp: Checkpoint, size: int) -> Problem | None:
    if cp.tree_size >= size:  # written in the same transaction, so it must be there
        return Problem(size, cp.index, "the checkpoint's own record is missing (tail truncated?)")
    r = next(store.iter_records(cp.tree_size, cp.tree_size + 1))
    payload = json.loads(r.payload)
    if (
        r.type != RecordType.CHECKPOINT
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
