"""The trading-state gate: ACTIVE passes all; REDUCING only risk-reducing intents; HALTED only
risk-reducing ones when ``risk.halt_allows_reducing`` (else none) until an operator resumes."""

from __future__ import annotations

from dexagent.core.intents import Order
from dexagent.core.policy_gate import PolicyContext, Verdict
from dexagent.policy.rules.base import Facts
from dexagent.policy.state import TradingState


class TradingStateRule:
    name = "risk.trading_state"

    def __init__(self, halt_allows_reducing: bool) -> None:
        self._halt_reducing = halt_allows_reducing
        self._active = Verdict(self.name, True, "active")
        self._reducing_ok = Verdict(self.name, True, "reduces exposure")

    def check(self, order: Order, ctx: PolicyContext, facts: Facts) -> Verdict:
        state = facts.risk.state
        if state is TradingState.ACTIVE:
            return self._active
        if facts.reducing and (state is TradingState.REDUCING or self._halt_reducing):
            return self._reducing_ok
        last = facts.risk.changes[-1].reason if facts.risk.changes else ""
        what = (
            "only risk-reducing intents pass"
            if state is TradingState.REDUCING
            else ("an operator must resume the agent")
        )
        return Verdict(self.name, False, f"state {state.value} ({last}): {what}")
