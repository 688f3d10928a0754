"""The agent's trading state (ACTIVE / REDUCING / HALTED), driven by daily loss and drawdown.

Equity is marked at every decision, every fill and whenever the backtester or runner calls
``mark``. REDUCING is entered and left automatically as the losses cross the ``*_reduce`` limits
(the daily loss starts again at 00:00 UTC). HALTED, entered at a ``*_halt`` limit, is sticky:
only ``resume`` by an operator leaves it, and it rebases the peak and the day's start equity to
the equity at that moment (the operator accepts the loss so far). Every change is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from dexagent.policy.model import RiskSection

MS_PER_DAY = 86_400_000


class TradingState(StrEnum):
    ACTIVE = "active"
    REDUCING = "reducing"  # only risk-reducing intents pass
    HALTED = "halted"  # nothing that adds risk passes until an operator resumes


@dataclass(frozen=True, slots=True)
class StateChange:
    at_ms: int
    from_state: TradingState
    to_state: TradingState
    reason: str


def _ratio(x: Decimal | None) -> tuple[int, int] | None:
    return None if x is None else x.as_integer_ratio()


class _Series:
    """One equity series (a pair's equity): its peak, its UTC day's start, its breach level."""

    __slots__ = ("day", "day_start", "equity", "key", "level", "peak", "reason")

    def __init__(self, key: str) -> None:
        self.key = key
        self.day = -1
        self.day_start = 0
        self.peak = 0
        self.equity = 0
        self.level = 0  # 0 within limits, 1 reduce, 2 halt
        self.reason = ""


class RiskMonitor:
    """Tracks each equity series and moves the trading state by the worst of them.

    The kernel reports pair equity (quote + base of the order's pair), so equity is kept per
    pair: an order on another pair must not look like a drawdown of this one.
    """

    __slots__ = ("_dd_halt", "_dd_reduce", "_dl_halt", "_dl_reduce", "_series", "changes", "state")

    def __init__(self, cfg: RiskSection, state: TradingState = TradingState.ACTIVE) -> None:
        self._dl_reduce = _ratio(cfg.daily_loss_reduce)
        self._dl_halt = _ratio(cfg.daily_loss_halt)
        self._dd_reduce = _ratio(cfg.drawdown_reduce)
        self._dd_halt = _ratio(cfg.drawdown_halt)
        self.state = state
        self.changes: list[StateChange] = []
        self._series: dict[str, _Series] = {}

    def equity(self, key: str = "") -> int:
        s = self._series.get(key)
        return s.equity if s is not None else 0

    def mark(self, now_ms: int, equity: int, key: str = "") -> StateChange | None:
        s = self._series.get(key)
        if s is None:
            s = self._series[key] = _Series(key)
        day = now_ms // MS_PER_DAY
        if day != s.day:
            s.day = day
            s.day_start = equity
        if equity > s.peak:
            s.peak = equity
        s.equity = equity
        halt = self._breach(s, self._dl_halt, self._dd_halt)
        if halt:
            s.level, s.reason = 2, halt
        else:
            reduce = self._breach(s, self._dl_reduce, self._dd_reduce)
            s.level, s.reason = (1, reduce) if reduce else (0, "")
        if self.state is TradingState.HALTED:
            return None
        worst = max(self._series.values(), key=lambda x: x.level)
        label = f"{worst.key}: " if worst.key else ""
        if worst.level == 2:
            return self._move(now_ms, TradingState.HALTED, label + worst.reason)
        if worst.level == 1:
            return self._move(now_ms, TradingState.REDUCING, label + worst.reason)
        return self._move(now_ms, TradingState.ACTIVE, "losses back within limits")

    def resume(self, now_ms: int, operator: str, reason: str = "") -> StateChange | None:
        """Operator resume: back to ACTIVE with peaks and day starts rebased to current equity."""
        for s in self._series.values():
            s.peak = s.day_start = s.equity
            s.level, s.reason = 0, ""
        if self.state is TradingState.ACTIVE:
            return None
        why = f"resumed by operator {operator!r}" + (f": {reason}" if reason else "")
        return self._move(now_ms, TradingState.ACTIVE, why)

    @staticmethod
    def _breach(s: _Series, daily: tuple[int, int] | None, dd: tuple[int, int] | None) -> str:
        start, peak, equity = s.day_start, s.peak, s.equity
        if daily is not None and start > 0 and (start - equity) * daily[1] >= daily[0] * start:
            return f"daily loss {_pct(start - equity, start)} >= {_pct(daily[0], daily[1])}"
        if dd is not None and peak > 0 and (peak - equity) * dd[1] >= dd[0] * peak:
            return f"drawdown {_pct(peak - equity, peak)} >= {_pct(dd[0], dd[1])}"
        return ""

    def _move(self, now_ms: int, to: TradingState, reason: str) -> StateChange | None:
        if to is self.state:
            return None
        change = StateChange(now_ms, self.state, to, reason)
        self.state = to
        self.changes.append(change)
        return change


def _pct(num: int, den: int) -> str:
    return f"{(Decimal(num) * 100 / Decimal(den)).quantize(Decimal('0.01'))}%"
