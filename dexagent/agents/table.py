"""The per-decision table a report prints: one row of plain strings per decision."""

from __future__ import annotations

from collections.abc import Sequence

from dexagent.agents.canonical import canonical_json
from dexagent.agents.guard import DecisionRecord
from dexagent.agents.prompt import iso

COLUMNS = (
    "time",
    "bar",
    "action",
    "strategy",
    "params",
    "allocation",
    "outcome",
    "rationale",
    "verdicts",
    "objections",
    "model",
)


def decision_rows(records: Sequence[DecisionRecord]) -> list[dict[str, str]]:
    rows = []
    for r in records:
        d = r.final
        p = r.proposed
        rows.append(
            {
                "time": iso(r.t_ms),
                "bar": str(r.bar),
                "action": d.action,
                "strategy": d.strategy or (p.strategy if p else ""),
                "params": canonical_json(dict(d.params or (p.params if p else {}))),
                "allocation": str(d.capital_fraction),
                "outcome": r.outcome,
                "rationale": (p.rationale if p else d.rationale)[:500],
                "verdicts": "; ".join(
                    f"{v.rule}={'allow' if v.allowed else 'deny'}" for v in r.verdicts
                ),
                "objections": " | ".join(d.objections),
                "model": d.model.model_id if d.model else "",
            }
        )
    return rows
