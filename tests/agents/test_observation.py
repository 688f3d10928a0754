"""Point in time: an observation built at t holds nothing stamped after t."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dexagent.agents import LookaheadError, Observation, PastDecision
from dexagent.agents.choices import ChoiceSpace
from tests.agents.support import observation
from tests.support import PAIR, gbm_bars


@pytest.mark.parametrize("t", [0, 1, 575, 576, 1999])
def test_an_observation_at_t_holds_no_bar_after_t(t: int) -> None:
    obs = observation(t)
    assert int(obs.bars.timestamp_ms.max()) <= obs.t_ms
    assert int(obs.bars.timestamp_ms[-1]) == obs.t_ms
    assert len(obs.bars) == min(t + 1, 576)


def test_an_observation_with_a_later_bar_is_refused() -> None:
    bars = gbm_bars(100)
    with pytest.raises(LookaheadError, match="after t"):
        Observation(
            t_ms=int(bars.timestamp_ms[50]),
            bar=50,
            pair=PAIR,
            bars=bars,
            price=Decimal(2000),
            balances={},
            equity_quote=Decimal(0),
            allowlist=ChoiceSpace.builtin().bounds,
        )


def test_an_observation_with_a_later_decision_is_refused() -> None:
    obs = observation(100)
    with pytest.raises(LookaheadError, match="decision stamped"):
        Observation(
            obs.t_ms,
            obs.bar,
            obs.pair,
            obs.bars,
            obs.price,
            obs.balances,
            obs.equity_quote,
            obs.allowlist,
            recent=(PastDecision(obs.t_ms + 1, "hold", ""),),
        )


def test_the_frozen_copy_is_equal_but_shares_no_array() -> None:
    obs = observation(300)
    c = obs.frozen_copy()
    assert (c.bars.close == obs.bars.close).all() and c.bars.close is not obs.bars.close
    assert not c.bars.close.flags.writeable
    assert dict(c.balances) == dict(obs.balances)
    assert {k: dict(v) for k, v in c.allowlist.items()} == {
        k: dict(v) for k, v in obs.allowlist.items()
    }
