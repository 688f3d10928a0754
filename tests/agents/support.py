"""Builders for agent tests: observations over real or synthetic bars."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from dexagent.agents.choices import ChoiceSpace
from dexagent.agents.observation import Observation, build_observation
from dexagent.core.bars import Bars
from dexagent.core.market import MarketView
from tests.support import PAIR, gbm_bars

BALANCES = {"USDT": 10_000 * 10**6, "WETH": 2 * 10**18}


@cache
def real_bars() -> Bars:
    from dexagent.backtests.data import bundled_dataset, load_bars

    return load_bars(bundled_dataset("ETH/USDT"), symbol="ETH/USDT")


def observation(
    t: int = 1000,
    *,
    bars: Bars | None = None,
    window: int = 576,
    notes: Sequence[str] = (),
    space: ChoiceSpace | None = None,
) -> Observation:
    view = MarketView(bars if bars is not None else gbm_bars(2000), PAIR, BALANCES)
    view.t = t
    sp = space if space is not None else ChoiceSpace.builtin()
    return build_observation(view, window=window, allowlist=sp.bounds, notes=notes)
