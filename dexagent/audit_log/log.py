"""The audit log writer: records in, batched durable appends, Merkle tree, signed checkpoints."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from hashlib import sha256
from typing import Any

from dexagent.audit_log.canonical import (
    MAX_SAFE_INT,
    CanonicalError,
    canonical_text,
    canonicalize,
)
from dexagent.audit_log.checkpoint import Checkpoint, sign_checkpoint
from dexagent.audit_log.records import (
    REQUIRED_KEYS,
    RecordType,
    check_payload,
    record_bytes,
)
from dexagent.audit_log.signing import Signer
from dexagent.audit_log.store import Store
from dexagent.audit_log.tree import MerkleTree
from dexagent.core.errors import ConfigError, FatalError

log = logging.getLogger(__name__)

_REQUIRED = {t.value: tuple(REQUIRED_KEYS.get(t, ())) for t in RecordType}
# what follows the payload text and seq in a record: '","type":"<type>"}' by type
_TYPE_TAILS = {t.value: '","type":' + canonicalize(t.value).decode() + "}" for t in RecordType}


@dataclass(frozen=True, slots=True)
class InclusionProof:
    """Everything a reviewer needs to check one record against a checkpoint root."""

    seq: int
    record: bytes  # canonical record bytes
    tree_size: int
    root: bytes
    path: tuple[bytes, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "record": self.record.decode("utf-8"),
            "tree_size": self.tree_size,
            "root": self.root.hex(),
            "path": [h.hex() for h in self.path],
        }


class AuditLog:
    """One agent's log. ``append`` buffers; ``flush`` makes everything appended durable.

    Records are acknowledged when ``flush`` (or ``checkpoint``) returns: a crash loses at most
    what was appended since the last flush, never a flushed record.
    """

    def __init__(
        self,
        store: Store,
        *,
        agent_id: str,
        signer: Signer | None,
        batch_size: int = 1024,
        clock_ns: Callable[[], int] = time.time_ns,
    ) -> None:
        if not agent_id or "\n" in agent_id:
            raise ConfigError(f"agent id {agent_id!r} must be non-empty and on one line")
        self.store = store
        self.agent_id = agent_id
        self.signer = signer
        self.batch_size = batch_size
        self._clock_ns = clock_ns
        self._tree = MerkleTree()
        self._unhashed: list[bytes] = []  # leaf hashes appended but not yet in self._tree
        self._pending: list[tuple[int, str, int, str, str, bytes]] = []
        # the canonical record text around the payload: see records.record_bytes
        self._head = '{"agent":' + canonicalize(agent_id).decode() + ',"payload":'
        self._durable = 0
        self._load()
        cps = store.checkpoints()
        self._last_checkpoint: Checkpoint | None = cps[-1] if cps else None

    @classmethod
    def open(
        cls,
        url: str,
        *,
        agent_id: str,
        signer_key: str | None = None,
        batch_size: int = 1024,
        synchronous: str = "FULL",
        clock_ns: Callable[[], int] = time.time_ns,
    ) -> AuditLog:
        """Open (or create) the log at SQLAlchemy ``url`` (``sqlite:///x.db``, ``postgresql://``)."""
        signer = Signer(signer_key) if signer_key else None
        return cls(
            Store.open(url, synchronous=synchronous),
            agent_id=agent_id,
            signer=signer,
            batch_size=batch_size,
            clock_ns=clock_ns,
        )

    def _load(self) -> None:
        tree = self._tree
        for rows in self.store.leaf_hash_rows():
            size = tree.size
            if int(rows[0][0]) != size or int(rows[-1][0]) != size + len(rows) - 1:
                for k, (seq, _) in enumerate(rows):  # seq is unique, so a gap shows at an end
                    if int(seq) != size + k:
                        raise FatalError(
                            f"audit log has a gap: record {size + k} missing (next is {seq}); "
                            "run `dexagent audit verify` before appending"
                        )
            tree.extend([bytes(h) for _, h in rows])
        self._durable = tree.size
        if tree.size:
            first = next(self.store.iter_records(0, 1))
            if first.agent_id != self.agent_id:
                raise ConfigError(
                    f"this audit database belongs to agent {first.agent_id!r}, not "
                    f"{self.agent_id!r}; use one database per agent"
                )

    @property
    def tree(self) -> MerkleTree:
        """The Merkle tree over every record appended so far (durable or not)."""
        return self._sync_tree()

    def _sync_tree(self) -> MerkleTree:
        if self._unhashed:
            leaves, self._unhashed = self._unhashed, []
            self._tree.extend(leaves)
        return self._tree

    @property
    def size(self) -> int:
        """Records appended so far (durable or not)."""
        return self._tree.size + len(self._unhashed)

    @property
    def durable_size(self) -> int:
        return self._durable

    @property
    def last_checkpoint(self) -> Checkpoint | None:
        return self._last_checkpoint

    def append(
        self, type_: str | RecordType, payload: Mapping[str, Any], *, ts_ns: int | None = None
    ) -> int:
        """Buffer one record; return its sequence number. Flushes every ``batch_size`` records."""
        seq = self.append_buffered(type_, payload, ts_ns=ts_ns)
        if len(self._pending) >= self.batch_size:
            self.flush()
        return seq

    @property
    def pending(self) -> int:
        """Records appended but not yet durable."""
        return len(self._pending)

    def append_buffered(
        self, type_: str | RecordType, payload: Mapping[str, Any], *, ts_ns: int | None = None
    ) -> int:
        """Like ``append`` but never writes: the caller flushes."""
        type_s = str(type_)
        required = _REQUIRED.get(type_s)
        if required is None or any(k not in payload for k in required):
            check_payload(type_s, payload)  # raises, naming what is wrong
        seq = self.size
        if seq > MAX_SAFE_INT:
            raise ConfigError(f"sequence number {seq} out of range")
        ts = int(self._clock_ns() if ts_ns is None else ts_ns)
        text = canonical_text(payload)
        # the same bytes as record_bytes(seq, ts, agent_id, type_s, payload), built in one go
        try:
            body = f'{self._head}{text},"seq":{seq},"ts_ns":"{ts}{_TYPE_TAILS[type_s]}'.encode()
        except UnicodeEncodeError as exc:
            raise CanonicalError(
                f"string with a lone surrogate has no RFC 8785 form: {exc}"
            ) from None
        h = sha256(b"\x00" + body).digest()
        self._pending.append((seq, self.agent_id, ts, type_s, text, h))
        self._unhashed.append(h)
        return seq

    def flush(self) -> int:
        """Write everything buffered in one transaction; return the durable size."""
        if self._pending:
            batch, self._pending = self._pending, []  # appends may go on meanwhile
            try:
                self.store.append_records(batch)
            except Exception:
                self._pending = batch + self._pending
                raise
            self._durable = batch[-1][0] + 1
        self._sync_tree()  # one level-by-level tree update per batch
        return self._durable

    def checkpoint(self) -> Checkpoint:
        """Flush, sign a tree head over all records, store it and log a checkpoint record."""
        if self.signer is None:
            raise ConfigError("checkpoints need a signer key: open the log with signer_key=...")
        self.flush()
        size = self.tree.size
        prev = self._last_checkpoint
        if prev is not None and prev.tree_size == size:
            return prev
        prev_size = prev.tree_size if prev else 0
        proof = tuple(self.tree.consistency_proof(prev_size, size)) if prev_size else ()
        cp = sign_checkpoint(
            self.signer,
            index=prev.index + 1 if prev else 0,
            agent_id=self.agent_id,
            tree_size=size,
            root=self.tree.root(size),
            ts_ns=self._clock_ns(),
            prev_size=prev_size,
            consistency=proof,
        )
        self.append_buffered(
            RecordType.CHECKPOINT,
            {
                "index": cp.index,
                "tree_size": cp.tree_size,
                "root": "0x" + cp.root.hex(),
                "signer": cp.signer,
                "signature": "0x" + cp.signature.hex(),
            },
            ts_ns=cp.ts_ns,
        )
        batch, self._pending = self._pending, []
        try:
            self.store.append_checkpoint(cp, batch)
        except Exception:
            self._pending = batch + self._pending
            raise
        self._durable = batch[-1][0] + 1
        self._last_checkpoint = cp
        return cp

    def inclusion_proof(self, seq: int, *, tree_size: int | None = None) -> InclusionProof:
        """Proof that record ``seq`` is in the tree at ``tree_size`` (default: last checkpoint)."""
        if tree_size is None:
            if self._last_checkpoint is None:
                raise ConfigError("no checkpoint yet: pass tree_size or make a checkpoint")
            tree_size = self._last_checkpoint.tree_size
        if not 0 <= seq < tree_size <= self.tree.size:
            raise ConfigError(f"record {seq} is not in a tree of size {tree_size}")
        self.flush()
        stored = next(self.store.iter_records(seq, seq + 1))
        body = record_bytes(
            stored.seq, stored.ts_ns, stored.agent_id, stored.type, json.loads(stored.payload)
        )
        return InclusionProof(
            seq,
            body,
            tree_size,
            self.tree.root(tree_size),
            tuple(self.tree.inclusion_proof(seq, tree_size)),
        )

    def close(self) -> None:
        self.flush()
        self.store.close()
