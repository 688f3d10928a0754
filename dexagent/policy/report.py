"""The policy section of a backtest (or run) report: denials by rule and trading-state changes."""

from __future__ import annotations

from typing import Any

from dexagent.policy.engine import PolicyEngine


def policy_report(engine: PolicyEngine) -> dict[str, Any]:
    """A JSON-ready summary; ``BacktestResult.extra["policy"]`` is the place for it."""
    return {
        "policy_name": engine.policy.name,
        "policy_hash": engine.policy_hash,
        "rules": list(engine.rule_names),
        "decisions": engine.decisions,
        "approved": engine.approved,
        "pending_approval": engine.parked,
        "denials_by_rule": dict(sorted(engine.denials_by_rule.items())),
        "strategy_choices_denied": sum(1 for c in engine.strategy_choices if not c.allowed),
        "final_state": engine.state.value,
        "state_changes": [
            {
                "at_ms": c.at_ms,
                "from": c.from_state.value,
                "to": c.to_state.value,
                "reason": c.reason,
            }
            for c in engine.state_changes
        ],
    }
