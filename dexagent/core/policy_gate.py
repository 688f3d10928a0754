"""The policy hook the kernel calls on every sized order. The real engine lives in ``policy/``.

Required of a gate: ``evaluate`` is total (never raises for a rule: an error is a deny) and
depends only on the order, the context and the gate's own recorded history; ``needs_quote``
says whether the kernel must attach a venue quote (price impact, gas) to the context;
``on_fill`` lets the gate book what was really traded (loss limits, cooldowns).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from dexagent.core.intents import Fill, Order
from dexagent.core.venue import Quote


@dataclass(frozen=True, slots=True)
class Verdict:
    """One rule's answer about one order. A denial is an outcome, not an exception."""

    rule: str
    allowed: bool
    reason: str = ""


@dataclass(frozen=True, slots=True)
class PolicyDecision:
    approved: bool
    verdicts: tuple[Verdict, ...]
    policy_hash: str = ""
    pending_approval: bool = False  # held for a human: neither executed nor finally denied

    @property
    def denied_by(self) -> tuple[str, ...]:
        return tuple(v.rule for v in self.verdicts if not v.allowed)


@dataclass(frozen=True, slots=True)
class PolicyContext:
    """What a rule may look at besides the order: the account and the market, at decision time."""

    now_ms: int
    balances: Mapping[str, int]
    equity_quote: int  # pair equity (quote + base at ref price), quote base units
    venue: str
    chain_id: int | None = None
    quote: Quote | None = None  # the venue's quote for this order, when the gate asked for it
    gas_price_wei: int | None = None
    native_price: Decimal | None = None  # quote per native token, for gas cost checks


class PolicyGate(Protocol):
    needs_quote: bool

    def evaluate(self, order: Order, ctx: PolicyContext) -> PolicyDecision: ...

    def on_fill(self, fill: Fill, ctx: PolicyContext) -> None: ...


_ALLOW = PolicyDecision(True, (Verdict("allow_all", True, "no policy configured"),), "none")


class AllowAll:
    """The gate used when no policy file is given: approves everything, and says so."""

    needs_quote = False

    def evaluate(self, order: Order, ctx: PolicyContext) -> PolicyDecision:
        return _ALLOW

    def on_fill(self, fill: Fill, ctx: PolicyContext) -> None:
        return None
