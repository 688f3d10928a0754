"""The policy hook the kernel calls on every sized order. The real engine lives in ``policy/``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from dexagent.core.intents import Order


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

    @property
    def denied_by(self) -> tuple[str, ...]:
        return tuple(v.rule for v in self.verdicts if not v.allowed)


class PolicyGate(Protocol):
    """Required: ``evaluate`` is pure given its inputs, total, and never raises for a rule."""

    def evaluate(self, order: Order, balances: Mapping[str, int]) -> PolicyDecision: ...


_ALLOW = PolicyDecision(True, (Verdict("allow_all", True, "no policy configured"),), "none")


class AllowAll:
    """The gate used when no policy file is given: approves everything, and says so."""

    def evaluate(self, order: Order, balances: Mapping[str, int]) -> PolicyDecision:
        return _ALLOW
