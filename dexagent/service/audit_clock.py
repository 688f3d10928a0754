"""One agent's audit sink with a monotonic clock, so ``dexagent audit verify`` sees ordered times.

Records come from two clocks: the kernel stamps decisions and fills with the chain's time (block
timestamps, which ``evm_increaseTime`` or a fast node may put ahead of the wall), while service
events, checkpoints and anchors use the wall. Each record is stamped
``max(its own time, the previous record's)``; the log's own clock (checkpoints, anchors) is
``max(wall, previous)``. Order is the sequence number; times never go back.
"""

from __future__ import annotations

import time
from dataclasses import replace

from dexagent.audit_log.checkpoint import Checkpoint
from dexagent.audit_log.log import AuditLog
from dexagent.audit_log.sink import AuditLogSink
from dexagent.core.audit import AuditEvent


class MonotonicClock:
    __slots__ = ("last_ns",)

    def __init__(self, last_ns: int = 0) -> None:
        self.last_ns = last_ns

    def now_ns(self) -> int:
        self.last_ns = max(time.time_ns(), self.last_ns)
        return self.last_ns

    def stamp_ms(self, ts_ms: int) -> int:
        """``ts_ms`` or the previous record's time, whichever is later (in ms)."""
        ns = max(ts_ms * 1_000_000, self.last_ns)
        self.last_ns = ns
        return -(-ns // 1_000_000)


class ClockedSink:
    """An ``AuditSink`` over an ``AuditLogSink`` whose records' times never decrease."""

    def __init__(self, inner: AuditLogSink, clock: MonotonicClock) -> None:
        self.inner = inner
        self.clock = clock

    @classmethod
    def open(
        cls,
        url: str,
        *,
        agent_id: str,
        signer_key: str | None,
        batch_size: int,
        checkpoint_every: int | None,
    ) -> ClockedSink:
        clock = MonotonicClock()
        log = AuditLog.open(
            url,
            agent_id=agent_id,
            signer_key=signer_key,
            batch_size=batch_size,
            clock_ns=clock.now_ns,
        )
        if log.size:
            last = next(log.store.iter_records(log.size - 1, log.size))
            clock.last_ns = last.ts_ns
        return cls(AuditLogSink(log, checkpoint_every=checkpoint_every), clock)

    @property
    def log(self) -> AuditLog:
        return self.inner.log

    async def append(self, event: AuditEvent) -> int:
        stamped = replace(event, timestamp_ms=self.clock.stamp_ms(event.timestamp_ms))
        return await self.inner.append(stamped)

    async def flush(self) -> int:
        return await self.inner.flush()

    async def checkpoint(self) -> Checkpoint:
        return await self.inner.checkpoint()

    async def close(self) -> None:
        await self.inner.close()
