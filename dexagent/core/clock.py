"""Clocks: the backtester moves a simulated one; live trading reads the wall."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def now_ms(self) -> int: ...


class SimulatedClock:
    __slots__ = ("_now",)

    def __init__(self, start_ms: int = 0) -> None:
        self._now = start_ms

    def now_ms(self) -> int:
        return self._now

    def advance_to(self, t_ms: int) -> None:
        if t_ms < self._now:
            raise ValueError(f"simulated time cannot go back: {t_ms} < {self._now}")
        self._now = t_ms


class WallClock:
    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000
