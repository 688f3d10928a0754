"""Pacing: intents per minute/hour/day, notional per UTC day (both reserved on approval), and a
cooldown after a losing trade (risk-reducing intents still pass)."""

from __future__ import annotations

from decimal import Decimal

from dexagent.core.intents import Order
from dexagent.core.policy_gate import PolicyContext, Verdict
from dexagent.policy.budgets import DAY_MS, HOUR_MS, MINUTE_MS
from dexagent.policy.rules.base import Amount, Facts, human


class RateLimit:
    name = "pacing.rate_limit"

    def __init__(self, per_minute: int | None, per_hour: int | None, per_day: int | None) -> None:
        self._windows = [
            (label, ms, cap)
            for label, ms, cap in (
                ("minute", MINUTE_MS, per_minute),
                ("hour", HOUR_MS, per_hour),
                ("day", DAY_MS, per_day),
            )
            if cap is not None
        ]
        self._ok = Verdict(self.name, True, "within rate limits")

    def check(self, order: Order, ctx: PolicyContext, facts: Facts) -> Verdict:
        budgets = facts.budgets
        now = ctx.now_ms
        for label, ms, cap in self._windows:
            n = budgets.count_within(now, ms)
            if n >= cap:
                return Verdict(
                    self.name, False, f"{n} intents approved in the last {label} (max {cap})"
                )
        return self._ok


class DailyNotional:
    name = "limits.max_daily_notional"

    def __init__(self, limit: Decimal) -> None:
        self._limit = Amount(limit)
        self._ok = Verdict(self.name, True, "daily notional within limit")

    def check(self, order: Order, ctx: PolicyContext, facts: Facts) -> Verdict:
        q = order.pair.quote
        spent = facts.budgets.spent_today(ctx.now_ms, q.symbol)
        cap = self._limit.raw(q)
        if spent + order.notional_quote <= cap:
            return self._ok
        return Verdict(
            self.name,
            False,
            f"today {human(spent, q)} + {human(order.notional_quote, q)} > max {human(cap, q)}",
        )


class LossCooldown:
    name = "pacing.cooldown_after_loss"

    def __init__(self, seconds: int) -> None:
        self._ms = seconds * 1000
        self._ok = Verdict(self.name, True, "no cooldown")

    def check(self, order: Order, ctx: PolicyContext, facts: Facts) -> Verdict:
        last = facts.losses.last_loss_ms
        if last is None or ctx.now_ms >= last + self._ms or facts.reducing:
            return self._ok
        left = (last + self._ms - ctx.now_ms + 999) // 1000
        return Verdict(self.name, False, f"cooling down after a losing trade: {left} s left")
