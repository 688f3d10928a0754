"""Dollar-cost averaging: spend a fixed quote amount every N bars."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import ClassVar

from pydantic import Field

from dexagent.core.bars import Bars
from dexagent.core.intents import Intent
from dexagent.core.market import MarketView
from dexagent.core.tokens import Pair
from dexagent.strategies.base import NO_INTENTS
from dexagent.strategies.params import StrategyParams


class DcaParams(StrategyParams):
    every: int = Field(288, ge=1, le=1_000_000, description="bars between buys")
    amount: Decimal = Field(
        Decimal("100"), gt=Decimal(0), le=Decimal(10) ** 9, description="quote per buy"
    )


class Dca:
    name: ClassVar[str] = "dca"
    Params: ClassVar[type[StrategyParams]] = DcaParams

    def __init__(self, pair: Pair, params: StrategyParams | None = None) -> None:
        self.pair = pair
        self.params = params if params is not None else DcaParams()
        assert isinstance(self.params, DcaParams)
        self._every = self.params.every
        self._intent = Intent.buy_quote(
            pair, pair.quote.to_raw(self.params.amount), self.name, "scheduled buy"
        )
        self._start = 0

    def prepare(self, bars: Bars) -> None:
        self._start = 0

    def on_bar(self, view: MarketView) -> Sequence[Intent]:
        if (view.t - self._start) % self._every:
            return NO_INTENTS
        return (self._intent,)
