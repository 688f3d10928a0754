"""Size limits: notional per trade, position per asset, gross exposure as a fraction of equity.

All in exact integers: limits are converted once per token to base units; an amount off by a
wrong decimals factor is caught here because it is compared in base units too.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from dexagent.core.intents import Order, Side
from dexagent.core.policy_gate import PolicyContext, Verdict
from dexagent.policy.hashing import decimal_text
from dexagent.policy.rules.base import Amount, Facts, human


class MaxNotional:
    name = "limits.max_notional"

    def __init__(self, limit: Decimal) -> None:
        self._limit = Amount(limit)
        self._ok = Verdict(self.name, True, "notional within limit")

    def check(self, order: Order, ctx: PolicyContext, facts: Facts) -> Verdict:
        q = order.pair.quote
        cap = self._limit.raw(q)
        if order.notional_quote <= cap:
            return self._ok
        return Verdict(
            self.name,
            False,
            f"notional {human(order.notional_quote, q)} > max {human(cap, q)}",
        )


class MaxPosition:
    """The balance of the token an order receives, after it, against that token's limit."""

    name = "limits.max_position"

    def __init__(self, limits: Mapping[str, Decimal]) -> None:
        self._limits = {sym: Amount(v) for sym, v in limits.items() if sym != "*"}
        star = limits.get("*")
        self._default = Amount(star) if star is not None else None
        self._ok = Verdict(self.name, True, "position within limit")

    def check(self, order: Order, ctx: PolicyContext, facts: Facts) -> Verdict:
        pair = order.pair
        if order.side is Side.BUY:
            token = pair.base
            gets = pair.base_raw_for(order.amount_in, order.ref_price)
        else:
            token = pair.quote
            gets = order.notional_quote
        limit = self._limits.get(token.symbol, self._default)
        if limit is None:
            return self._ok
        after = ctx.balances.get(token.symbol, 0) + gets
        cap = limit.raw(token)
        if after <= cap:
            return self._ok
        return Verdict(
            self.name,
            False,
            f"{token.symbol} position after {human(after, token)} > max {human(cap, token)}",
        )


class MaxGrossExposure:
    """Base value after the order over pair equity; orders that reduce exposure always pass."""

    name = "limits.max_gross_exposure"

    def __init__(self, fraction: Decimal) -> None:
        self._num, self._den = fraction.as_integer_ratio()
        self._text = decimal_text(fraction)
        self._ok = Verdict(self.name, True, "exposure within limit")

    def check(self, order: Order, ctx: PolicyContext, facts: Facts) -> Verdict:
        if order.side is not Side.BUY:
            return self._ok
        pair = order.pair
        base_after = ctx.balances.get(pair.base.symbol, 0) + pair.base_raw_for(
            order.amount_in, order.ref_price
        )
        value = pair.quote_raw_for(base_after, order.ref_price)
        equity = ctx.equity_quote
        if equity > 0 and value * self._den <= self._num * equity:
            return self._ok
        if equity <= 0:
            return Verdict(self.name, False, f"equity {equity} <= 0: no exposure allowed")
        frac = (Decimal(value) / Decimal(equity)).quantize(Decimal("0.0001"))
        return Verdict(self.name, False, f"exposure after {frac} of equity > max {self._text}")
