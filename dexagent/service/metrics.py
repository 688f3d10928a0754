"""Prometheus text exposition (format 0.0.4) of every agent's counters and gauges."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from dexagent.service.agent import AgentRunner
from dexagent.service.state import AgentStatus

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# name, type, help
_FAMILIES: tuple[tuple[str, str, str], ...] = (
    ("dexagent_agent_up", "gauge", "1 when the agent's status is the labelled one"),
    ("dexagent_bars_total", "counter", "bars closed from chain data"),
    ("dexagent_decisions_total", "counter", "orders the policy evaluated"),
    ("dexagent_approved_total", "counter", "orders the policy approved"),
    ("dexagent_pending_approval_total", "counter", "orders parked for a human approval"),
    ("dexagent_denials_total", "counter", "denied orders by rule"),
    ("dexagent_fills_total", "counter", "orders filled"),
    ("dexagent_rejections_total", "counter", "orders rejected by the venue"),
    ("dexagent_abandoned_total", "counter", "journaled orders never sent (restart)"),
    ("dexagent_gas_wei_total", "counter", "gas paid by fills, in wei"),
    ("dexagent_pnl_quote", "gauge", "pair equity change since start, quote base units"),
    ("dexagent_equity_quote", "gauge", "pair equity, quote base units"),
    ("dexagent_rpc_errors_total", "counter", "RPC calls that failed temporarily"),
    ("dexagent_rpc_gaps_total", "counter", "periods with the RPC unreachable"),
    ("dexagent_rpc_gap_seconds_total", "counter", "seconds spent with the RPC unreachable"),
    ("dexagent_audit_lag_records", "gauge", "audit records appended but not yet durable"),
    ("dexagent_audit_records", "gauge", "audit records in the log"),
    ("dexagent_anchor_lag_records", "gauge", "audit records not covered by a confirmed anchor"),
    ("dexagent_in_flight_orders", "gauge", "orders sent and not yet settled"),
    ("dexagent_last_block", "gauge", "newest block seen"),
    ("dexagent_reference_price", "gauge", "last ccxt reference price, quote per base"),
    ("dexagent_reference_deviation_bps", "gauge", "pool price vs reference, basis points"),
    ("dexagent_reference_errors_total", "counter", "reference price fetches that failed"),
    ("dexagent_reference_skips_total", "counter", "bars not decided: deviation over the max"),
)


def _esc(v: str) -> str:
    return v.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _line(name: str, labels: dict[str, str], value: float | int) -> str:
    lab = ",".join(f'{k}="{_esc(v)}"' for k, v in labels.items())
    return f"{name}{{{lab}}} {value}"


def _samples(r: AgentRunner) -> Iterable[tuple[str, dict[str, str], float | int]]:
    m, a = r.metrics, {"agent": r.id}
    status = r.status
    for s in AgentStatus:
        yield "dexagent_agent_up", {**a, "status": s.value}, int(s is status)
    yield "dexagent_bars_total", a, m.bars
    yield "dexagent_decisions_total", a, m.decisions
    yield "dexagent_approved_total", a, m.approved
    yield "dexagent_pending_approval_total", a, m.pending
    for rule, n in sorted(m.denials.items()):
        yield "dexagent_denials_total", {**a, "rule": rule}, n
    yield "dexagent_fills_total", a, m.fills
    yield "dexagent_rejections_total", a, m.rejections
    yield "dexagent_abandoned_total", a, m.abandoned
    yield "dexagent_gas_wei_total", a, m.gas_wei
    yield "dexagent_pnl_quote", a, m.pnl_quote
    yield "dexagent_equity_quote", a, m.equity_quote or 0
    yield "dexagent_rpc_errors_total", a, m.rpc_errors
    yield "dexagent_rpc_gaps_total", a, m.rpc_gaps
    yield "dexagent_rpc_gap_seconds_total", a, round(m.rpc_gap_seconds, 3)
    log = r.p.sink.log
    yield "dexagent_audit_lag_records", a, log.size - log.durable_size
    yield "dexagent_audit_records", a, log.size
    yield "dexagent_anchor_lag_records", a, anchor_lag(r)
    yield "dexagent_in_flight_orders", a, r.in_flight
    yield "dexagent_last_block", a, m.last_block
    ref = r.p.reference
    if ref is not None:
        st = ref.state
        if st.price is not None and st.deviation_bps is not None:
            yield "dexagent_reference_price", a, float(st.price)
            yield "dexagent_reference_deviation_bps", a, round(float(st.deviation_bps), 4)
        yield "dexagent_reference_errors_total", a, st.errors
        yield "dexagent_reference_skips_total", a, st.skips


def anchor_lag(r: AgentRunner) -> int:
    """Records not covered by a confirmed on-chain anchor (all of them when never anchored)."""
    log = r.p.sink.log
    if r.p.anchorer is None:
        return log.size
    confirmed = [a.tree_size for a in log.store.anchors() if a.status == "confirmed"]
    return log.size - max(confirmed, default=0)


def render(runners: Sequence[AgentRunner]) -> str:
    by_name: dict[str, list[str]] = {name: [] for name, _, _ in _FAMILIES}
    for r in runners:
        for name, labels, value in _samples(r):
            by_name[name].append(_line(name, labels, value))
    out: list[str] = []
    for name, kind, help_ in _FAMILIES:
        out.append(f"# HELP {name} {help_}")
        out.append(f"# TYPE {name} {kind}")
        out.extend(by_name[name])
    return "\n".join(out) + "\n"
