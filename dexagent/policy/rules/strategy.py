"""Strategy allowlist and bounds on each strategy's parameters.

An intent names its strategy; the parameters an agent chose travel as ``meta`` entries
``("param.<name>", "<value>")`` and are checked too. ``check_params`` is the same check for the
moment an agent picks a strategy, before any intent. Bounds here may be tighter than the
strategy's own; a parameter the policy does not name keeps only the strategy's own bounds.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from dexagent.core.intents import Order
from dexagent.core.policy_gate import PolicyContext, Verdict
from dexagent.policy.hashing import decimal_text
from dexagent.policy.model import ParamBound
from dexagent.policy.rules.base import Facts

NAME = "strategy"
PARAM_PREFIX = "param."


def check_params(
    allowed: Mapping[str, Mapping[str, ParamBound]], name: str, params: Mapping[str, object]
) -> list[Verdict]:
    """One verdict for the name, then one per bounded parameter given (all of them recorded)."""
    bounds = allowed.get(name)
    if bounds is None:
        why = "intent names no strategy" if not name else f"strategy {name!r} not on the allowlist"
        return [Verdict(NAME, False, why)]
    out = [Verdict(NAME, True, f"strategy {name!r} allowed")]
    for pname, value in params.items():
        bound = bounds.get(pname)
        if bound is not None:
            out.append(_check_one(name, pname, value, bound))
    return out


def _check_one(strategy: str, pname: str, value: object, bound: ParamBound) -> Verdict:
    rule = f"{NAME}.{strategy}.{pname}"
    if bound.values is not None:
        if str(value) in bound.values:
            return Verdict(rule, True, "value allowed")
        return Verdict(rule, False, f"{pname} = {value!r} not in {list(bound.values)}")
    if isinstance(value, bool):
        return Verdict(rule, False, f"{pname} = {value!r} is not a number")
    try:
        # floats come from agents (JSON); repr keeps the value the agent meant, not binary noise
        d = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))
    except InvalidOperation:
        return Verdict(rule, False, f"{pname} = {value!r} is not a number")
    if not d.is_finite():
        return Verdict(rule, False, f"{pname} = {value!r} is not a finite number")
    if bound.min is not None and d < bound.min:
        return Verdict(rule, False, f"{pname} = {d} below policy min {decimal_text(bound.min)}")
    if bound.max is not None and d > bound.max:
        return Verdict(rule, False, f"{pname} = {d} above policy max {decimal_text(bound.max)}")
    return Verdict(rule, True, "within bounds")


class StrategyAllowlist:
    name = NAME

    def __init__(self, allowed: Mapping[str, Mapping[str, ParamBound]]) -> None:
        self._allowed = allowed
        self._ok = {n: Verdict(NAME, True, f"strategy {n!r} allowed") for n in allowed}

    def check(self, order: Order, ctx: PolicyContext, facts: Facts) -> Verdict:
        it = order.intent
        ok = self._ok.get(it.strategy)
        if ok is None:
            return check_params(self._allowed, it.strategy, {})[0]
        if not it.meta:
            return ok
        params = {k[len(PARAM_PREFIX) :]: v for k, v in it.meta if k.startswith(PARAM_PREFIX)}
        bad = [v for v in check_params(self._allowed, it.strategy, params) if not v.allowed]
        if not bad:
            return ok
        return Verdict(NAME, False, "; ".join(f"{v.rule}: {v.reason}" for v in bad))
