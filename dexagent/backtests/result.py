"""What a backtest produces: per-bar equity and exposure, every fill, denial and rejection."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from dexagent.core.intents import Fill
from dexagent.core.kernel import Denial, Rejection
from dexagent.core.tokens import Pair, Token


@dataclass(slots=True, repr=False)
class BacktestResult:
    """Analytics use the float arrays; money totals are exact (``Decimal`` in quote units)."""

    pair: Pair
    timestamp_ms: npt.NDArray[np.int64]  # one per bar
    close: npt.NDArray[np.float64]  # the market price per bar
    equity: npt.NDArray[np.float64]  # total equity per bar, in quote (human units), at close
    exposure: npt.NDArray[np.float64]  # base value / equity per bar, at close
    fills: list[Fill]
    denials: list[Denial]
    rejections: list[Rejection]
    starting_equity: Decimal
    final_equity: Decimal
    fees_quote: Decimal  # venue fees, in quote
    gas_quote: Decimal  # gas, in quote at the native token's price when paid
    periods_per_year: float
    strategy: str
    params: dict[str, Any]
    venue: str
    fill_at: str  # "next_open" or "close"
    native: Token | None = None  # the token gas was paid in
    starting_balances: dict[str, int] = field(default_factory=dict)  # base units
    decisions: int = 0
    audit_events: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"BacktestResult({self.strategy} on {self.pair.symbol}: {len(self.timestamp_ms)} bars, "
            f"{len(self.fills)} fills, equity {self.starting_equity} -> {self.final_equity})"
        )
