"""SMA crossover: long while the fast average is above the slow one, flat otherwise."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from pydantic import Field, model_validator

from dexagent.core.bars import Bars
from dexagent.strategies.base import F64, SignalStrategy
from dexagent.strategies.indicators import sma
from dexagent.strategies.params import StrategyParams


class SmaCrossParams(StrategyParams):
    fast: int = Field(20, ge=2, le=500, description="fast SMA length, bars")
    slow: int = Field(50, ge=3, le=2000, description="slow SMA length, bars")

    @model_validator(mode="after")
    def _fast_below_slow(self) -> SmaCrossParams:
        if self.fast >= self.slow:
            raise ValueError(f"fast ({self.fast}) must be shorter than slow ({self.slow})")
        return self


class SmaCross(SignalStrategy):
    name: ClassVar[str] = "sma_cross"
    Params: ClassVar[type[StrategyParams]] = SmaCrossParams

    def exposure(self, bars: Bars) -> F64:
        p = self.params
        assert isinstance(p, SmaCrossParams)
        fast, slow = sma(bars.close, p.fast), sma(bars.close, p.slow)
        out = np.where(fast > slow, 1.0, 0.0)
        out[np.isnan(slow)] = np.nan
        return out
