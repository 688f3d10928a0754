"""The kernel's AuditSink backed by an AuditLog: core AuditEvents become batched audit records.

Acknowledgement: ``append`` returns the record's sequence number once it is buffered (and in the
Merkle tree); it is durable once ``flush``, ``checkpoint`` or ``close`` returns, or the buffer
reaches ``batch_size``. Set ``batch_size=1`` for a sink whose every append is durable on return.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from dexagent.audit_log.checkpoint import Checkpoint
from dexagent.audit_log.log import AuditLog
from dexagent.core.audit import AuditEvent

# core event kinds whose names differ from our record types
KIND_TO_TYPE: Mapping[str, str] = {"tx_sent": "tx_submitted", "started": "agent_started"}


class AuditLogSink:
    """Implements ``dexagent.core.audit.AuditSink``; writes run off the event loop."""

    def __init__(self, log: AuditLog, *, checkpoint_every: int | None = None) -> None:
        self.log = log
        self.checkpoint_every = checkpoint_every
        self._lock = asyncio.Lock()
        self._since_checkpoint = 0

    @classmethod
    def open(
        cls,
        url: str,
        *,
        agent_id: str,
        signer_key: str | None = None,
        batch_size: int = 1024,
        checkpoint_every: int | None = None,
    ) -> AuditLogSink:
        log = AuditLog.open(url, agent_id=agent_id, signer_key=signer_key, batch_size=batch_size)
        return cls(log, checkpoint_every=checkpoint_every)

    async def append(self, event: AuditEvent) -> int:
        type_ = KIND_TO_TYPE.get(event.kind, event.kind)
        payload: Mapping[str, Any] = event.payload
        # buffer synchronously so sequence numbers follow call order
        seq = self.log.append_buffered(type_, payload, ts_ns=event.timestamp_ms * 1_000_000)
        if self.log.pending >= self.log.batch_size:
            await self.flush()
        self._since_checkpoint += 1
        if self.checkpoint_every and self._since_checkpoint >= self.checkpoint_every:
            await self.checkpoint()
        return seq

    async def flush(self) -> int:
        async with self._lock:
            return await asyncio.to_thread(self.log.flush)

    async def checkpoint(self) -> Checkpoint:
        async with self._lock:  # on the loop thread: no append can interleave with it
            self._since_checkpoint = 0
            return self.log.checkpoint()

    async def close(self) -> None:
        async with self._lock:
            await asyncio.to_thread(self.log.close)
