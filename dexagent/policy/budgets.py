"""Period budgets: intents per minute/hour/day (sliding windows) and notional per UTC day.

A budget is *reserved* the moment the engine approves an intent, not when it fills, so that
intents decided at the same time cannot all pass; ``release`` gives a reservation back when its
execution fails. Not thread-safe by itself: the engine calls it under its lock.
"""

from __future__ import annotations

from bisect import bisect_right, insort
from collections import deque
from dataclasses import dataclass

MINUTE_MS = 60_000
HOUR_MS = 3_600_000
DAY_MS = 86_400_000


@dataclass(frozen=True, slots=True)
class Reservation:
    at_ms: int
    day: int
    quote_symbol: str
    notional_quote: int


class Budgets:
    __slots__ = ("_day", "_day_spent", "_order", "_reserved", "_times")

    def __init__(self) -> None:
        self._times: list[int] = []  # approval times, sorted, the last day's worth
        self._reserved: dict[str, Reservation] = {}
        self._order: deque[tuple[int, str]] = deque()  # (at_ms, key) in reservation order
        self._day_spent: dict[tuple[int, str], int] = {}
        self._day = -1

    def count_within(self, now_ms: int, window_ms: int) -> int:
        """Reserved intents in the window (now - window, now]."""
        times = self._times
        return len(times) - bisect_right(times, now_ms - window_ms)

    def spent_today(self, now_ms: int, quote_symbol: str) -> int:
        return self._day_spent.get((now_ms // DAY_MS, quote_symbol), 0)

    def reserve(self, key: str, now_ms: int, quote_symbol: str, notional_quote: int) -> None:
        if key in self._reserved:
            return  # idempotent per order id
        day = now_ms // DAY_MS
        self._reserved[key] = Reservation(now_ms, day, quote_symbol, notional_quote)
        self._order.append((now_ms, key))
        insort(self._times, now_ms)
        k = (day, quote_symbol)
        self._day_spent[k] = self._day_spent.get(k, 0) + notional_quote
        self._prune(now_ms)

    def release(self, key: str) -> bool:
        """Give back the reservation of order ``key``; False if there was none."""
        r = self._reserved.pop(key, None)
        if r is None:
            return False
        i = bisect_right(self._times, r.at_ms) - 1
        if i >= 0 and self._times[i] == r.at_ms:
            del self._times[i]
        k = (r.day, r.quote_symbol)
        if k in self._day_spent:
            self._day_spent[k] -= r.notional_quote
        return True

    def _prune(self, now_ms: int) -> None:
        """Forget what is more than a day old (amortized O(1) per reservation)."""
        cut = bisect_right(self._times, now_ms - DAY_MS)
        if cut > 256 or (cut and cut == len(self._times)):
            del self._times[:cut]
        old = self._order
        while old and old[0][0] <= now_ms - 2 * DAY_MS:
            self._reserved.pop(old.popleft()[1], None)
        today = now_ms // DAY_MS
        if today != self._day:
            self._day = today
            for dk in [dk for dk in self._day_spent if dk[0] < today - 1]:
                del self._day_spent[dk]
