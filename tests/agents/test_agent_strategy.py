"""AgentStrategy: switching strategies yields the chosen strategy's targets, scaled."""

from __future__ import annotations

import asyncio
from bisect import bisect_right
from collections.abc import Sequence
from decimal import Decimal

import numpy as np

from dexagent.agents import AgentParams, AgentStrategy, Decision, Observation
from dexagent.core.intents import Intent
from dexagent.core.market import MarketView
from dexagent.strategies.base import SignalStrategy
from dexagent.strategies.indicators import ffill
from dexagent.strategies.registry import build_strategy
from tests.agents.support import BALANCES
from tests.support import PAIR, gbm_bars

PLAN = [
    Decision("run", "sma_cross", {"fast": 10, "slow": 40}, Decimal("0.5"), "a"),
    Decision(
        "run", "rsi_reversion", {"period": 14, "lower": 30.0, "upper": 70.0}, Decimal("1"), "b"
    ),
    Decision.hold("c"),
    Decision("run", "sma_cross", {"fast": 10, "slow": 40}, Decimal("0.25"), "d"),
    Decision("run", "donchian_breakout", {"entry": 30, "exit": 10}, Decimal("0.75"), "e"),
]


class Planned:
    def __init__(self) -> None:
        self.n = 0

    async def decide(self, obs: Observation) -> Decision:
        d = PLAN[self.n % len(PLAN)]
        self.n += 1
        return d


def make_agent(**params: object) -> AgentStrategy:
    p = AgentParams.parse(
        {
            "every_n_bars": 150,
            "regime_lookback": 50,
            "window": 100,
            "min_bars_between": 20,
            **params,
        }
    )
    assert isinstance(p, AgentParams)
    return AgentStrategy(PAIR, Planned(), params=p)


def drive(agent: AgentStrategy, n: int, *, skip: bool) -> dict[int, Sequence[Intent]]:
    """The engine's bar-by-bar loop; with ``skip`` it jumps to ``next_event`` like the
    proposed engine change does."""
    bars = gbm_bars(n, vol=0.004)
    agent.prepare(bars.readonly())
    view = MarketView(bars, PAIR, BALANCES)
    out: dict[int, Sequence[Intent]] = {}

    async def go() -> None:
        t = 0
        while t < n:
            view.t = t
            if agent.due(view):
                await agent.deliberate(view)
            intents = agent.on_bar(view)
            if intents:
                out[t] = intents
            t = agent.next_event(t) if skip else t + 1

    asyncio.run(go())
    return out


def test_switching_emits_each_chosen_strategys_targets_scaled_by_capital() -> None:
    n = 3000
    agent = make_agent(on_regime_change=False)
    got = drive(agent, n, skip=False)
    bars = gbm_bars(n, vol=0.004)
    decisions = [(r.bar, r.final) for r in agent.records]
    assert [d.action for _, d in decisions[:5]] == ["run", "run", "hold", "run", "run"]
    expected: dict[int, Decimal] = {}
    for i, (t0, d) in enumerate(decisions):
        t1 = decisions[i + 1][0] if i + 1 < len(decisions) else n
        if d.action == "hold":
            continue
        inner = build_strategy(d.strategy, PAIR, dict(d.params))
        assert isinstance(inner, SignalStrategy)
        inner.prepare(bars)
        x = inner.prepared_targets
        level = ffill(np.asarray(x))
        if level[t0] == level[t0]:
            expected[t0] = Decimal(repr(float(level[t0]))) * d.capital_fraction
        for t in range(t0 + 1, t1):
            if x[t] == x[t]:
                expected[t] = Decimal(repr(float(x[t]))) * d.capital_fraction
    assert {t: i[0].amount for t, i in got.items()} == expected
    assert all(
        len(i) == 1 and i[0].strategy in {"sma_cross", "rsi_reversion", "donchian_breakout"}
        for i in got.values()
    )
    one = next(iter(got.values()))[0]
    assert dict(one.meta) == {"param.fast": "10", "param.slow": "40"}


def test_next_event_never_skips_a_bar_where_the_agent_acts() -> None:
    full = drive(make_agent(), 4000, skip=False)
    skipping = drive(make_agent(), 4000, skip=True)
    assert full == skipping and len(full) > 20


def test_due_follows_the_cadence_and_regime_changes() -> None:
    agent = make_agent()
    drive(agent, 4000, skip=False)
    bars = [r.bar for r in agent.records]
    gaps = np.diff(bars)
    assert bars[0] == 50 and (gaps <= 150).all() and (gaps >= 20).all()
    assert (gaps < 150).any()  # some decisions came from a regime change
    quiet = make_agent(on_regime_change=False)
    drive(quiet, 4000, skip=False)
    assert [r.bar for r in quiet.records] == list(range(50, 4000, 150))


def test_next_event_is_within_bounds_after_every_bar() -> None:
    agent = make_agent()
    acts = sorted(drive(agent, 2000, skip=False))
    agent2 = make_agent()
    bars = gbm_bars(2000, vol=0.004)
    agent2.prepare(bars.readonly())
    view = MarketView(bars, PAIR, BALANCES)

    async def go() -> None:
        for t in range(2000):
            view.t = t
            if agent2.due(view):
                await agent2.deliberate(view)
            agent2.on_bar(view)
            nxt = agent2.next_event(t)
            assert t < nxt <= 2000
            i = bisect_right(acts, t)
            if i < len(acts):
                assert nxt <= acts[i]

    asyncio.run(go())
