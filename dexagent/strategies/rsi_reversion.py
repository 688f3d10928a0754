"""RSI mean reversion: buy when RSI falls below ``lower``, sell when it rises above ``upper``."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from pydantic import Field, model_validator

from dexagent.core.bars import Bars
from dexagent.strategies.base import F64, SignalStrategy
from dexagent.strategies.indicators import hold_between, rsi
from dexagent.strategies.params import StrategyParams


class RsiReversionParams(StrategyParams):
    period: int = Field(14, ge=2, le=200, description="RSI length, bars")
    lower: float = Field(30.0, ge=1.0, le=50.0, description="buy below this RSI")
    upper: float = Field(70.0, ge=50.0, le=99.0, description="sell above this RSI")

    @model_validator(mode="after")
    def _ordered(self) -> RsiReversionParams:
        if self.lower >= self.upper:
            raise ValueError(f"lower ({self.lower}) must be below upper ({self.upper})")
        return self


class RsiReversion(SignalStrategy):
    name: ClassVar[str] = "rsi_reversion"
    Params: ClassVar[type[StrategyParams]] = RsiReversionParams

    def exposure(self, bars: Bars) -> F64:
        p = self.params
        assert isinstance(p, RsiReversionParams)
        r = rsi(bars.close, p.period)
        with np.errstate(invalid="ignore"):
            out = hold_between(r < p.lower, r > p.upper)
        out[np.isnan(r)] = np.nan
        return out
