"""What the API and the metrics endpoint read about an agent: status, counters, recent decisions."""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class AgentStatus(StrEnum):
    STARTING = "starting"
    RUNNING = "running"
    PAUSED = "paused"  # operator pause (not persisted): bars are built, nothing is decided
    HALTED = "halted"  # kill switch (persisted): nothing is decided until an operator resumes
    RPC_DOWN = "rpc_down"  # the chain is unreachable: nothing is decided, retrying with backoff
    FAILED = "failed"  # stopped by an unexpected error; see ``error``
    STOPPED = "stopped"


@dataclass(slots=True)
class AgentMetrics:
    bars: int = 0
    decisions: int = 0
    approved: int = 0
    pending: int = 0
    denials: Counter[str] = field(default_factory=Counter)
    fills: int = 0
    rejections: int = 0
    abandoned: int = 0
    recovered_fills: int = 0
    gas_wei: int = 0
    rpc_errors: int = 0
    rpc_gaps: int = 0
    rpc_gap_seconds: float = 0.0
    start_equity_quote: int | None = None
    equity_quote: int | None = None
    last_block: int = -1
    last_chain_ms: int = 0
    last_bar_ms: int = 0  # open time of the last bar fully handled (decided and executed)
    last_bar_volume_raw: int = 0  # base units swapped in the last closed bar (Swap logs)
    last_bar_blocks: tuple[int, int] = (-1, -1)  # that bar's first and last block

    @property
    def pnl_quote(self) -> int:
        if self.start_equity_quote is None or self.equity_quote is None:
            return 0
        return self.equity_quote - self.start_equity_quote


@dataclass(slots=True)
class RecentDecisions:
    """The newest decisions (bounded), for ``GET /agents/{id}/decisions``."""

    rows: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=500))

    def add(self, row: dict[str, Any]) -> None:
        self.rows.append(row)

    def latest(self, limit: int) -> list[dict[str, Any]]:
        if limit <= 0:
            return []
        return list(self.rows)[-limit:][::-1]
