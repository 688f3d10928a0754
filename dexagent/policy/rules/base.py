"""What a rule is: a name and a pure ``check(order, ctx, facts) -> Verdict``.

A rule reads the order, the context (balances, equity, venue quote, time) and ``facts`` (the
engine's recorded history: budgets, trading state, last loss). It never changes anything, never
reads a clock, never does I/O. A rule that raises is a deny (the engine catches it).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from dexagent.core.intents import Order
from dexagent.core.policy_gate import PolicyContext, Verdict
from dexagent.core.tokens import Token
from dexagent.policy.budgets import Budgets
from dexagent.policy.positions import LossTracker
from dexagent.policy.state import RiskMonitor


@dataclass(slots=True)
class Facts:
    """The engine's history, as the rules may read it; ``reducing`` is set per order."""

    budgets: Budgets
    risk: RiskMonitor
    losses: LossTracker
    reducing: bool = False


class Rule(Protocol):
    name: str

    def check(self, order: Order, ctx: PolicyContext, facts: Facts) -> Verdict: ...


def is_reducing(order: Order, ctx: PolicyContext) -> bool:
    """True when the order moves base exposure toward zero (a sell while long, spot only)."""
    if order.side.value != "sell":
        return False
    return ctx.balances.get(order.pair.base.symbol, 0) > 0


class Amount:
    """A human amount from the policy file, converted exactly to each token's base units."""

    __slots__ = ("_raw", "human")

    def __init__(self, human: Decimal) -> None:
        self.human = human
        self._raw: dict[int, int] = {}

    def raw(self, token: Token) -> int:
        r = self._raw.get(token.decimals)
        if r is None:
            r = self._raw[token.decimals] = token.to_raw(self.human)
        return r


def human(raw: int, token: Token) -> str:
    return f"{token.to_decimal(raw).normalize():f} {token.symbol}"
