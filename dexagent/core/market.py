"""Point-in-time market views: at bar t a strategy or agent sees bars 0..t and nothing later."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from dexagent.core.bars import Bars
from dexagent.core.tokens import Pair, price_decimal


class MarketView:
    """A cursor over history. The engine moves ``t``; readers never see past it."""

    __slots__ = ("_bars", "_close", "balances", "pair", "t")

    def __init__(self, bars: Bars, pair: Pair, balances: Mapping[str, int]) -> None:
        self._bars = bars.readonly()
        self._close = self._bars.close
        self.pair = pair
        self.balances = balances
        self.t = -1

    @property
    def close(self) -> float:
        """This bar's close (float, for comparisons; use ``price`` for money)."""
        return float(self._close[self.t])

    @property
    def price(self) -> Decimal:
        return price_decimal(self._close[self.t])

    @property
    def timestamp_ms(self) -> int:
        return int(self._bars.timestamp_ms[self.t])

    def history(self) -> Bars:
        """All bars up to and including ``t`` (read-only views)."""
        return self._bars.head(self.t + 1)
