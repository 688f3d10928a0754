"""OHLC bars built from chain samples (block timestamp, pool mid price), and the growing history.

The chain's own clock is the clock: a sample belongs to the bar ``floor(ts / timeframe)``, and a
bar closes when the first sample of a later bar arrives (``evm_increaseTime`` moves it in tests).
Bars without any sample are not invented. The builder also tracks the first and last block
sampled in each bar (``closed_blocks`` after a close) so the runner can sum the bar's volume.
"""

from __future__ import annotations

import numpy as np

from dexagent.core.bars import Bars
from dexagent.service.journal import BarRow


class BarBuilder:
    __slots__ = ("_blocks", "_cur", "_last_ts", "closed_blocks", "timeframe_ms")

    def __init__(self, timeframe_ms: int, *, after_ms: int | None = None) -> None:
        self.timeframe_ms = timeframe_ms
        self._cur: list[float] | None = None  # [open_ts, o, h, l, c]
        self._blocks = (-1, -1)  # first and last block sampled in the open bar (-1: unknown)
        self.closed_blocks = (-1, -1)  # the same for the bar the last ``add`` closed
        self._last_ts = after_ms  # open time of the last bar already closed (restart)

    def add(self, ts_ms: int, price: float, block: int = -1) -> BarRow | None:
        """Feed one sample (of ``block``); returns the bar it closed, if any."""
        start = ts_ms - ts_ms % self.timeframe_ms
        if self._last_ts is not None and start <= self._last_ts:
            return None  # a bar already closed (and decided) before a restart
        cur = self._cur
        if cur is None:
            self._cur = [start, price, price, price, price]
            self._blocks = (block, block)
            return None
        if start == cur[0]:
            cur[2] = max(cur[2], price)
            cur[3] = min(cur[3], price)
            cur[4] = price
            first = self._blocks[0] if self._blocks[0] >= 0 else block
            self._blocks = (first, max(self._blocks[1], block))
            return None
        if start < cur[0]:
            return None  # the chain's time never goes back; ignore a stale read
        closed = BarRow(int(cur[0]), cur[1], cur[2], cur[3], cur[4], 0.0)
        self._last_ts = closed.ts_ms
        self.closed_blocks = self._blocks
        self._cur = [start, price, price, price, price]
        self._blocks = (block, block)
        return closed


class LiveHistory:
    """Closed bars, newest last, at most ``cap`` of them (numpy columns, amortized appends)."""

    def __init__(self, symbol: str, timeframe_ms: int, cap: int) -> None:
        self.symbol, self.timeframe_ms, self.cap = symbol, timeframe_ms, cap
        size = 2 * cap
        self._ts = np.zeros(size, dtype=np.int64)
        self._px = np.zeros((5, size), dtype=np.float64)  # open, high, low, close, volume
        self._n = 0
        self._start = 0

    def __len__(self) -> int:
        return self._n - self._start

    @property
    def last_ts(self) -> int | None:
        return int(self._ts[self._n - 1]) if self._n > self._start else None

    def append(self, bar: BarRow) -> None:
        if self._n == self._ts.shape[0]:  # compact: keep the newest cap - 1
            keep = self.cap - 1
            lo = self._n - keep
            self._ts[:keep] = self._ts[lo : self._n]
            self._px[:, :keep] = self._px[:, lo : self._n]
            self._n, self._start = keep, 0
        i = self._n
        self._ts[i] = bar.ts_ms
        self._px[:, i] = (bar.open, bar.high, bar.low, bar.close, bar.volume)
        self._n += 1
        if self._n - self._start > self.cap:
            self._start = self._n - self.cap

    def bars(self) -> Bars:
        s, e = self._start, self._n
        return Bars(
            self._ts[s:e],
            self._px[0, s:e],
            self._px[1, s:e],
            self._px[2, s:e],
            self._px[3, s:e],
            self._px[4, s:e],
            self.symbol,
            self.timeframe_ms,
        )
