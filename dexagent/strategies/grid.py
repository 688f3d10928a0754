"""Grid trading: buy a slice each time the price steps down a level, sell one each step up."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import ClassVar

import numpy as np
import numpy.typing as npt
from pydantic import Field

from dexagent.core.bars import Bars
from dexagent.core.intents import Intent, Side, SizeKind
from dexagent.core.market import MarketView
from dexagent.core.tokens import Pair
from dexagent.strategies.base import NO_INTENTS
from dexagent.strategies.params import StrategyParams


class GridParams(StrategyParams):
    spacing_pct: Decimal = Field(
        Decimal("1.0"), ge=Decimal("0.05"), le=Decimal(50), description="level spacing, %"
    )
    levels: int = Field(10, ge=1, le=500, description="levels each side of the centre")
    amount: Decimal = Field(
        Decimal("100"), gt=Decimal(0), le=Decimal(10) ** 9, description="quote per level"
    )


class Grid:
    """The centre is the first close the strategy sees; levels are geometric around it."""

    name: ClassVar[str] = "grid"
    Params: ClassVar[type[StrategyParams]] = GridParams

    def __init__(self, pair: Pair, params: StrategyParams | None = None) -> None:
        self.pair = pair
        self.params = params if params is not None else GridParams()
        assert isinstance(self.params, GridParams)
        self._amount_raw = pair.quote.to_raw(self.params.amount)
        self._level: npt.NDArray[np.int64] = np.empty(0, dtype=np.int64)
        self._levels: list[int] = []
        self._cur = 0

    def prepare(self, bars: Bars) -> None:
        p = self.params
        assert isinstance(p, GridParams)
        if len(bars) == 0:
            self._levels = []
            return
        step = np.log1p(float(p.spacing_pct) / 100.0)
        lv = np.floor(np.log(bars.close / bars.close[0]) / step)
        self._levels = np.clip(lv, -p.levels, p.levels).astype(np.int64).tolist()
        self._cur = 0

    def on_bar(self, view: MarketView) -> Sequence[Intent]:
        lv = self._levels[view.t]
        if lv == self._cur:
            return NO_INTENTS
        steps = lv - self._cur
        self._cur = lv
        if steps < 0:  # price fell |steps| levels: buy that many slices
            return (
                Intent(
                    self.pair,
                    Side.BUY,
                    SizeKind.QUOTE,
                    self._amount_raw * -steps,
                    self.name,
                    f"down {-steps} level(s) to {lv}",
                ),
            )
        return (
            Intent(
                self.pair,
                Side.SELL,
                SizeKind.QUOTE,
                self._amount_raw * steps,
                self.name,
                f"up {steps} level(s) to {lv}",
            ),
        )
