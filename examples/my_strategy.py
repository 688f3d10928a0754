"""A user strategy on one screen: buy the dip below a moving average, sell the rip above it.

Run it over the bundled data:  .venv/bin/python examples/my_strategy.py
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from pydantic import Field

from dexagent.backtests import load_config, run_backtest
from dexagent.backtests.metrics import compute_metrics
from dexagent.backtests.report import format_summary
from dexagent.core import Bars, Pair, Token
from dexagent.strategies import SignalStrategy, StrategyParams
from dexagent.strategies.indicators import hold_between, sma


class DipParams(StrategyParams):
    window: int = Field(100, ge=5, le=2000, description="moving average length, bars")
    band_pct: float = Field(3.0, ge=0.1, le=30.0, description="distance from the average, %")


class BuyTheDip(SignalStrategy):
    name: ClassVar[str] = "buy_the_dip"
    Params: ClassVar[type[StrategyParams]] = DipParams

    def exposure(self, bars: Bars) -> np.ndarray:
        p = self.params
        assert isinstance(p, DipParams)
        ma = sma(bars.close, p.window)  # causal: uses bars up to t only
        band = p.band_pct / 100
        with np.errstate(invalid="ignore"):
            out = hold_between(bars.close < ma * (1 - band), bars.close > ma * (1 + band))
        out[np.isnan(ma)] = np.nan  # no opinion during warm-up
        return out


if __name__ == "__main__":
    cfg = load_config(None, {"data.timeframe": "1h"})
    pair = Pair(Token("WETH", 18), Token("USDT", 6))
    result = run_backtest(cfg, strategy=BuyTheDip(pair, DipParams(window=72, band_pct=4.0)))
    print(format_summary(compute_metrics(result)))
