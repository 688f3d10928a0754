"""Trading windows: UTC hours and weekdays, from ``ctx.now_ms`` (never the wall clock)."""

from __future__ import annotations

from dexagent.core.intents import Order
from dexagent.core.policy_gate import PolicyContext, Verdict
from dexagent.policy.model import WEEKDAYS
from dexagent.policy.rules.base import Facts

_HOUR_MS = 3_600_000
_DAY_MS = 86_400_000


class TradingWindow:
    name = "windows"

    def __init__(self, start_hour: int, end_hour: int, weekdays: tuple[str, ...]) -> None:
        if start_hour < end_hour:
            hours = set(range(start_hour, end_hour))
        else:  # across midnight
            hours = set(range(start_hour, 24)) | set(range(end_hour))
        self._hours = frozenset(hours)
        self._days = frozenset(WEEKDAYS.index(d) for d in weekdays)
        self._ok = Verdict(self.name, True, "inside trading window")

    def check(self, order: Order, ctx: PolicyContext, facts: Facts) -> Verdict:
        now = ctx.now_ms
        wd = (now // _DAY_MS + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
        hour = now // _HOUR_MS % 24
        if wd not in self._days:
            return Verdict(self.name, False, f"{WEEKDAYS[wd]} is not a trading day")
        if hour not in self._hours:
            return Verdict(self.name, False, f"hour {hour:02d} UTC is outside the trading window")
        return self._ok
