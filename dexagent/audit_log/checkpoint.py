"""Signed tree heads: the fixed text form an agent's key signs (EIP-191), and its check."""

from __future__ import annotations

from dataclasses import dataclass

from dexagent.audit_log.merkle import HASH_SIZE
from dexagent.audit_log.signing import Signer, recover_address

TEXT_HEADER = "dexagent audit checkpoint v1"


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """Checkpoint ``index`` commits to the first ``tree_size`` records by ``root``."""

    index: int
    agent_id: str
    tree_size: int
    root: bytes
    ts_ns: int
    signer: str  # checksummed address
    signature: bytes
    prev_size: int  # tree size of the previous checkpoint (0 for the first)
    consistency: tuple[bytes, ...]  # proof from prev_size to tree_size (empty if prev_size is 0)

    def text(self) -> bytes:
        return checkpoint_text(
            agent_id=self.agent_id, tree_size=self.tree_size, root=self.root, ts_ns=self.ts_ns
        )

    def recovered_signer(self) -> str:
        return recover_address(self.text(), self.signature)


def checkpoint_text(*, agent_id: str, tree_size: int, root: bytes, ts_ns: int) -> bytes:
    """The exact bytes an agent signs for a checkpoint (one field per line, LF endings)."""
    if len(root) != HASH_SIZE:
        raise ValueError("a root has 32 bytes")
    if "\n" in agent_id:
        raise ValueError("an agent id cannot contain a newline")
    return (
        f"{TEXT_HEADER}\nagent: {agent_id}\nsize: {tree_size}\nroot: 0x{root.hex()}\n"
        f"time_ns: {ts_ns}\n"
    ).encode()


def sign_checkpoint(
    signer: Signer,
    *,
    index: int,
    agent_id: str,
    tree_size: int,
    root: bytes,
    ts_ns: int,
    prev_size: int,
    consistency: tuple[bytes, ...],
) -> Checkpoint:
    text = checkpoint_text(agent_id=agent_id, tree_size=tree_size, root=root, ts_ns=ts_ns)
    return Checkpoint(
        index,
        agent_id,
        tree_size,
        root,
        ts_ns,
        signer.address,
        signer.sign(text),
        prev_size,
        consistency,
    )
