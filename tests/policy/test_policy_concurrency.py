"""Budgets are reserved on approval: many intents at once never exceed a daily limit."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from dexagent.core.policy_gate import PolicyDecision
from tests.policy.policy_helpers import T0, USD, buy, ctx, engine

LIMITS = {"limits": {"max_daily_notional": 10_000}, "pacing": {"max_per_hour": 1000}}


async def test_many_intents_at_once_never_exceed_daily_limit_asyncio() -> None:
    e = engine(**LIMITS)

    async def propose(i: int) -> PolicyDecision:
        await asyncio.sleep(0)  # interleave the tasks
        return e.evaluate(buy(300, oid=f"a-{i}"), ctx(now_ms=T0 + i % 7))

    decisions = await asyncio.gather(*(propose(i) for i in range(500)))
    approved = [d for d in decisions if d.approved]
    assert len(approved) == 33  # 33 * 300 = 9,900 <= 10,000 < 34 * 300
    assert sum(300 * USD for _ in approved) <= 10_000 * USD
    assert e.denials_by_rule["limits.max_daily_notional"] == 500 - 33


def test_many_intents_at_once_never_exceed_daily_limit_threads() -> None:
    e = engine(**LIMITS)
    start = threading.Barrier(8)

    def propose(worker: int) -> list[bool]:
        start.wait()
        return [
            e.evaluate(buy(300, oid=f"t-{worker}-{i}"), ctx(now_ms=T0 + i)).approved
            for i in range(100)
        ]

    with ThreadPoolExecutor(8) as pool:
        results = [ok for chunk in pool.map(propose, range(8)) for ok in chunk]
    assert sum(results) == 33


def test_many_intents_at_once_respect_the_rate_limit_threads() -> None:
    e = engine(pacing={"max_per_minute": 25})

    def propose(worker: int) -> int:
        return sum(
            e.evaluate(buy(1, oid=f"r-{worker}-{i}"), ctx(now_ms=T0 + 1)).approved
            for i in range(50)
        )

    with ThreadPoolExecutor(8) as pool:
        assert sum(pool.map(propose, range(8))) == 25
