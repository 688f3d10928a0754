"""Realized profit and loss per pair from fills (average cost), to detect a losing trade.

Base acquired before the first fill the engine saw has no known cost: selling it is booked at
the fill's reference price (neither a profit nor a loss).
"""

from __future__ import annotations

from dexagent.core.intents import Fill, Side


class LossTracker:
    __slots__ = ("_cost", "_qty", "last_loss_ms", "last_pnl")

    def __init__(self) -> None:
        self._qty: dict[str, int] = {}  # base units with a known cost, per pair symbol
        self._cost: dict[str, int] = {}  # their cost, quote units (fees and gas included)
        self.last_loss_ms: int | None = None
        self.last_pnl: int = 0

    def book(self, fill: Fill, now_ms: int) -> int | None:
        """Book ``fill``; the realized P&L (quote units) of a sell, None for a buy."""
        sym = fill.pair.symbol
        qty, cost = self._qty.get(sym, 0), self._cost.get(sym, 0)
        if fill.side is Side.BUY:
            self._qty[sym] = qty + fill.amount_out
            self._cost[sym] = cost + fill.amount_in + fill.gas_quote
            return None
        sold = fill.amount_in
        if sold <= 0:
            return None
        known = min(sold, qty)
        cost_known = cost * known // qty if qty else 0
        proceeds_known = fill.amount_out * known // sold
        pnl = proceeds_known - cost_known - fill.gas_quote
        self._qty[sym] = qty - known
        self._cost[sym] = cost - cost_known
        self.last_pnl = pnl
        if pnl < 0:
            self.last_loss_ms = now_ms
        return pnl
