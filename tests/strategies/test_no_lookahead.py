"""Truncating history after bar t leaves every decision up to t unchanged, for every built-in."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from dexagent.backtests.engine import run_kernel_over_bars
from dexagent.connectors.simulated.taker import TakerVenue
from dexagent.core.audit import MemoryAuditSink
from dexagent.core.bars import Bars
from dexagent.core.kernel import Kernel
from dexagent.core.policy_gate import AllowAll
from dexagent.core.portfolio import Portfolio
from dexagent.strategies.registry import build_strategy
from tests.support import PAIR, gbm_bars

CASES: list[tuple[str, dict[str, Any]]] = [
    ("sma_cross", {"fast": 5, "slow": 30}),
    ("rsi_reversion", {"period": 10, "lower": 35, "upper": 65}),
    ("donchian_breakout", {"entry": 30, "exit": 15}),
    ("dca", {"every": 97, "amount": "50"}),
    ("grid", {"spacing_pct": "0.4", "levels": 15, "amount": "40"}),
]


async def _decisions(name: str, params: dict[str, Any], bars: Bars) -> list[tuple[Any, ...]]:
    portfolio = Portfolio({"USDT": 10_000_000_000, "WETH": 10**18})
    venue = TakerVenue(portfolio.view, fee_bps=Decimal(30), half_spread_bps=Decimal(5))
    sink = MemoryAuditSink()
    kernel = Kernel(agent_id="a", portfolio=portfolio, venue=venue, policy=AllowAll(), audit=sink)
    await run_kernel_over_bars(bars, build_strategy(name, PAIR, params), kernel, venue)
    return [
        (e.timestamp_ms, e.payload["side"], e.payload["amount_in"], e.payload["ref_price"])
        for e in sink.events
        if e.kind == "decision"
    ]


@pytest.mark.parametrize(("name", "params"), CASES, ids=[c[0] for c in CASES])
async def test_truncated_history_gives_the_same_decisions(
    name: str, params: dict[str, Any]
) -> None:
    bars = gbm_bars(4_000, seed=21, vol=0.003)
    full = await _decisions(name, params, bars)
    assert len(full) >= 5, "the case must trade for the test to mean anything"
    for cut in (500, 1_234, 2_999):
        t_last = int(bars.timestamp_ms[cut - 1])
        part = await _decisions(name, params, bars.head(cut))
        assert part == [d for d in full if d[0] <= t_last], f"differs when cut at {cut}"


def test_a_future_spike_cannot_change_past_targets() -> None:
    bars = gbm_bars(3_000, seed=2)
    strat = build_strategy("sma_cross", PAIR, {"fast": 5, "slow": 30})
    assert hasattr(strat, "targets")
    before = strat.targets(bars)  # type: ignore[attr-defined]
    spiked = bars.close.copy()
    spiked[2_000:] *= 3.0
    after = strat.targets(  # type: ignore[attr-defined]
        Bars(bars.timestamp_ms, bars.open, spiked, bars.low, spiked, bars.volume)
    )
    import numpy as np

    np.testing.assert_array_equal(before[:2_000], after[:2_000])
