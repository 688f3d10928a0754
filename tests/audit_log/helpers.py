"""Builders shared by the audit-log tests."""

from __future__ import annotations

from pathlib import Path

from dexagent.audit_log.log import AuditLog
from dexagent.audit_log.records import RecordType

AGENT_KEY = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
OTHER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"


class Clock:
    def __init__(self) -> None:
        self.t = 1_700_000_000_000_000_000

    def __call__(self) -> int:
        self.t += 1_000
        return self.t


def sqlite_url(tmp_path: Path, name: str = "audit.db") -> str:
    return f"sqlite:///{tmp_path / name}"


def write_log(
    url: str, *, n: int = 50, checkpoint_every: int = 10, key: str = AGENT_KEY
) -> AuditLog:
    """A log with agent_started, ``n`` decision/verdict/fill records and periodic checkpoints."""
    log = AuditLog.open(url, agent_id="agent-1", signer_key=key, clock_ns=Clock(), batch_size=7)
    assert log.signer is not None
    log.append(RecordType.AGENT_STARTED, {"signer": log.signer.address, "version": "0.1.0"})
    log.append(RecordType.POLICY_LOADED, {"policy_hash": "ab" * 32})
    for i in range(n):
        kind = (RecordType.DECISION, RecordType.VERDICT, RecordType.FILL)[i % 3]
        payload: dict[str, object] = {"i": i, "order": f"agent-1-{i // 3}"}
        if kind is RecordType.VERDICT:
            payload |= {"rule": "max_notional", "allowed": i % 2 == 0}
        log.append(kind, payload)
        if (i + 1) % checkpoint_every == 0:
            log.checkpoint()
    log.flush()
    return log
