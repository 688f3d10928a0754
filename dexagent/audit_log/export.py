"""Review exports: one row per decision with its policy, verdicts, transaction and anchor."""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from dexagent.audit_log.store import Store


@dataclass(frozen=True, slots=True)
class DecisionRow:
    seq: int
    ts_ns: int
    order: str
    approved: bool | None
    policy_hash: str
    verdicts: str  # "rule:allow|deny:reason; ..."
    tx_hash: str
    checkpoint: int | None
    anchor_tx: str


def decision_rows(store: Store) -> Iterator[DecisionRow]:
    cps = store.checkpoints()
    anchors = {a.checkpoint_idx: a.tx_hash for a in store.anchors() if a.status == "confirmed"}
    policy = ""
    decisions: list[tuple[int, int, dict[str, Any], str]] = []
    tx_by_order: dict[str, str] = {}
    verdicts_by_order: dict[str, list[str]] = {}
    for r in store.iter_records():
        p = json.loads(r.payload)
        if r.type == "policy_loaded":
            policy = str(p.get("policy_hash", ""))
        elif r.type == "decision":
            decisions.append((r.seq, r.ts_ns, p, policy))
        elif r.type in ("fill", "tx_submitted", "tx_mined") and p.get("order") and p.get("tx_hash"):
            tx_by_order[str(p["order"])] = str(p["tx_hash"])
        elif r.type == "verdict" and p.get("order"):
            verdicts_by_order.setdefault(str(p["order"]), []).append(
                f"{p.get('rule')}:{'allow' if p.get('allowed') else 'deny'}:{p.get('reason', '')}"
            )
    for seq, ts, p, policy_in_force in decisions:
        order = str(p.get("order", ""))
        verdicts = [f"{v[0]}:{'allow' if v[1] else 'deny'}:{v[2]}" for v in p.get("verdicts", [])]
        verdicts += verdicts_by_order.get(order, [])
        cp = next((c.index for c in cps if c.tree_size > seq), None)
        yield DecisionRow(
            seq,
            ts,
            order,
            p.get("approved"),
            str(p.get("policy_hash") or policy_in_force),
            "; ".join(verdicts),
            tx_by_order.get(order, ""),
            cp,
            anchors.get(cp, "") if cp is not None else "",
        )


def export(store: Store, fmt: str) -> str:
    rows = [asdict(r) for r in decision_rows(store)]
    if fmt == "jsonl":
        return "".join(json.dumps(r, sort_keys=True) + "\n" for r in rows)
    fields = list(DecisionRow.__slots__)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
        return buf.getvalue()
    if fmt == "html":
        head = "".join(f"<th>{html.escape(f)}</th>" for f in fields)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(r[f]))}</td>" for f in fields) + "</tr>"
            for r in rows
        )
        return (
            "<!doctype html><meta charset=utf-8><title>dexagent audit</title>"
            f"<table border=1><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>\n"
        )
    raise ValueError(f"unknown export format {fmt!r}: use jsonl, csv or html")
