"""Market checks on the venue's quote: a price collar against the decision-time reference price,
and price impact against the pool's pre-trade mid (fee excluded)."""

from __future__ import annotations

from decimal import Decimal

from dexagent.core.intents import Order, Side
from dexagent.core.policy_gate import PolicyContext, Verdict
from dexagent.policy.hashing import decimal_text
from dexagent.policy.rules.base import Facts

_BPS = Decimal(10_000)
_Q = Decimal("0.01")


def adverse_bps(side: Side, price: Decimal, ref: Decimal) -> Decimal:
    """How much worse than ``ref`` a trade at ``price`` is, in bps (negative = better)."""
    diff = price - ref if side is Side.BUY else ref - price
    return diff * _BPS / ref


class SlippageCollar:
    name = "market.max_slippage_bps"

    def __init__(self, bps: Decimal) -> None:
        self._bps = bps
        self._ok = Verdict(self.name, True, "price within collar")

    def check(self, order: Order, ctx: PolicyContext, facts: Facts) -> Verdict:
        q = ctx.quote
        if q is None:
            return Verdict(self.name, False, "no venue quote in context")
        if order.ref_price <= 0:
            return Verdict(self.name, False, f"reference price {order.ref_price} <= 0")
        # the tighter of the policy's collar and the intent's own
        cap = self._bps
        own = order.intent.max_slippage_bps
        if own is not None and own < cap:
            cap = Decimal(own)
        bps = adverse_bps(order.side, q.price, order.ref_price)
        if bps <= cap:
            return self._ok
        return Verdict(
            self.name,
            False,
            f"quoted price {q.price} is {bps.quantize(_Q)} bps from reference "
            f"{order.ref_price} > max {decimal_text(cap)}",
        )


class PriceImpact:
    name = "market.max_price_impact_bps"

    def __init__(self, bps: Decimal) -> None:
        self._bps = bps
        self._ok = Verdict(self.name, True, "impact within limit")

    def check(self, order: Order, ctx: PolicyContext, facts: Facts) -> Verdict:
        q = ctx.quote
        if q is None:
            return Verdict(self.name, False, "no venue quote in context")
        if q.mid_price <= 0:
            return Verdict(self.name, False, f"venue mid price {q.mid_price} <= 0")
        net_in = q.amount_in - q.fee_in
        if net_in <= 0 or q.amount_out <= 0:
            return Verdict(self.name, False, "quote trades nothing")
        pair = order.pair
        if order.side is Side.BUY:
            px = pair.price_of(q.amount_out, net_in)
        else:
            px = pair.price_of(net_in, q.amount_out)
        bps = adverse_bps(order.side, px, q.mid_price)
        if bps <= self._bps:
            return self._ok
        return Verdict(
            self.name,
            False,
            f"price impact {bps.quantize(_Q)} bps > max {decimal_text(self._bps)}",
        )
