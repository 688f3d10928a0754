"""Builders for the anchoring tests: an agent account funded on anvil and a log it signs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from dexagent.audit_log.anchor import Anchorer
from dexagent.audit_log.anchor_config import AnchorConfig
from dexagent.audit_log.log import AuditLog
from dexagent.audit_log.records import RecordType
from dexagent.connectors.evm.anvil import DEV_ACCOUNTS, AnvilNode
from tests.audit_log.helpers import Clock

AGENT_ADDR, AGENT_KEY = DEV_ACCOUNTS[7]
OTHER_ADDR, OTHER_KEY = DEV_ACCOUNTS[8]


def new_log(tmp_path: Path, name: str = "audit.db", key: str = AGENT_KEY) -> AuditLog:
    log = AuditLog.open(
        f"sqlite:///{tmp_path / name}", agent_id="agent-7", signer_key=key, clock_ns=Clock()
    )
    assert log.signer is not None
    log.append(RecordType.AGENT_STARTED, {"signer": log.signer.address})
    return log


async def new_anchorer(
    node: AnvilNode, log: AuditLog, contract: str, tmp_path: Path, **cfg: object
) -> Anchorer:
    clock = FakeClock()
    a = await Anchorer.open(
        log,
        node.url,
        AGENT_KEY,
        contract,
        tx_store_path=tmp_path / "tx.db",
        config=AnchorConfig(**cfg),  # type: ignore[arg-type]
        clock=clock,
    )
    return a


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def decide(log: AuditLog, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        log.append(RecordType.DECISION, {"i": i, "order": f"agent-7-{i}"})


def replay_with_change(src: AuditLog, dst_path: Path, change_seq: int, key: str) -> AuditLog:
    """The attacker's rewrite: every record copied into a fresh log signed with ``key``, with
    record ``change_seq`` altered; checkpoints re-made at the same sizes and times."""
    records = list(src.store.iter_records())
    cp_times: Iterator[int] = iter(
        r.ts_ns for r in records if r.type == RecordType.CHECKPOINT.value
    )
    dst = AuditLog.open(
        f"sqlite:///{dst_path}",
        agent_id=records[0].agent_id,
        signer_key=key,
        clock_ns=lambda: next(cp_times),
    )
    for r in records:
        if r.type == RecordType.CHECKPOINT.value:
            dst.checkpoint()
            continue
        payload = json.loads(r.payload)
        if r.type == RecordType.AGENT_STARTED.value and dst.signer is not None:
            payload["signer"] = dst.signer.address  # a thorough attacker names the new key
        if r.seq == change_seq:
            payload["order"] = "rewritten"
        dst.append(r.type, payload, ts_ns=r.ts_ns)
    dst.flush()
    return dst
