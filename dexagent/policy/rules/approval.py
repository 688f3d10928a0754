"""Human approval: an order with notional above the threshold waits in the pending queue.

Its verdict is "not allowed yet"; the engine turns a decision whose only objection is this one
into ``pending_approval`` instead of a denial.
"""

from __future__ import annotations

from decimal import Decimal

from dexagent.core.intents import Order
from dexagent.core.policy_gate import PolicyContext, Verdict
from dexagent.policy.rules.base import Amount, Facts, human

NAME = "approval"


class ApprovalThreshold:
    name = NAME

    def __init__(self, above: Decimal) -> None:
        self._above = Amount(above)
        self._ok = Verdict(self.name, True, "below approval threshold")

    def check(self, order: Order, ctx: PolicyContext, facts: Facts) -> Verdict:
        q = order.pair.quote
        cap = self._above.raw(q)
        if order.notional_quote <= cap:
            return self._ok
        return Verdict(
            self.name,
            False,
            f"notional {human(order.notional_quote, q)} > {human(cap, q)}: needs a human approval",
        )
