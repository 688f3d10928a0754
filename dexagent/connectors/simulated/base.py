"""What every simulated venue adds to the Venue protocol: the engine moves its market."""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from dexagent.core.venue import Venue


class SimulatedVenue(Venue, Protocol):
    """A venue whose market state the backtest engine sets before each execution.

    ``price`` is the mid price (quote per base) at which the next fill happens (the next bar's
    open, or this bar's close); ``native_price`` prices the gas token in quote.
    """

    def set_market(self, *, price: Decimal, t_ms: int, bar: int, native_price: Decimal) -> None: ...
