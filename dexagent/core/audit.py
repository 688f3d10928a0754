"""The audit hook the kernel calls for everything that happens. The log lives in ``audit_log/``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

JSONValue = Any  # str | int | bool | None | list | dict of these; no floats for money


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One thing that happened: ``kind`` (e.g. ``decision``, ``verdict``, ``fill``) and data."""

    kind: str
    payload: Mapping[str, JSONValue]
    timestamp_ms: int


class AuditSink(Protocol):
    """Required: ``append`` keeps call order and returns the event's sequence number. A sink
    that batches writes says when a record becomes durable (e.g. ``AuditLogSink``: on ``flush``,
    ``checkpoint``, ``close`` or a full batch); the live runner flushes before every send."""

    async def append(self, event: AuditEvent) -> int: ...  # the event's sequence number


class MemoryAuditSink:
    """Keeps events in a list: for backtests without a database, and for tests."""

    def __init__(self) -> None:
        self.events: list[AuditEvent] = []

    async def append(self, event: AuditEvent) -> int:
        self.events.append(event)
        return len(self.events) - 1

    def kinds(self) -> list[str]:
        return [e.kind for e in self.events]
