"""Donchian breakout: buy a close above the prior N-bar high, exit below the prior M-bar low."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from pydantic import Field

from dexagent.core.bars import Bars
from dexagent.strategies.base import F64, SignalStrategy
from dexagent.strategies.indicators import hold_between, rolling_max, rolling_min, shift
from dexagent.strategies.params import StrategyParams


class BreakoutParams(StrategyParams):
    entry: int = Field(55, ge=2, le=2000, description="breakout lookback, bars")
    exit: int = Field(20, ge=2, le=2000, description="exit lookback, bars")


class DonchianBreakout(SignalStrategy):
    name: ClassVar[str] = "donchian_breakout"
    Params: ClassVar[type[StrategyParams]] = BreakoutParams

    def exposure(self, bars: Bars) -> F64:
        p = self.params
        assert isinstance(p, BreakoutParams)
        # the channel of the *previous* bars: shift by one so bar t never sees itself
        upper = shift(rolling_max(bars.high, p.entry))
        lower = shift(rolling_min(bars.low, p.exit))
        with np.errstate(invalid="ignore"):
            out = hold_between(bars.close > upper, bars.close < lower)
        out[np.isnan(upper) | np.isnan(lower)] = np.nan
        return out
