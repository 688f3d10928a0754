"""The rule agent decides by regime, deterministically, on the real ETH/USDT data."""

from __future__ import annotations

import asyncio
from collections import Counter

from dexagent.agents import AgentParams, RuleAgent, build_agent_strategy
from dexagent.agents.choices import ChoiceSpace
from dexagent.backtests.config import load_config
from dexagent.backtests.runner import run_backtest_async
from dexagent.core.audit import MemoryAuditSink
from dexagent.core.tokens import Pair
from tests.agents.support import observation, real_bars

CFG = load_config(None, {"venue.kind": "taker"})
PAIR = Pair(CFG.market.base.token(), CFG.market.quote.token())
MONTHS = 3 * 30 * 288  # three months of 5-minute bars


def run_rule_agent() -> tuple[list[dict[str, str]], list[tuple[str, str, int, int]]]:
    bars = real_bars().slice(0, MONTHS)
    sink = MemoryAuditSink()
    agent = build_agent_strategy("rule", PAIR, audit=sink)
    result = asyncio.run(run_backtest_async(CFG, bars=bars, strategy=agent, audit=sink))
    fills = [(f.client_order_id, f.side.value, f.amount_in, f.amount_out) for f in result.fills]
    return agent.decision_table(), fills


def test_the_rule_agent_is_deterministic_on_real_data() -> None:
    table1, fills1 = run_rule_agent()
    table2, fills2 = run_rule_agent()
    assert table1 == table2 and fills1 == fills2
    assert len(fills1) > 10
    chosen = Counter(r["strategy"] for r in table1 if r["action"] == "run")
    assert len(chosen) >= 2, chosen  # it does switch with the regime
    assert all(r["outcome"] == "accepted" for r in table1)


def test_the_rule_agent_holds_while_warming_up() -> None:
    d = RuleAgent(lookback=288).decide_now(observation(100))
    assert d.action == "hold" and d.rationale.startswith("warm-up")


def test_the_rule_agent_keeps_to_the_allowlist_and_its_bounds() -> None:
    space = ChoiceSpace.from_policy({"sma_cross": {"fast": {"max": 12}, "slow": {"max": 60}}})
    agent = RuleAgent(lookback=288)
    bars = real_bars().slice(0, MONTHS)
    for t in range(400, MONTHS, 997):
        d = agent.decide_now(observation(t, bars=bars, space=space))
        if d.action == "run":
            assert d.strategy == "sma_cross"
            space.validate(d.strategy, d.params)  # raises when out of bounds
        else:
            assert "no allowed strategy" in d.rationale


def test_agent_params_reject_a_window_shorter_than_the_lookback() -> None:
    import pytest

    from dexagent.core.errors import ConfigError

    with pytest.raises(ConfigError, match="window"):
        AgentParams.parse({"window": 100, "regime_lookback": 288})
